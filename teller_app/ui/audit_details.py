"""An audit entry's details for a person: the desk's and the hub's detail keys with translated
labels, moments in Kyiv time (as the trail's "When (Kyiv)" column), amounts in the locale's
money format, yes/no and known codes (operations, decisions, states, results) in words, a
request's change as the desk words it, an employee with their name when the view knows it.
A key Teller does not know is still shown, as ``key = value``: nothing recorded is hidden
but blank values (an empty comment says nothing). GUIDs and hashes stay whole (often the
only identifier). Pure: text in, text out, in the language of the installed translators;
the audit view and its CSV export show what this makes."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from functools import partial

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from teller_app.ui.audit_people import PERSON_KEYS, person_text
from teller_app.ui.audit_request_text import change_text, result_text
from teller_app.ui.cash_text import kind_text, request_reason_text
from teller_app.ui.data_text import outcome_text
from teller_app.ui.local_time import local_text
from teller_app.ui.money import format_money, no_limit_text
from teller_app.ui.settings_change_text import CHECKS, check_text
from teller_app.ui.till_text import denomination_text, hub_need_reason, till_kind_text

CONTEXT = "AuditDetails"
MINOR_UNIT = 2  # the desk's cash and tills: hryvnia, in kopiyky
SHOWN_ELSEWHERE = frozenset({"customer_guid"})  # the trail's Customer column
SAID_ELSEWHERE_WHEN_NONE = frozenset({"previous_close_till"})  # by "previous_close"
# An RFC 3339 moment as the desk and the hub write them ("2026-01-02T10:00:00Z", "+00:00").
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})")

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
    "phone_taken": QT_TRANSLATE_NOOP("AuditDetails", "another customer has this phone number"),
    "phone_checks_throttled": QT_TRANSLATE_NOOP(
        "AuditDetails", "too many phone number checks in a minute (refused for the minute)"),
    "hash_mismatch": QT_TRANSLATE_NOOP("AuditDetails", "differs from what they were shown"),
    "bad_token": QT_TRANSLATE_NOOP("AuditDetails", "not their own valid platform session"),
    "voided": QT_TRANSLATE_NOOP("AuditDetails", "the cash draft was voided"),
    "not_authorized": QT_TRANSLATE_NOOP("AuditDetails", "the cash draft was never authorized"),
    "cash_own": QT_TRANSLATE_NOOP("AuditDetails", "their own cash (four eyes)"),
    "amount_differs": QT_TRANSLATE_NOOP("AuditDetails", "the amount differs"),
    "customer_blocked": QT_TRANSLATE_NOOP("AuditDetails",
                                          "the customer's status stops cash (blocked, closed)"),
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


def _tr(text: object) -> str:
    return QCoreApplication.translate(CONTEXT, str(text))


def yes_no(value: bool) -> str:
    return _tr(QT_TRANSLATE_NOOP("AuditDetails", "yes") if value
               else QT_TRANSLATE_NOOP("AuditDetails", "no"))


def moment_text(value: str) -> str | None:
    """An RFC 3339 moment in Kyiv time (the trail's "When" format), else None."""
    return local_text(value, seconds=True) if MOMENT.fullmatch(value.strip()) else None


def amount_text(value: object, currency: str = "UAH") -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value_text(value)
    return format_money(number, MINOR_UNIT, currency) if number.is_finite() else str(value)


def code_text(value: object, codes: Mapping[str, object]) -> str:
    """A known code in words; anything else as it is."""
    source = codes.get(str(value))
    return _tr(source) if source else str(value)


def field_name(key: str) -> str:
    source = FIELD_NAMES.get(key)
    return _tr(source) if source else key


def value_text(value: object) -> str:
    """Any value as a person reads it: words for yes/no, moments in Kyiv, lists joined."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value) or "—"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {value_text(v)}" for k, v in value.items()) or "—"
    text = str(value)
    return moment_text(text) or text


def _kind(value: object) -> str:
    text = str(value)
    return kind_text(text) if text in ("deposit", "withdrawal") else code_text(text, KINDS)


def _state(value: object) -> str:
    return code_text(value, STATES) if str(value) in STATES else outcome_text(value)


def _fields(value: object) -> str:
    """Field names (an edit, a request) or field -> {before, after} (an alert)."""
    if isinstance(value, Mapping):
        parts = []
        for key, change in value.items():
            show = partial(_amount, str(key)) if key in AMOUNT_KEYS else value_text
            if key == "phone_holder" and isinstance(change, Mapping):
                parts.append(f"{field_name(str(key))}: {_customer(change)}")
            elif isinstance(change, Mapping) and ("before" in change or "after" in change):
                before, after = change.get("before"), change.get("after")
                parts.append(f"{field_name(str(key))}: "
                             f"{'—' if before is None else show(before)} → "
                             f"{'—' if after is None else show(after)}")
            else:
                parts.append(f"{field_name(str(key))}: {show(change)}")
        return "; ".join(parts)
    if isinstance(value, list | tuple):
        return ", ".join(field_name(str(v)) for v in value)
    return field_name(str(value))


def _customer(value: Mapping[object, object]) -> str:
    """A customer an alert names: "login (GUID)"; "—" when not named."""
    login, guid = value.get("login"), value.get("wallet_user_guid")
    if login and guid:
        return f"{login} ({guid})"
    return str(login or guid or "—")


def _amount(key: str, value: object, currency: str = "UAH") -> str:
    """An amount; a customer's allowed balance of 0 is "no limit" on the platform (FAQ 12),
    not 0,00 ₴."""
    if key == "balance_allowed":
        with contextlib.suppress(InvalidOperation, ValueError):
            if Decimal(str(value)) == 0:
                return no_limit_text()
    return amount_text(value, currency)


def _change(value: object) -> str:
    return change_text(value) or value_text(value)


def _counts(value: object) -> str:
    """A till count by denomination: "100 UAH note × 3, …" (the hub records it as JSON
    text, the desk as a mapping)."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if not isinstance(value, Mapping):
        return value_text(value)
    parts = []
    for key, pieces in value.items():
        try:
            name = denomination_text(str(key))
        except KeyError:  # a denomination Teller does not know: as it came
            name = str(key)
        parts.append(f"{name} × {pieces}")
    return ", ".join(parts) or "—"


def reason_text(code: str) -> str:
    """Why an alert was raised, or why the hub asked a supervisor: in words."""
    if code in ALERT_REASONS:
        return code_text(code, ALERT_REASONS)
    if code in CHECKS:
        return check_text(code)
    return hub_need_reason(code)


def _reasons(value: object) -> str:
    items = value if isinstance(value, list | tuple) else [value]
    return "; ".join(reason_text(str(code)) for code in items)


FORMATS: dict[str, Callable[[object], str]] = {
    "event": lambda v: code_text(v, EVENTS), "kind": _kind, "state": _state, "fields": _fields,
    "decision": lambda v: outcome_text(v), "counts": _counts, "reasons": _reasons,
    "direction": lambda v: till_kind_text(str(v)), "change": _change, "result": result_text,
    "reason": lambda v: request_reason_text(str(v)),
    "refusal": lambda v: code_text(v, REFUSALS),
    **{key: partial(code_text, codes=HUB_CODES) for key in ("attempt", "mode", "source",
                                                           "error")},
}


def _empty(key: str, value: object) -> bool:
    """Nothing recorded (blank text, an empty list): not shown. None is ("—": a recorded
    "none", as no HTTP answer), but for a key that another one already says (no last close:
    "Last closing cash: —")."""
    if value is None:
        return key in SAID_ELSEWHERE_WHEN_NONE
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | Mapping) and not value


