"""Display text for data values the platform sends in English (statuses, segments, roles,
asset names, account type names).

Only the values Teller knows are translated; anything else (a bank's own segment, a new
status) is shown exactly as the platform sent it. Translate at display time only: the raw
values are what goes back to the platform and what the code compares against.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "DataValues"

STATUSES = frozenset({
    str(QT_TRANSLATE_NOOP("DataValues", "active")),
    str(QT_TRANSLATE_NOOP("DataValues", "inactive")),
    str(QT_TRANSLATE_NOOP("DataValues", "pending")),
    str(QT_TRANSLATE_NOOP("DataValues", "blocked")),
    str(QT_TRANSLATE_NOOP("DataValues", "closed")),
})
# A segment's words by its wire value: "vip" reads "VIP" in English too. The sandbox has only
# "retail"; a bank may use "vip". Any other segment is shown as the platform sent it.
SEGMENT_WORDS = {
    "retail": str(QT_TRANSLATE_NOOP("DataValues", "retail")),
    "vip": str(QT_TRANSLATE_NOOP("DataValues", "VIP")),
}
SEGMENTS = frozenset(SEGMENT_WORDS)
ROLES = frozenset({
    str(QT_TRANSLATE_NOOP("DataValues", "Teller")),
    str(QT_TRANSLATE_NOOP("DataValues", "Supervisor")),
    str(QT_TRANSLATE_NOOP("DataValues", "Administrator")),
    str(QT_TRANSLATE_NOOP("DataValues", "Auditor")),
})

OUTCOMES = frozenset({  # a supervisor's decision on a change request
    str(QT_TRANSLATE_NOOP("DataValues", "approved")),
    str(QT_TRANSLATE_NOOP("DataValues", "rejected")),
    str(QT_TRANSLATE_NOOP("DataValues", "withdrawn")),
})

ASSET_NAMES = frozenset({  # an asset's ``name`` (its code is never translated)
    str(QT_TRANSLATE_NOOP("DataValues", "Ukraine Hryvnia")),
})
ACCOUNT_NAMES = frozenset({  # an account type's name, as in "Account: customer"
    str(QT_TRANSLATE_NOOP("DataValues", "customer")),
    str(QT_TRANSLATE_NOOP("DataValues", "processing")),
    str(QT_TRANSLATE_NOOP("DataValues", "emission")),
})
# A whole title for the well-known account types reads better than "Account: customer".
ACCOUNT_TITLES = {
    "customer": QT_TRANSLATE_NOOP("DataValues", "Customer account"),
    "processing": QT_TRANSLATE_NOOP("DataValues", "Processing account"),
    "emission": QT_TRANSLATE_NOOP("DataValues", "Emission account"),
}


def _known(value: object, known: frozenset[str]) -> str:
    text = "" if value is None else str(value)
    return QCoreApplication.translate(CONTEXT, text) if text in known else text


def status_text(value: object) -> str:
    return _known(value, STATUSES)


def segment_text(value: object) -> str:
    text = "" if value is None else str(value)
    words = SEGMENT_WORDS.get(text)
    return QCoreApplication.translate(CONTEXT, words) if words else text


def role_text(value: object) -> str:
    return _known(value, ROLES)


def outcome_text(value: object) -> str:
    return _known(value, OUTCOMES)


def asset_name_text(value: object) -> str:
    return _known(value, ASSET_NAMES)


def account_name_text(value: object) -> str:
    return _known(value, ACCOUNT_NAMES)


def account_title(name: object) -> str | None:
    """"Customer account" etc. for a well-known account type name, else None."""
    title = ACCOUNT_TITLES.get("" if name is None else str(name).strip().lower())
    return QCoreApplication.translate(CONTEXT, str(title)) if title else None
