"""What the approvals desk says about a customer that another desk changed after a request
was filed: before deciding, "at filing → wanted, now …" for each field that moved (the hub's
``current``, read when the approver selects the request); after, the request's end ("not
applied: someone else changed the customer…", the hub's ``customer_drift`` result, or "another
customer has this phone number", its ``phone_holders`` result) in the desk's language
instead of the hub's English. Strings keep the ``ApprovalsInbox`` context. Approve waits
while that read runs (``ApproveGate``)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from teller_app.platform.hub_models import ChangeRequest, customer_changed, phone_taken
from teller_app.ui.async_op import OpRunner
from teller_app.ui.audit_details import field_name
from teller_app.ui.change_request_dialog import describe_change
from teller_app.ui.field_values import field_value_text
from teller_app.ui.limit_currency import ASSET_FIELD, limit_currencies
from teller_app.ui.untrusted import fill, shown
from teller_app.ui.validators import isolate

translate = QCoreApplication.translate  # context "ApprovalsInbox", as in ApprovalsInbox.tr
# The op reading the selected request again with its customer's ``current``
# (``InboxDecisions._read_current``); Approve waits for it (``ApproveGate``).
CURRENT_READ_KEY = "approvals-current"


class ApproveGate(QWidget):
    """Holds the inbox's Approve: it is off (button, Alt+A, Ctrl+Shift+A) while the selected
    request is read again with what moved on its customer, since approving before the warning
    shows judged a change that may apply nothing, unwarned. It is back when the read ends,
    failed too (the supervisor decides unwarned, as before), unless a decision is on its way
    (its op turned Reject off, and left alone an Approve already off). The button's own
    enabled state stays the decision ops' (``OpRunner`` turns it off and on again), so
    neither turns on what the other turned off."""

    def __init__(self, ops: OpRunner, approve: QPushButton, reject: QPushButton) -> None:
        super().__init__()
        self.ops, self.reject = ops, reject
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(approve)
        ops.activity_changed.connect(self.follow)  # an op started or ended

    def follow(self, *_args: object) -> None:
        deciding = self.reject.testAttribute(Qt.WidgetAttribute.WA_ForceDisabled)  # its own
        self.setEnabled(not (self.ops.is_busy(CURRENT_READ_KEY) or deciding))


def _moved_parts(request: ChangeRequest) -> list[str]:
    """Each field that moved since filing: at filing → wanted, and what it is now; a limit
    on each side in that side's currency (now: the customer's, when it moved too), each value
    isolated on one line (a value cannot fake a line or reorder its neighbours)."""
    change, before = request.displayed_change(), request.before or {}
    current = request.current or {}
    was_in, wanted_in = limit_currencies(change, before)
    # the customer's currency now when it moved too (cleared: the amount alone)
    now_in = (str(current.get(ASSET_FIELD) or "") or None) if ASSET_FIELD in current else was_in

    def value(field: str, raw: object, currency: str | None) -> str:
        return isolate(field_value_text(field, raw, currency=currency))

    parts = []
    for field, now in current.items():
        name, was = field_name(field), value(field, before.get(field), was_in)
        if field in change:
            parts.append(fill(translate("ApprovalsInbox", "%1: at filing %2 → wanted %3, now %4"),
                              name, was, value(field, change[field], wanted_in),
                              value(field, now, now_in)))
        else:  # not asked for (a freeze meanwhile), yet it stops the change
            parts.append(fill(translate("ApprovalsInbox", "%1: at filing %2, now %3"),
                              name, was, value(field, now, now_in)))
    return parts


def change_with_current(request: ChangeRequest) -> str:
    """The change column: the change as asked, the fields that moved since filing shown with
    their value at filing and now (the plain description when nothing moved or not read)."""
    change = request.displayed_change()
    moved = request.current or {}
    if not moved:
        return describe_change(change, request.before)
    rest = {k: v for k, v in change.items() if k not in moved}
    return "; ".join([*_moved_parts(request),
                      *([describe_change(rest, request.before)] if rest else [])])


def moved_warning(request: ChangeRequest | None) -> str:
    """The selected request's warning ("" when its customer did not change since filing)."""
    if request is None or not request.current:
        return ""
    return translate("ApprovalsInbox", "Changed by someone else since it was filed: %1. "
                     "Approving it applies nothing: the request ends not applied."
                     ).replace("%1", "; ".join(_moved_parts(request)))


def customer_changed_text(result: str | None,
                          before: Mapping[str, object] | None = None) -> str | None:
    """A request's end when its customer changed after filing, in the desk's language;
    None: any other outcome. A limit's "was" reads in the currency ``before`` kept at filing
    (the request's), its "now" in the customer's new one when that moved too; none known:
    the amount alone. Each value is isolated on one line: another desk's value cannot fake a
    line or reorder the words around it."""
    moved = customer_changed(result)
    if moved is None:
        return None
    asset = moved.get(ASSET_FIELD) or {}
    was_in = limit_currencies({}, before)[0] or str(asset.get("was") or "") or None
    now_in = (str(asset.get("now") or "") or None) if ASSET_FIELD in moved else was_in
    details = "; ".join(  # each value isolated on one line, as ``_moved_parts`` does
        fill(translate("ApprovalsInbox", "%1: was %2, now %3"), field_name(field),
             isolate(field_value_text(field, values.get("was"), currency=was_in)),
             isolate(field_value_text(field, values.get("now"), currency=now_in)))
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


def not_applied_text(result: str | None,
                     before: Mapping[str, object] | None = None) -> str | None:
    """A request that ended before anything was sent to the platform (its customer changed,
    or its phone number is another's), in the desk's language; None: any other outcome.
    ``before``: the request's, when known (a limit's currency, ``customer_changed_text``)."""
    return customer_changed_text(result, before) or phone_taken_text(result)
