"""What a request's audit rows say, in the desk's words: its change as the desk asks and
approves it (``describe_change``), and the result of its execution. The hub's fixed results
(``hub/commands.APPLIED_RESULT`` and the others of ``hub/commands.py`` and ``hub/execute.py``)
are copied here, the desk never importing the hub; any other result (the platform's own
message, a result with details) is shown as it came."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import InvalidOperation

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "AuditDetails"
ALTERED = ("not executed: the stored change no longer matches its SHA-256 (altered after it "
           "was filed)")
RESULTS: dict[str, object] = {  # QT_TRANSLATE_NOOP is typed object; the values are str
    "applied": QT_TRANSLATE_NOOP("AuditDetails", "applied"),
    "applied (found on DCM after no answer)": QT_TRANSLATE_NOOP(
        "AuditDetails", "applied (found on the platform after it did not answer)"),
    "applied (already on DCM)": QT_TRANSLATE_NOOP(
        "AuditDetails", "applied (it was already on the platform)"),
    "applied (DCM confirmed it after a late answer)": QT_TRANSLATE_NOOP(
        "AuditDetails", "applied (the platform confirmed it after a late answer)"),
    "applied (found on DCM when resuming)": QT_TRANSLATE_NOOP(
        "AuditDetails", "applied (found on the platform when resuming)"),
    ALTERED: QT_TRANSLATE_NOOP(
        "AuditDetails", "not executed: the stored change was altered after it was filed"),
    "DCM failed the payment after a lost answer: it is never confirmed": QT_TRANSLATE_NOOP(
        "AuditDetails", "not applied: the platform failed the payment after a lost answer"),
}


def result_text(value: object) -> str:
    """A known result in words; any other as the hub wrote it."""
    source = RESULTS.get(str(value))
    return QCoreApplication.translate(CONTEXT, str(source)) if source else str(value)


def change_text(value: object) -> str:
    """A request's change as the desk words it ("set the segment to “vip”"); "" when it is
    no change the desk makes (the caller shows it as it came)."""
    if not isinstance(value, Mapping) or not value:
        return ""
    # imported here: change_request_dialog takes its field names from audit_details
    from teller_app.ui.change_request_dialog import describe_change

    try:
        return describe_change(dict(value))
    except (InvalidOperation, ValueError, TypeError):
        return ""