def detail_items(detail: Mapping[str, object], names: Mapping[str, str] | None = None,
                 ) -> list[tuple[str, str, bool]]:
    """(label, value, known) for every key but those shown in their own column and those
    with nothing in them: the known keys first, in ``LABELS`` order, then the rest by name.
    ``names``: employees' names by lower-case e-mail (``person_text``)."""
    currency = str(detail.get("currency") or detail.get("asset_code") or "UAH")
    keys = [k for k in LABELS if k in detail]
    keys += sorted(k for k in detail if k not in LABELS and k not in SHOWN_ELSEWHERE)
    out = []
    for key in keys:
        value = detail[key]
        if _empty(key, value):
            continue
        if key in LABELS:
            if key in AMOUNT_KEYS:
                text = _amount(key, value, currency)
            elif key in PERSON_KEYS and isinstance(value, str):
                text = person_text(value, names or {})
            else:
                text = FORMATS.get(key, value_text)(value)
            out.append((_tr(LABELS[key]), text, True))
        else:
            out.append((key, value_text(value), False))
    return out


def item_text(label: str, value: str, known: bool) -> str:
    return f"{label}: {value}" if known else f"{label} = {value}"


def details_text(detail: Mapping[str, object], separator: str = "; ",
                 names: Mapping[str, str] | None = None) -> str:
    """One line for the table ("; "), or one item a line ("\\n") for its tooltip."""
    return separator.join(item_text(*item) for item in detail_items(detail, names))
