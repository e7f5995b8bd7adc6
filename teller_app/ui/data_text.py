"""Display text for data values the platform sends in English (statuses, segments, roles).

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
SEGMENTS = frozenset({
    str(QT_TRANSLATE_NOOP("DataValues", "retail")),
})
ROLES = frozenset({
    str(QT_TRANSLATE_NOOP("DataValues", "Teller")),
    str(QT_TRANSLATE_NOOP("DataValues", "Supervisor")),
    str(QT_TRANSLATE_NOOP("DataValues", "Administrator")),
})

OUTCOMES = frozenset({  # a supervisor's decision on a change request
    str(QT_TRANSLATE_NOOP("DataValues", "approved")),
    str(QT_TRANSLATE_NOOP("DataValues", "rejected")),
    str(QT_TRANSLATE_NOOP("DataValues", "withdrawn")),
})


def _known(value: object, known: frozenset[str]) -> str:
    text = "" if value is None else str(value)
    return QCoreApplication.translate(CONTEXT, text) if text in known else text


def status_text(value: object) -> str:
    return _known(value, STATUSES)


def segment_text(value: object) -> str:
    return _known(value, SEGMENTS)


def role_text(value: object) -> str:
    return _known(value, ROLES)


def outcome_text(value: object) -> str:
    return _known(value, OUTCOMES)
