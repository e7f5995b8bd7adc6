"""Wire models of the hub's four-eyes API (requests, policy, events, alerts, audit).

Shapes follow the hub (``teller_app/hub/routes_requests.py``, ``routes_audit.py``); unknown
fields are ignored so a newer hub does not break an older desk.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

PENDING = "pending"
APPROVED = "approved"
APPLIED = "applied"
FAILED = "failed"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
FINAL_STATES = frozenset({APPLIED, FAILED, REJECTED, WITHDRAWN})
# A customer change's ``result`` when another desk changed the customer after it was filed
# (the hub's ``customer_drift``): this prefix, then JSON {field: {"was": …, "now": …}}.
CUSTOMER_CHANGED = "not applied: the customer changed since the request was filed: "


def customer_changed(result: str | None) -> dict[str, dict[str, Any]] | None:
    """{field: {"was", "now"}} of a request that failed because its customer changed after
    filing ({} when the details did not fit the result); None: any other outcome."""
    if not result or not result.startswith(CUSTOMER_CHANGED):
        return None
    try:
        moved = json.loads(result[len(CUSTOMER_CHANGED):])
    except ValueError:
        return {}
    if not isinstance(moved, dict):
        return {}
    return {str(k): v for k, v in moved.items() if isinstance(v, dict)}


# A customer change's ``result`` when its new phone number is another customer's (the hub's
# ``phone_holders``, the bank's one-customer-per-number rule): this prefix, then JSON naming
# the holder ({"login", "wallet_user_guid"}), or {} when the holder is not to be named.
PHONE_TAKEN = ("not applied: another customer has this phone number (the bank's rule: one "
               "customer per phone number): ")


def phone_taken(result: str | None) -> dict[str, Any] | None:
    """The holder named by a request that failed for its phone number ({} when not named);
    None: any other outcome."""
    if not result or not result.startswith(PHONE_TAKEN):
        return None
    try:
        holder = json.loads(result[len(PHONE_TAKEN):])
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ChangeRequest(_Wire):
    """A command row on the hub: the exact change, who made it, where it stands."""

    id: str
    kind: str
    customer_guid: str
    branch_guid: str | None = None
    change: dict[str, Any] = Field(default_factory=dict)
    change_json: str = ""  # canonical JSON (sorted keys, no spaces); sha256 is over it
    sha256: str = ""
    before: dict[str, Any] | None = None
    maker: str = ""  # the maker's e-mail (from the hub session, never the desk's word)
    reason: str = ""
    created_at: float = 0.0  # Unix seconds
    state: str = PENDING
    checker: str | None = None
    decided_at: float | None = None
    comment: str | None = None
    execution_started_at: float | None = None
    finished_at: float | None = None
    result: str | None = None
    policy_reasons: list[str] = Field(default_factory=list)
    # ``get_request(current=True)``: fields another desk changed on the customer since the
    # request was filed, as they are now (approving it then applies nothing); None: not read
    current: dict[str, Any] | None = None

    @property
    def pending(self) -> bool:
        return self.state == PENDING

    def displayed_change(self) -> dict[str, Any]:
        """The change exactly as hashed (``change_json``): what an approver must be shown."""
        if self.change_json:
            parsed = json.loads(self.change_json)
            if isinstance(parsed, dict):
                return parsed
        return dict(self.change)


class RequestList(_Wire):
    requests: list[ChangeRequest] = Field(default_factory=list)


class PolicyVerdict(_Wire):
    needs_approval: bool
    reasons: list[str] = Field(default_factory=list)
    change: dict[str, Any] = Field(default_factory=dict)
    change_json: str = ""
    sha256: str = ""


class Policy(_Wire):
    is_disabled: bool = True
    sensitive_statuses: list[str] = Field(default_factory=lambda: ["blocked", "closed"])
    kyc_down: bool = True
    balance_allowed_up: bool = True
    cash_threshold: str = "10000.00"
    cash_currency: str = "UAH"
    all_customer_updates: bool = False
    phone_number: bool = True
    branch_move: bool = True
    kyc_up: bool = False
    segment: bool = False


class PolicyDoc(_Wire):
    policy: Policy
    updated_by: str | None = None
    updated_at: float | None = None


class HubEvent(_Wire):
    """One notification (an SSE frame's data, or a row of ``/events/list``)."""

    id: int
    kind: str
    ts_ms: int = 0
    request_id: str | None = None
    request_kind: str | None = None
    customer_guid: str | None = None
    branch_guid: str | None = None
    maker: str | None = None
    state: str | None = None
    checker: str | None = None
    sha256: str | None = None
    result: str | None = None
    before: dict[str, Any] | None = None  # a limit asked alone: its currency at filing
    # alert.unapproved_change | alert.unapproved_cash; alert.acknowledged (a newer hub's:
    # the alert left the open ones, acknowledged by ``acknowledged_by``)
    alert_id: int | None = None
    acknowledged_by: str | None = None
    login: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    reasons: list[str] = Field(default_factory=list)
    # till.waiting / till.decided (a newer hub's; an older one sends none): what waits for a
    # supervisor (transfer | open_cosign | close_cosign | vault_count), whose till, the
    # money; ``state`` and ``checker`` above carry a decision. Lenient: a value this desk
    # cannot read is None, never a lost event
    what: str | None = None
    till_id: str | None = None
    till_code: str | None = None
    teller: str | None = None  # e-mail; a vault count's: the supervisor who counted
    transfer_id: str | None = None
    count_id: str | None = None  # a vault count's (the hub sends it; the desk reads the list)
    direction: str | None = None  # to_till | to_vault (a transfer)
    amount: Decimal | None = None  # the transfer, the opening count or the vault count
    over_short: Decimal | None = None  # a close waiting for its co-sign

    @field_validator("what", "till_id", "till_code", "teller", "transfer_id", "count_id",
                     "direction", mode="before")
    @classmethod
    def _text(cls, value: object) -> str | None:
        if isinstance(value, str):
            return value
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else None

    @field_validator("amount", "over_short", mode="before")
    @classmethod
    def _money(cls, value: object) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            return None
        try:
            amount = Decimal(str(value).strip())
        except ArithmeticError:
            return None
        return amount if amount.is_finite() else None


class EventList(_Wire):
    events: list[HubEvent] = Field(default_factory=list)
    last_event_id: int = 0


class Alert(_Wire):
    id: int
    customer_guid: str = ""
    branch_guid: str | None = None
    detected_at: float | None = None
    state: str = "open"
    acknowledged_by: str | None = None
    login: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    reasons: list[str] = Field(default_factory=list)


class AlertList(_Wire):
    alerts: list[Alert] = Field(default_factory=list)
    more: bool = False  # older ones are left (an older hub says nothing: none)
    next_before_id: int | None = None


class AuditRecord(_Wire):
    seq: int
    ts_ms: int
    actor: str = ""
    desk_id: str = ""
    branch_guid: str | None = None
    action: str = ""
    entity: str = ""
    detail: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""


class AuditList(_Wire):
    entries: list[AuditRecord] = Field(default_factory=list)
    # where the next page starts; None: this was the last (an older hub: judge by count)
    next_after_seq: int | None = None
    # newest first: continue below this seq; None: this was the last page
    next_before_seq: int | None = None
    # the hub read newest first (an older hub does not say so: it read oldest first)
    newest_first: bool = False


class AuditAppended(_Wire):
    client_id: str | None = None
    seq: int
    hash: str


class AuditAppendResult(_Wire):
    appended: list[AuditAppended] = Field(default_factory=list)


class AuditVerify(_Wire):
    ok: bool
    count: int = 0
    head_seq: int | None = None
    head_hash: str | None = None
    problem: str | None = None
    bad_seq: int | None = None
