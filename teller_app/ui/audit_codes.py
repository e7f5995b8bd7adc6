"""The codes an audit entry's details hold, with the words ``audit_details`` shows for them:
the keys' labels (in the order they are shown), the desk's events, what a request or a
void was, why the hub refused, the hub's other codes, a request's state, customer fields
and an alert's reasons. Context ``AuditDetails``; the words are translated where shown."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

# key -> label, in the order they are shown (unknown keys follow, by name).
LABELS: dict[str, object] = {  # QT_TRANSLATE_NOOP is typed object; the values are str
    "event": QT_TRANSLATE_NOOP("AuditDetails", "Event"),
    "kind": QT_TRANSLATE_NOOP("AuditDetails", "Operation"),
    "change": QT_TRANSLATE_NOOP("AuditDetails", "Change"),
    "decision": QT_TRANSLATE_NOOP("AuditDetails", "Decision"),
    "state": QT_TRANSLATE_NOOP("AuditDetails", "State"),
    "amount": QT_TRANSLATE_NOOP("AuditDetails", "Amount"),
    "fields": QT_TRANSLATE_NOOP("AuditDetails", "Fields"),
    "is_disabled": QT_TRANSLATE_NOOP("AuditDetails", "Disabled"),
    "reason": QT_TRANSLATE_NOOP("AuditDetails", "Reason"),
    "reasons": QT_TRANSLATE_NOOP("AuditDetails", "Why a supervisor"),
    "comment": QT_TRANSLATE_NOOP("AuditDetails", "Comment"),
    "has_comment": QT_TRANSLATE_NOOP("AuditDetails", "With a comment"),
    "result": QT_TRANSLATE_NOOP("AuditDetails", "Result"),
    "maker": QT_TRANSLATE_NOOP("AuditDetails", "Maker"),
    "actor": QT_TRANSLATE_NOOP("AuditDetails", "By"),
    "owner": QT_TRANSLATE_NOOP("AuditDetails", "Draft of"),
    "confirmed_by": QT_TRANSLATE_NOOP("AuditDetails", "Confirmed by"),
    "at_desk_of": QT_TRANSLATE_NOOP("AuditDetails", "At the desk of (employee)"),
    "to_employee": QT_TRANSLATE_NOOP("AuditDetails", "Switched to (employee)"),
    "previous_employee": QT_TRANSLATE_NOOP("AuditDetails", "Previous employee"),
    "till_code": QT_TRANSLATE_NOOP("AuditDetails", "Till"),
    "open": QT_TRANSLATE_NOOP("AuditDetails", "Opening cash"),
    "previous_close": QT_TRANSLATE_NOOP("AuditDetails", "Last closing cash"),
    "previous_close_till": QT_TRANSLATE_NOOP("AuditDetails", "Till of the last close"),
    "counts": QT_TRANSLATE_NOOP("AuditDetails", "Count"),
    "cosigned": QT_TRANSLATE_NOOP("AuditDetails", "Co-signed"),
    "expected": QT_TRANSLATE_NOOP("AuditDetails", "Expected cash"),
    "close": QT_TRANSLATE_NOOP("AuditDetails", "Counted cash"),
    "over_short": QT_TRANSLATE_NOOP("AuditDetails", "Over/short"),
    "vault_count": QT_TRANSLATE_NOOP("AuditDetails", "Vault count"),
    "direction": QT_TRANSLATE_NOOP("AuditDetails", "Direction"),
    # a desk's entry the hub refused, re-sent reduced (core/audit_refused)
    "refused_entry": QT_TRANSLATE_NOOP("AuditDetails", "Entry the hub refused"),
    "customer_status": QT_TRANSLATE_NOOP("AuditDetails", "Customer's status"),
    "via": QT_TRANSLATE_NOOP("AuditDetails", "Asked through"),
    "authorized_by": QT_TRANSLATE_NOOP("AuditDetails", "Authorized by"),
    "approved": QT_TRANSLATE_NOOP("AuditDetails", "Approved"),
    "withdrawn": QT_TRANSLATE_NOOP("AuditDetails", "Withdrawn"),
    "acknowledged": QT_TRANSLATE_NOOP("AuditDetails", "Acknowledged"),
    "reconciled": QT_TRANSLATE_NOOP("AuditDetails", "Settled by reading the payment"),
    "payment_guid": QT_TRANSLATE_NOOP("AuditDetails", "Payment"),
    "request_id": QT_TRANSLATE_NOOP("AuditDetails", "Request"),
    "request": QT_TRANSLATE_NOOP("AuditDetails", "Request"),
    "transfer": QT_TRANSLATE_NOOP("AuditDetails", "Transfer"),
    "alert_id": QT_TRANSLATE_NOOP("AuditDetails", "Alert"),
    "stellar_hash": QT_TRANSLATE_NOOP("AuditDetails", "Stellar transaction"),
    "sha256": QT_TRANSLATE_NOOP("AuditDetails", "Change hash (SHA-256)"),
    # the hub's security entries: sign-ins, refusals, proxied writes, employees, secrets
    "refusal": QT_TRANSLATE_NOOP("AuditDetails", "Refused because"),
    "attempt": QT_TRANSLATE_NOOP("AuditDetails", "Attempted"),
    "http_status": QT_TRANSLATE_NOOP("AuditDetails", "Hub's answer (HTTP)"),
    "mode": QT_TRANSLATE_NOOP("AuditDetails", "Signed in with"),
    "source": QT_TRANSLATE_NOOP("AuditDetails", "Employee list"),
    "address": QT_TRANSLATE_NOOP("AuditDetails", "Sent from (IP address)"),
    "recorded_per_minute": QT_TRANSLATE_NOOP("AuditDetails",
                                             "Recorded one by one (per minute)"),
    "method": QT_TRANSLATE_NOOP("AuditDetails", "HTTP method"),
    "target_guid": QT_TRANSLATE_NOOP("AuditDetails", "Acts on"),
    "body_sha256": QT_TRANSLATE_NOOP("AuditDetails", "Body hash (SHA-256)"),
    "dcm_status": QT_TRANSLATE_NOOP("AuditDetails", "Platform's answer (HTTP)"),
    "error": QT_TRANSLATE_NOOP("AuditDetails", "Error"),
    "resumed": QT_TRANSLATE_NOOP("AuditDetails", "Resumed after an interruption"),
    "approved_by": QT_TRANSLATE_NOOP("AuditDetails", "Approved by"),
    "employee": QT_TRANSLATE_NOOP("AuditDetails", "Employee"),
    "roles": QT_TRANSLATE_NOOP("AuditDetails", "Roles"),
    "head_office": QT_TRANSLATE_NOOP("AuditDetails", "Head office"),
    "sessions_ended": QT_TRANSLATE_NOOP("AuditDetails", "Sessions ended"),
    "external_id": QT_TRANSLATE_NOOP("AuditDetails", "External id"),
    "created": QT_TRANSLATE_NOOP("AuditDetails", "Created"),
    "existing": QT_TRANSLATE_NOOP("AuditDetails", "Already there"),
    "items": QT_TRANSLATE_NOOP("AuditDetails", "Items"),
    "desk_id": QT_TRANSLATE_NOOP("AuditDetails", "Desk"),
    "desk_ts": QT_TRANSLATE_NOOP("AuditDetails", "Desk time (Kyiv)"),
    "truncated": QT_TRANSLATE_NOOP("AuditDetails", "Shortened to fit"),
}
AMOUNT_KEYS = frozenset({"amount", "open", "previous_close", "expected", "close", "over_short",
                         "vault_count", "balance_allowed"})
# Codes Teller knows, in words: the desk's events (``core.audit.AuditAction``) ...
EVENTS: dict[str, object] = {
    "sign_in": QT_TRANSLATE_NOOP("AuditDetails", "signed in"),
    "sign_out": QT_TRANSLATE_NOOP("AuditDetails", "signed out"),
    "switch_employee": QT_TRANSLATE_NOOP("AuditDetails", "another employee took the desk"),
    "customer_create": QT_TRANSLATE_NOOP("AuditDetails", "customer created"),
    "customer_edit": QT_TRANSLATE_NOOP("AuditDetails", "customer edited"),
    "change_request": QT_TRANSLATE_NOOP("AuditDetails", "change requested"),
    "approval": QT_TRANSLATE_NOOP("AuditDetails", "request approved"),
    "rejection": QT_TRANSLATE_NOOP("AuditDetails", "request rejected"),
    "request_withdrawn": QT_TRANSLATE_NOOP("AuditDetails", "request withdrawn"),
    "execution": QT_TRANSLATE_NOOP("AuditDetails", "request executed"),
    "cash_create": QT_TRANSLATE_NOOP("AuditDetails", "cash draft created"),
    "cash_confirm": QT_TRANSLATE_NOOP("AuditDetails", "cash confirmed"),
    "open_account": QT_TRANSLATE_NOOP("AuditDetails", "account opened"),
    "cash_refused": QT_TRANSLATE_NOOP("AuditDetails", "cash refused by the hub"),
}
# ... what a request or a void was (cash operations: ``kind_text``) ...
KINDS: dict[str, object] = {
    "customer_update": QT_TRANSLATE_NOOP("AuditDetails", "customer change"),
    "cash_confirm": QT_TRANSLATE_NOOP("AuditDetails", "cash confirmation"),
    "void": QT_TRANSLATE_NOOP("AuditDetails", "voided by the teller"),
    "reject": QT_TRANSLATE_NOOP("AuditDetails", "rejected by a supervisor"),
    # what the hub forwarded to the platform (Mode B), and whose secret it issued
    "customer_create": QT_TRANSLATE_NOOP("AuditDetails", "new customer"),
    "customer_account_create": QT_TRANSLATE_NOOP("AuditDetails", "new account"),
    "payment_create": QT_TRANSLATE_NOOP("AuditDetails", "new payment"),
    "branch_payment_create": QT_TRANSLATE_NOOP("AuditDetails", "new payment"),
    "payment_confirm": QT_TRANSLATE_NOOP("AuditDetails", "payment confirmation"),
    "branch_payment_confirm": QT_TRANSLATE_NOOP("AuditDetails", "payment confirmation"),
    "limits": QT_TRANSLATE_NOOP("AuditDetails", "customer limits"),
    "customer": QT_TRANSLATE_NOOP("AuditDetails", "a customer's secret"),
    "keykeeper": QT_TRANSLATE_NOOP("AuditDetails", "the bank's secret (keykeeper)"),
}
# Why the hub refused a sign-in or a decision.
REFUSALS: dict[str, object] = {
    "wrong_password": QT_TRANSLATE_NOOP("AuditDetails", "wrong password"),
    "unknown_employee": QT_TRANSLATE_NOOP("AuditDetails", "no such employee"),
    "disabled_employee": QT_TRANSLATE_NOOP("AuditDetails", "the employee is disabled"),
    "platform_refused": QT_TRANSLATE_NOOP("AuditDetails", "the platform refused the session"),
    "not_checker": QT_TRANSLATE_NOOP("AuditDetails", "not a supervisor"),
    "other_branch": QT_TRANSLATE_NOOP("AuditDetails", "another branch's request"),
    "not_visible": QT_TRANSLATE_NOOP("AuditDetails", "a request they may not see"),
    "own_request": QT_TRANSLATE_NOOP("AuditDetails", "their own request (four eyes)"),
    "already_decided": QT_TRANSLATE_NOOP("AuditDetails", "already decided"),
    "customer_change_in_progress": QT_TRANSLATE_NOOP(
        "AuditDetails", "another approved change to this customer was still being applied"),
    "phone_taken": QT_TRANSLATE_NOOP("AuditDetails", "another customer has this phone number"),
    "phone_checks_throttled": QT_TRANSLATE_NOOP(
        "AuditDetails", "too many phone number checks in a minute (refused for the minute)"),
    "login_in_progress": QT_TRANSLATE_NOOP(
        "AuditDetails", "another desk was creating a customer with this login"),
    "hash_mismatch": QT_TRANSLATE_NOOP("AuditDetails", "differs from what they were shown"),
    "bad_token": QT_TRANSLATE_NOOP("AuditDetails", "not their own valid platform session"),
    "voided": QT_TRANSLATE_NOOP("AuditDetails", "the cash draft was voided"),
    "not_authorized": QT_TRANSLATE_NOOP("AuditDetails", "the cash draft was never authorized"),
    "cash_own": QT_TRANSLATE_NOOP("AuditDetails", "their own cash (four eyes)"),
    "amount_differs": QT_TRANSLATE_NOOP("AuditDetails", "the amount differs"),
    "customer_blocked": QT_TRANSLATE_NOOP("AuditDetails",
                                          "the customer's status stops cash (blocked, closed)"),
    "too_many_failed_sign_ins": QT_TRANSLATE_NOOP(
        "AuditDetails", "too many failed sign-ins this minute: the rest are only in the "
        "hub's log"),
}
# Other codes of those entries: what was attempted, how one signed in, what went wrong.
HUB_CODES: dict[str, object] = {
    "approve": QT_TRANSLATE_NOOP("AuditDetails", "approve"),
    "reject": QT_TRANSLATE_NOOP("AuditDetails", "reject"),
    "resume": QT_TRANSLATE_NOOP("AuditDetails", "resume"),
    "file": QT_TRANSLATE_NOOP("AuditDetails", "filing a request"),
    "evaluate": QT_TRANSLATE_NOOP("AuditDetails", "checking before a save"),
    "password": QT_TRANSLATE_NOOP("AuditDetails", "hub password"),
    "platform": QT_TRANSLATE_NOOP("AuditDetails", "platform session"),
    "hub": QT_TRANSLATE_NOOP("AuditDetails", "Teller Hub"),
    "dcm": QT_TRANSLATE_NOOP("AuditDetails", "the platform"),
    "no answer": QT_TRANSLATE_NOOP("AuditDetails", "no answer in time (may have landed)"),
    "unreachable": QT_TRANSLATE_NOOP("AuditDetails", "the platform could not be reached"),
}
# ... and where a request stands (approved / rejected / withdrawn: ``outcome_text``).
STATES: dict[str, object] = {
    "pending": QT_TRANSLATE_NOOP("AuditDetails", "waiting for approval"),
    "applied": QT_TRANSLATE_NOOP("AuditDetails", "approved and applied"),
    "failed": QT_TRANSLATE_NOOP("AuditDetails", "approved, the platform refused it"),
}
# Customer fields a request, an edit or an alert names.
FIELD_NAMES: dict[str, object] = {
    "surname": QT_TRANSLATE_NOOP("AuditDetails", "surname"),
    "name": QT_TRANSLATE_NOOP("AuditDetails", "name"),
    "paternal_name": QT_TRANSLATE_NOOP("AuditDetails", "paternal name"),
    "phone_number": QT_TRANSLATE_NOOP("AuditDetails", "phone"),
    "status": QT_TRANSLATE_NOOP("AuditDetails", "status"),
    "segment": QT_TRANSLATE_NOOP("AuditDetails", "segment"),
    "kyc_level": QT_TRANSLATE_NOOP("AuditDetails", "KYC level"),
    "is_disabled": QT_TRANSLATE_NOOP("AuditDetails", "disabled"),
    "balance_allowed": QT_TRANSLATE_NOOP("AuditDetails", "allowed balance"),
    "balance_asset_code": QT_TRANSLATE_NOOP("AuditDetails", "allowed balance currency"),
    "branch_guid": QT_TRANSLATE_NOOP("AuditDetails", "branch"),
    "amount": QT_TRANSLATE_NOOP("AuditDetails", "amount"),
    # an alert's (hub ``phone_watch``): the other customer, when the hub names them
    "phone_holder": QT_TRANSLATE_NOOP("AuditDetails", "customer with the same phone number"),
}
# An alert's reasons the hub's customer watcher adds: its own, and the approval policy's
# checks a change made without approval met (the settings' words for them, ``check_text``;
# a cash alert's: ``hub_need_reason``).
ALERT_REASONS: dict[str, object] = {
    "phone_duplicate": QT_TRANSLATE_NOOP("AuditDetails",
                                         "another customer has the same phone number"),
    "status": QT_TRANSLATE_NOOP("AuditDetails", "a status that needs approval"),
}
