"""What the approvals desk says about a customer that another desk changed after a request
was filed: before deciding, "at filing → wanted, now …" for each field that moved (the hub's
``current``, read when the approver selects the request); after, the request's end ("not
applied: someone else changed the customer…", the hub's ``customer_drift`` result, or "another
customer has this phone number", its ``phone_holders`` result) in the desk's language
instead of the hub's English. Strings keep the ``ApprovalsInbox`` context."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QCoreApplication

from teller_app.platform.hub_models import ChangeRequest, customer_changed, phone_taken
from teller_app.ui.audit_details import field_name
from teller_app.ui.change_request_dialog import describe_change
from teller_app.ui.field_values import DEFAULT_CURRENCY, field_value_text
from teller_app.ui.untrusted import shown

translate = QCoreApplication.translate  # context "ApprovalsInbox", as in ApprovalsInbox.tr


def _moved_parts(request: ChangeRequest) -> list[str]:
    """Each field that moved since filing: at filing → wanted, and what it is now."""
    change, before = request.displayed_change(), request.before or {}
    # the balance's asset, when the request names one (else the default hryvnia)
    currency = str(change.get("balance_asset_code") or before.get("balance_asset_code")
                   or DEFAULT_CURRENCY)
    value = partial(field_value_text, currency=currency)
    parts = []
    for field, now in (request.current or {}).items():
        name, was = field_name(field), value(field, before.get(field))
        if field in change:
            parts.append(translate("ApprovalsInbox", "%1: at filing %2 → wanted %3, now %4")
                         .replace("%1", name).replace("%2", was)
                         .replace("%3", value(field, change[field]))
                         .replace("%4", value(field, now)))
        else:  # not asked for (a freeze meanwhile), yet it stops the change
            parts.append(translate("ApprovalsInbox", "%1: at filing %2, now %3")
                         .replace("%1", name).replace("%2", was)
                         .replace("%3", value(field, now)))
    return parts


def change_with_current(request: ChangeRequest) -> str:
    """The change column: the change as asked, the fields that moved since filing shown with
    their value at filing and now (the plain description when nothing moved or not read)."""
    change = request.displayed_change()
    moved = request.current or {}
    if not moved:
        return describe_change(change)
    rest = {k: v for k, v in change.items() if k not in moved}
    return "; ".join([*_moved_parts(request), *([describe_change(rest)] if rest else [])])


def moved_warning(request: ChangeRequest | None) -> str:
    """The selected request's warning ("" when its customer did not change since filing)."""
    if request is None or not request.current:
        return ""
    return translate("ApprovalsInbox", "Changed by someone else since it was filed: %1. "
                     "Approving it applies nothing: the request ends not applied."
                     ).replace("%1", "; ".join(_moved_parts(request)))


def customer_changed_text(result: str | None) -> str | None:
    """A request's end when its customer changed after filing, in the desk's language;
    None: any other outcome."""
    moved = customer_changed(result)
    if moved is None:
        return None
    details = "; ".join(
        translate("ApprovalsInbox", "%1: was %2, now %3").replace("%1", field_name(field))
        .replace("%2", field_value_text(field, values.get("was")))
        .replace("%3", field_value_text(field, values.get("now")))
        for field, values in moved.items())
    if not details:
        return translate("ApprovalsInbox", "Not applied: someone else changed the customer "
                         "after the request was filed. Nothing was written; file the request "
                         "again if it is still needed.")
    return translate("ApprovalsInbox", "Not applied: someone else changed the customer after "
                     "the request was filed (%1). Nothing was written; file the request again "
                     "if it is still needed.").replace("%1", details)


def phone_taken_text(result: str | None) -> str | None:
    """A request's end when its new phone number is another customer's (the bank's rule), in
    the desk's language; None: any other outcome."""
    holder = phone_taken(result)
    if holder is None:
        return None
    login = holder.get("login")
    if not isinstance(login, str) or not login:
        return translate("ApprovalsInbox", "Not applied: another customer already has this "
                         "phone number (the bank's rule: one customer per phone number). "
                         "Nothing was written.")
    return translate("ApprovalsInbox", "Not applied: customer %1 already has this phone "
                     "number (the bank's rule: one customer per phone number). Nothing was "
                     "written.").replace("%1", shown(login, 120, breaks=False))


def not_applied_text(result: str | None) -> str | None:
    """A request that ended before anything was sent to the platform (its customer changed,
    or its phone number is another's), in the desk's language; None: any other outcome."""
    return customer_changed_text(result) or phone_taken_text(result)
