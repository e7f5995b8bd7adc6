"""What the desk records (``AuditAction``) and how the hub names each (``HUB_ACTION``);
``core.audit`` re-exports these, where callers have always imported them."""

from __future__ import annotations


class AuditAction:
    """What the desk records (``event`` in the hub entry's detail); ``HUB_ACTION`` maps each
    to the hub's action vocabulary."""

    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    LOCK = "lock"
    UNLOCK = "unlock"
    SWITCH_EMPLOYEE = "switch_employee"
    CUSTOMER_CREATE = "customer_create"
    CUSTOMER_EDIT = "customer_edit"
    CHANGE_REQUEST = "change_request"
    APPROVAL = "approval"
    REJECTION = "rejection"
    REQUEST_WITHDRAWN = "request_withdrawn"
    EXECUTION = "execution"
    CASH_CREATE = "cash_create"
    CASH_CONFIRM = "cash_confirm"
    OPEN_ACCOUNT = "open_account"
    TILL = "till"

    ALL = (
        SIGN_IN, SIGN_OUT, LOCK, UNLOCK, SWITCH_EMPLOYEE, CUSTOMER_CREATE, CUSTOMER_EDIT,
        CHANGE_REQUEST, APPROVAL, REJECTION, REQUEST_WITHDRAWN, EXECUTION, CASH_CREATE,
        CASH_CONFIRM, OPEN_ACCOUNT, TILL,
    )


# The hub refuses a desk entry named as one of its own actions (a request, a decision, an
# execution: the hub writes those itself), so the desk's own copies go as "other" with their
# ``event``; hub/audit.DESK_ACTIONS is what it accepts (tests/hub/test_audit_actions.py).
DESK_ACTIONS = ("sign_in", "sign_out", "lock", "unlock", "create", "edit", "cash", "till",
                "other")
HUB_ACTION = {
    AuditAction.SIGN_IN: "sign_in", AuditAction.SIGN_OUT: "sign_out",
    AuditAction.LOCK: "lock", AuditAction.UNLOCK: "unlock",
    AuditAction.SWITCH_EMPLOYEE: "sign_in", AuditAction.CUSTOMER_CREATE: "create",
    AuditAction.CUSTOMER_EDIT: "edit", AuditAction.CHANGE_REQUEST: "other",
    AuditAction.APPROVAL: "other", AuditAction.REJECTION: "other",
    AuditAction.REQUEST_WITHDRAWN: "other", AuditAction.EXECUTION: "other",
    AuditAction.CASH_CREATE: "cash", AuditAction.CASH_CONFIRM: "cash",
    AuditAction.OPEN_ACCOUNT: "create", AuditAction.TILL: "till",
}
# Every action in the hub's trail (the audit view's filter): the desks' and the hub's own
# (requests, decisions, executions, alerts, policy, and its security events).
HUB_ACTIONS = ("sign_in", "sign_in_failed", "sign_in_throttled", "sign_out", "lock", "unlock",
               "create", "edit", "request", "request_refused", "decision", "decision_refused",
               "execution", "proxy_write", "alert", "policy", "cash", "till", "employee_added",
               "employee_disabled", "employee_enabled", "password_reset", "secret_issued",
               "secret_refused", "secrets_imported", "other")
