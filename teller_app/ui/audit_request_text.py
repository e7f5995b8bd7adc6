"""What a request's audit rows say, in the desk's words: its change as the desk asks and
approves it (``describe_change``), and the result of its execution. Every result the hub
writes (``hub/commands.py``, ``hub/execute.py``, ``hub/bank_settings.py``, the drift and the
phone rule's ``hub_models`` prefixes) is worded here, its details (the platform's message, a
number of seconds) as they came; the hub's texts are copied, the desk never importing the
hub (``tests/ui/test_hub_results_worded.py`` finds a new one). Only a result that is the
platform's own message is shown as it came."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import InvalidOperation

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from teller_app.core.approvals import CASH_LIMITS_UPDATE, POLICY_UPDATE
from teller_app.ui.settings_change_text import settings_title
from teller_app.ui.untrusted import fill

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
    "interrupted before execution; not applied yet: an approver must resume it":
        QT_TRANSLATE_NOOP("AuditDetails", "interrupted before it was executed, not applied "
                          "yet: an approver must resume it"),
}
SETTINGS_OF = {"policy": POLICY_UPDATE, "cash_limits": CASH_LIMITS_UPDATE}  # hub entities


def _settings(entity: str) -> str:
    return settings_title(SETTINGS_OF.get(entity, entity))


# the client's and the hub's words for a call that got no answer ("no answer in time
# (ReadTimeout)"): the desk's words, the exception's name kept for IT
NO_ANSWER = re.compile(r"no answer in time( \(\w+\))?")
NO_ANSWER_WORDS = QT_TRANSLATE_NOOP("AuditDetails", "no answer in time")


def _why(text: str) -> str:
    found = NO_ANSWER.fullmatch(text)
    if found is None:
        return text  # the platform's own message
    return QCoreApplication.translate(CONTEXT, str(NO_ANSWER_WORDS)) + (found[1] or "")


# A result with details: the hub's words around them (a pattern), the desk's (%1: the
# details, worded by the function).
PATTERNS: tuple[tuple[re.Pattern[str], object, Callable[[str], str]], ...] = (
    (re.compile(r"not executed: (.+)", re.S),
     QT_TRANSLATE_NOOP("AuditDetails", "not executed: %1"), str),
    (re.compile(r"DCM unreachable, not applied: (.+)", re.S),
     QT_TRANSLATE_NOOP("AuditDetails", "not applied: the platform could not be reached (%1)"),
     _why),
    (re.compile(r"DCM did not confirm it: the draft was still CREATED (\d+) s after the lost "
                r"answer"),
     QT_TRANSLATE_NOOP("AuditDetails", "not applied: the platform did not confirm the payment "
                       "within %1 s of the lost answer"), str),
    (re.compile(r"not applied: the stored document is not a valid (\w+)"),
     QT_TRANSLATE_NOOP("AuditDetails", "not applied: the stored settings (%1) are not valid"),
     _settings),
    (re.compile(r"not applied: the (\w+) changed after this request was filed \(it was "
                r"judged against the older one\): file it again"),
     QT_TRANSLATE_NOOP("AuditDetails", "not applied: the settings (%1) changed after this "
                       "request was filed: file it again"), _settings),
    (re.compile(r"interrupted; DCM cannot be read: (.+)", re.S),
     QT_TRANSLATE_NOOP("AuditDetails", "interrupted: the platform cannot be read (%1)"), _why),
    (re.compile(r"in doubt: (.+); DCM is read until it settles \[since \d+\]", re.S),
     QT_TRANSLATE_NOOP("AuditDetails", "not known yet (%1): the platform is read until it "
                       "settles"), lambda inner: result_text(inner)),
    # why it is in doubt; its ")" may be cut (the hub keeps 800 characters of it)
    (re.compile(r"DCM did not answer the confirm \((.+?)\)?", re.S),
     QT_TRANSLATE_NOOP("AuditDetails", "the platform did not answer the confirm: %1"),
     _why),
)


def result_text(value: object, before: object = None) -> str:
    """A result of the hub's in words (a request ended before anything was sent as the inbox
    says it, a limit in the currency ``before``, the request's, kept); any other (the
    platform's own message) as it came."""
    text = str(value)
    source = RESULTS.get(text)
    if source:
        return QCoreApplication.translate(CONTEXT, str(source))
    # imported here: approvals_drift takes its field names from audit_details
    from teller_app.ui.approvals_drift import not_applied_text

    # the customer changed, or the phone number is another's
    ended = not_applied_text(text, before if isinstance(before, Mapping) else None)
    if ended is not None:
        return ended
    for pattern, words, detail in PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            return fill(QCoreApplication.translate(CONTEXT, str(words)), detail(found[1]))
    return text


def change_text(value: object, before: object = None) -> str:
    """A request's change as the desk words it ("set the segment to “vip”"); "" when it is
    no change the desk makes (the caller shows it as it came). A limit reads in the currency
    the request carries (its change's, else the one the row's ``before`` kept at filing);
    with neither (an older hub's row, a customer without one) as an amount alone, never in
    a hryvnia the customer may not have."""
    if not isinstance(value, Mapping) or not value:
        return ""
    # imported here: change_request_dialog takes its field names from audit_details
    from teller_app.ui.change_request_dialog import describe_change

    try:
        return describe_change(dict(value), before if isinstance(before, Mapping) else None)
    except (InvalidOperation, ValueError, TypeError):
        return ""
