"""An audit entry's details for a person: the desk's and the hub's detail keys with translated
labels, moments in Kyiv time (as the trail's "When (Kyiv)" column), amounts in the locale's
money format, yes/no and known codes (operations, decisions, states, results) in words, a
request's change as the desk words it (``audit_request_text``), an employee with their name
when the view knows it. A key Teller does not know is still shown, as ``key = value``:
nothing recorded is hidden but blank values (an empty comment says nothing). GUIDs and
hashes stay whole (often the only identifier). The codes and their words: ``audit_codes``.
Pure: text in, text out, in the language of the installed translators; the audit view and
its CSV export show what this makes."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from functools import partial

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from teller_app.ui.audit_codes import (
    ALERT_REASONS,
    AMOUNT_KEYS,
    EVENTS,
    FIELD_NAMES,
    HUB_CODES,
    KINDS,
    LABELS,
    REFUSALS,
    STATES,
)
from teller_app.ui.audit_people import PERSON_KEYS, person_text
from teller_app.ui.audit_request_text import change_text, result_text
from teller_app.ui.cash_text import kind_text, request_reason_text
from teller_app.ui.data_text import outcome_text
from teller_app.ui.limit_currency import ASSET_FIELD, LIMIT_FIELD
from teller_app.ui.local_time import local_text
from teller_app.ui.money import format_money, limit_text, no_limit_text
from teller_app.ui.settings_change_text import CHECKS, check_text
from teller_app.ui.till_text import denomination_text, hub_need_reason, till_kind_text

CONTEXT = "AuditDetails"
MINOR_UNIT = 2  # the desk's cash and tills: hryvnia, in kopiyky
# said elsewhere: the customer in the trail's Customer column, a limit's currency at
# filing (the hub's ``before``) with the limit's amount in "Change"
SHOWN_ELSEWHERE = frozenset({"customer_guid", "before"})
SAID_ELSEWHERE_WHEN_NONE = frozenset({"previous_close_till"})  # by "previous_close"
# An RFC 3339 moment as the desk and the hub write them ("2026-01-02T10:00:00Z", "+00:00").
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})")


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
            show_after = show
            if key == LIMIT_FIELD and isinstance(change, Mapping):
                # the hub names the customer's currency now: the new amount's (the old one's
                # may have moved with it), so the old amount reads alone, as an older hub's
                code = change.get(ASSET_FIELD)
                show = partial(limit_text, minor_unit=MINOR_UNIT, currency=None)
                show_after = partial(limit_text, minor_unit=MINOR_UNIT,
                                     currency=str(code) if code else None)
            if key == "phone_holder" and isinstance(change, Mapping):
                parts.append(f"{field_name(str(key))}: {_customer(change)}")
            elif isinstance(change, Mapping) and ("before" in change or "after" in change):
                before, after = change.get("before"), change.get("after")
                parts.append(f"{field_name(str(key))}: "
                             f"{'—' if before is None else show(before)} → "
                             f"{'—' if after is None else show_after(after)}")
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
    "direction": lambda v: till_kind_text(str(v)), "result": result_text,
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
            elif key == "change":  # a limit in the currency the request carries
                text = change_text(value, detail.get("before")) or value_text(value)
            elif key == "result":  # likewise a limit the customer's drift names
                text = result_text(value, detail.get("before"))
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
