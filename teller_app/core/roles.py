"""What each platform role may do in the app (no Qt).

Administrator = head office, everything. Supervisor = Teller + apply sensitive changes, decide
approvals, audit, confirm cash of any amount. Teller = search/view/create/edit, open accounts,
request sensitive changes, create cash operations. Auditor = search, view and read the audit
trail. Unknown roles grant nothing."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Capability(StrEnum):
    SEARCH = "search"
    VIEW_CUSTOMER = "view_customer"
    CREATE_CUSTOMER = "create_customer"
    EDIT_CUSTOMER = "edit_customer"
    OPEN_ACCOUNT = "open_account"
    REQUEST_SENSITIVE_CHANGE = "request_sensitive_change"
    APPLY_SENSITIVE_CHANGE = "apply_sensitive_change"
    DECIDE_APPROVALS = "decide_approvals"
    VIEW_AUDIT = "view_audit"
    CASH_CREATE = "cash_create"
    CASH_CONFIRM_ANY_AMOUNT = "cash_confirm_any_amount"
    CHOOSE_BRANCH = "choose_branch"


TELLER = "Teller"
SUPERVISOR = "Supervisor"
ADMINISTRATOR = "Administrator"
AUDITOR = "Auditor"  # §3.3's suggested read-only role: GET only; the hub lets it read the audit

_TELLER_CAPS = frozenset(
    {
        Capability.SEARCH,
        Capability.VIEW_CUSTOMER,
        Capability.CREATE_CUSTOMER,
        Capability.EDIT_CUSTOMER,
        Capability.OPEN_ACCOUNT,
        Capability.REQUEST_SENSITIVE_CHANGE,
        Capability.CASH_CREATE,
    }
)

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    TELLER: _TELLER_CAPS,
    SUPERVISOR: _TELLER_CAPS
    | {
        Capability.APPLY_SENSITIVE_CHANGE,
        Capability.DECIDE_APPROVALS,
        Capability.VIEW_AUDIT,
        Capability.CASH_CONFIRM_ANY_AMOUNT,
    },
    ADMINISTRATOR: frozenset(Capability),
    AUDITOR: frozenset({Capability.SEARCH, Capability.VIEW_CUSTOMER, Capability.VIEW_AUDIT}),
}


def capabilities_for(roles: Iterable[str]) -> frozenset[Capability]:
    """Union of the capabilities of ``roles`` (role names match case-insensitively)."""
    by_lower = {name.lower(): caps for name, caps in ROLE_CAPABILITIES.items()}
    caps: frozenset[Capability] = frozenset()
    for role in roles:
        caps |= by_lower.get(role.strip().lower(), frozenset())
    return caps
