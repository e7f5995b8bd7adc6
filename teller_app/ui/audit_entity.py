"""What an audit entry is about, in words: the entry dialog's "Entity" ("Request 9b41c0d2…",
"Customer Petrenko Ivan", "Till T-1") where the hub and the desks record a code
("request:9b41…", "customer:<GUID>", "till:<id>"). The code itself stays shown whole beside
it (IT searches by it). Context ``AuditEntity``; pure: text in, text out."""

from __future__ import annotations

import re
from collections.abc import Mapping

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from teller_app.ui.audit_codes import KINDS
from teller_app.ui.audit_people import person_text
from teller_app.ui.audit_request_text import SETTINGS_OF
from teller_app.ui.settings_change_text import settings_title
from teller_app.ui.untrusted import fill

CONTEXT = "AuditEntity"
# kind (before the ":") -> its words, %1: what follows, as ``_value`` words it
KIND_TEXT: dict[str, object] = {  # QT_TRANSLATE_NOOP is typed object; the values are str
    "customer": QT_TRANSLATE_NOOP("AuditEntity", "Customer %1"),
    "request": QT_TRANSLATE_NOOP("AuditEntity", "Request %1"),
    "payment": QT_TRANSLATE_NOOP("AuditEntity", "Payment %1"),
    "till": QT_TRANSLATE_NOOP("AuditEntity", "Till %1"),
    "vault": QT_TRANSLATE_NOOP("AuditEntity", "Branch vault %1"),
    "alert": QT_TRANSLATE_NOOP("AuditEntity", "Alert %1"),
    "employee": QT_TRANSLATE_NOOP("AuditEntity", "Employee %1"),
    "address": QT_TRANSLATE_NOOP("AuditEntity", "Computer at %1"),
    "dcm": QT_TRANSLATE_NOOP("AuditEntity", "Platform: %1"),
}
# an entity that is a word of its own (the bank settings: ``settings_title``)
WHOLE_TEXT: dict[str, object] = {
    "secret": QT_TRANSLATE_NOOP("AuditEntity", "Customer secrets"),
    "master_key": QT_TRANSLATE_NOOP("AuditEntity", "The hub's master key"),
}
# a GUID or a hash: long, shown by its start in words (whole in the "ID" line)
LONG_ID = re.compile(r"[0-9a-fA-F-]{13,}")
SHORT = 8


def _tr(source: object) -> str:
    return QCoreApplication.translate(CONTEXT, str(source))


def short_id(value: str) -> str:
    """A GUID by its first characters ("9b41c0d2…"); anything else whole."""
    return value[:SHORT] + "…" if LONG_ID.fullmatch(value) else value


def entity_text(entity: str, detail: Mapping[str, object], *,
                customers: Mapping[str, str] | None = None,
                employees: Mapping[str, str] | None = None) -> str:
    """``entity`` in words; "" for none. ``customers``: names by GUID, ``employees``: by
    lower-case e-mail (as the trail looked them up); a till by its code when the entry names
    it. An entity Teller does not know reads as it was recorded."""
    if not entity:
        return ""
    if entity in SETTINGS_OF:  # hub/bank_settings' entities
        return settings_title(SETTINGS_OF[entity])
    if entity in WHOLE_TEXT:
        return _tr(WHOLE_TEXT[entity])
    kind, colon, value = entity.partition(":")
    source = KIND_TEXT.get(kind)
    if not colon or source is None or not value:
        return entity
    if kind == "customer":
        shown = (customers or {}).get(value) or short_id(value)
    elif kind == "employee":
        shown = person_text(value, employees or {})
    elif kind == "till":
        shown = str(detail.get("till_code") or "") or short_id(value)
    elif kind == "dcm":
        code = KINDS.get(value)
        shown = _tr_details(code) if code else value
    else:
        shown = short_id(value)
    return fill(_tr(source), shown)


def _tr_details(source: object) -> str:
    return QCoreApplication.translate("AuditDetails", str(source))
