"""What a supervisor reads about one request before deciding it, in the inbox (under the
list) and in the approve-in-place dialog, in the same order: the customer (name, and the
login or phone the request itself carries), who asked and when, the change ("value at filing
→ wanted" from the request's ``before``, read with the request: no extra call), the reason;
in the inbox, the request's short id too (as a refusal names one). Strings keep the
``ApprovalsInbox`` context (as ``approvals_drift``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication

from teller_app.core.approvals import CUSTOMER_UPDATE
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.audit_details import field_name
from teller_app.ui.audit_entity import short_id
from teller_app.ui.cash_text import request_reason_text
from teller_app.ui.change_request_dialog import describe_change
from teller_app.ui.field_values import field_value_text
from teller_app.ui.limit_currency import ASSET_FIELD, LIMIT_FIELD, limit_currencies
from teller_app.ui.local_time import local_text
from teller_app.ui.untrusted import fill
from teller_app.ui.validators import isolate

translate = QCoreApplication.translate  # context "ApprovalsInbox", as in ApprovalsInbox.tr


def customer_line(request: ChangeRequest, name: str) -> str:
    """"Customer: ‹name› (phone …, login …)": the contacts the request carries."""
    before = request.before or {}
    contacts = [fill(label, isolate(str(before[key])))
                for key, label in (("phone_number", translate("ApprovalsInbox", "phone %1")),
                                   ("login", translate("ApprovalsInbox", "login %1")))
                if before.get(key)]
    if not contacts:
        return fill(translate("ApprovalsInbox", "Customer: %1"), name)
    return fill(translate("ApprovalsInbox", "Customer: %1 (%2)"), name, ", ".join(contacts))


def requested_line(request: ChangeRequest, maker_name: str) -> str:
    when = local_text(datetime.fromtimestamp(request.created_at, UTC)) \
        if request.created_at else ""
    if not when:
        return fill(translate("ApprovalsInbox", "Requested by %1"), maker_name)
    return fill(translate("ApprovalsInbox", "Requested by %1 on %2"), maker_name, when)


def request_id_line(request: ChangeRequest) -> str:
    """"Request: 9b41c0d2…": the request by the short id a refusal names it by (a request
    that holds the customer is found in the list by it)."""
    return fill(translate("ApprovalsInbox", "Request: %1"), short_id(request.id))


def change_from_to(request: ChangeRequest) -> str:
    """A customer change as "Field: at filing → wanted" per field ("" when the request kept
    no values at filing: then the change is described as asked)."""
    change: dict[str, Any] = request.displayed_change()
    before = request.before or {}
    if request.kind != CUSTOMER_UPDATE or not any(k in before for k in change):
        return ""
    was_in, wanted_in = limit_currencies(change, before)  # each side in its own
    parts = []
    for field, wanted in change.items():
        if field == ASSET_FIELD and "balance_allowed" in change and wanted_in == was_in:
            continue  # named with the limit's amounts
        if field in before:  # values isolated and on one line: a value cannot fake a line
            parts.append(fill(translate("ApprovalsInbox", "%1: %2 → %3"), field_name(field),
                              isolate(field_value_text(field, before[field], currency=was_in)),
                              isolate(field_value_text(field, wanted, currency=wanted_in))))
        else:  # a limit not kept at filing: still in the currency it is asked in
            asked = {field: wanted, **({ASSET_FIELD: wanted_in}
                                       if field == LIMIT_FIELD and wanted_in else {})}
            parts.append(describe_change(asked))
    return "; ".join(parts)


def change_line(request: ChangeRequest, described: str) -> str:
    """"Change: …", from → to when the request kept the values at filing, else
    ``described`` (the list's own words: cash, the bank's settings)."""
    return fill(translate("ApprovalsInbox", "Change: %1"),
                change_from_to(request) or described)


def reason_line(request: ChangeRequest) -> str:
    if not request.reason:
        return ""
    return fill(translate("ApprovalsInbox", "Reason: %1"), request_reason_text(request.reason))


def summary_text(request: ChangeRequest, *, customer: str, maker: str, described: str) -> str:
    """The approve-in-place dialog's summary: customer, who asked (left out when ``maker``
    is not known), the change, the reason."""
    lines = [customer_line(request, customer),
             requested_line(request, maker) if maker else "",  # a desk without the name
             change_line(request, described), reason_line(request)]
    return "\n".join(line for line in lines if line)


def decided_text(outcome: str, state: str, subject: str, change: str) -> str:
    """What a decision did, naming what was decided: "approved" is "applied" only when the
    hub says so."""
    if outcome != "approved":
        return fill(translate("ApprovalsInbox", "Rejected: %1 — %2"), subject, change)
    if state == "applied":
        return fill(translate("ApprovalsInbox", "Approved and applied: %1 — %2"),
                    subject, change)
    return fill(translate("ApprovalsInbox", "Approved, waiting to be applied: %1 — %2"),
                subject, change)
