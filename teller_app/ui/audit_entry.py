"""One audit entry as the supervisor reads it: its action's name in the current language, its
Kyiv time, its customer, and the dialog that shows it in full (opened from the audit view's
table, ``AuditTable``, by Enter, Space or a double-click: the table shows one line of details
and the tooltip is for the mouse). Desks write the actor, the entity and the details: all
plain text, never markup; the details in a read-only box that is selected and copied by
keyboard too."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt
from PySide6.QtGui import QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from teller_app.platform.hub_models import AuditRecord
from teller_app.ui.audit_customers import own_customer
from teller_app.ui.audit_details import details_text
from teller_app.ui.audit_entity import entity_text
from teller_app.ui.local_time import local_text
from teller_app.ui.untrusted import plain_label, shown

HUB_DESK = "hub"  # the desk_id of the hub's own entries (hub/audit.HUB)
ACTION_TEXT: dict[str, object] = {  # QT_TRANSLATE_NOOP is typed object; the values are str
    "sign_in": QT_TRANSLATE_NOOP("AuditActions", "Signed in"),
    "sign_out": QT_TRANSLATE_NOOP("AuditActions", "Signed out"),
    "lock": QT_TRANSLATE_NOOP("AuditActions", "Locked"),
    "unlock": QT_TRANSLATE_NOOP("AuditActions", "Unlocked"),
    "create": QT_TRANSLATE_NOOP("AuditActions", "Created"),
    "edit": QT_TRANSLATE_NOOP("AuditActions", "Edited"),
    "request": QT_TRANSLATE_NOOP("AuditActions", "Change requested"),
    "decision": QT_TRANSLATE_NOOP("AuditActions", "Decision"),
    "execution": QT_TRANSLATE_NOOP("AuditActions", "Executed"),
    "alert": QT_TRANSLATE_NOOP("AuditActions", "Alert"),
    "policy": QT_TRANSLATE_NOOP("AuditActions", "Policy changed"),
    "cash": QT_TRANSLATE_NOOP("AuditActions", "Cash"),
    "till": QT_TRANSLATE_NOOP("AuditActions", "Till"),
    "other": QT_TRANSLATE_NOOP("AuditActions", "Other"),
    # the hub's own security entries
    "sign_in_failed": QT_TRANSLATE_NOOP("AuditActions", "Sign-in refused"),
    "sign_in_throttled": QT_TRANSLATE_NOOP("AuditActions", "Sign-in throttled"),
    "request_refused": QT_TRANSLATE_NOOP("AuditActions", "Request refused"),
    "decision_refused": QT_TRANSLATE_NOOP("AuditActions", "Decision refused"),
    "proxy_write": QT_TRANSLATE_NOOP("AuditActions", "Sent to the platform"),
    "employee_added": QT_TRANSLATE_NOOP("AuditActions", "Employee added"),
    "employee_disabled": QT_TRANSLATE_NOOP("AuditActions", "Employee disabled"),
    "employee_enabled": QT_TRANSLATE_NOOP("AuditActions", "Employee enabled"),
    "password_reset": QT_TRANSLATE_NOOP("AuditActions", "Password reset"),
    "secret_issued": QT_TRANSLATE_NOOP("AuditActions", "Customer secret issued"),
    "secret_refused": QT_TRANSLATE_NOOP("AuditActions", "Customer secret refused"),
    "secrets_imported": QT_TRANSLATE_NOOP("AuditActions", "Customer secrets imported"),
}
# The hub's own decision row names what was decided.
DECISION_TEXT: dict[str, object] = {
    "approved": QT_TRANSLATE_NOOP("AuditActions", "Request approved"),
    "rejected": QT_TRANSLATE_NOOP("AuditActions", "Request rejected"),
}

# A desk's own record of a request's step (kept by the hub as "other" with the desk's
# ``event``: hub/audit.py, core/audit_actions.HUB_ACTION), by that step. It is no copy of
# the hub's row of the step: it says at which desk and in whose session the step was seen
# (a supervisor's decision in place is recorded by the teller's desk, the hub's row naming
# the desk "in-place"). Named as the desk's, so it never reads as the hub's own row. Events
# of desks before 2026-12-04 ("request", "decision", "execution") read alike.
DESK_EVENT_TEXT: dict[str, object] = {
    "approval": QT_TRANSLATE_NOOP("AuditActions", "Desk's record: request approved"),
    "rejection": QT_TRANSLATE_NOOP("AuditActions", "Desk's record: request rejected"),
    "decision": QT_TRANSLATE_NOOP("AuditActions", "Desk's record: request decided"),
    "change_request": QT_TRANSLATE_NOOP("AuditActions", "Desk's record: change requested"),
    "request": QT_TRANSLATE_NOOP("AuditActions", "Desk's record: change requested"),
    "request_withdrawn": QT_TRANSLATE_NOOP("AuditActions", "Desk's record: request withdrawn"),
    "execution": QT_TRANSLATE_NOOP("AuditActions", "Desk's record: request executed"),
}


# The action filter's name where the column's differs: it picks every decision, which the
# column names by what was decided (``DECISION_TEXT``).
FILTER_TEXT: dict[str, object] = {
    "decision": QT_TRANSLATE_NOOP("AuditActions", "Request approved or rejected"),
}


def widest_action_text(metrics: QFontMetrics) -> str:
    """The longest action name the trail may show, in the language (its column's width)."""
    sources = (*ACTION_TEXT.values(), *DECISION_TEXT.values(), *DESK_EVENT_TEXT.values())
    return max((QCoreApplication.translate("AuditActions", str(s)) for s in sources),
               key=metrics.horizontalAdvance)


def action_text(action: str) -> str:
    source = ACTION_TEXT.get(action)
    return QCoreApplication.translate("AuditActions", str(source)) if source else action


def filter_text(action: str) -> str:
    """``action`` as the audit view's action filter offers it."""
    source = FILTER_TEXT.get(action)
    return QCoreApplication.translate("AuditActions", str(source)) if source \
        else action_text(action)


def entry_action_text(entry: AuditRecord) -> str:
    """The entry's action as the trail names it: the hub's decision by what it decided, a
    desk's record of a request's step by that step."""
    source = None
    if entry.action == "decision":
        source = DECISION_TEXT.get(str(entry.detail.get("decision")))
    elif entry.action == "other" and entry.desk_id != HUB_DESK:
        source = DESK_EVENT_TEXT.get(str(entry.detail.get("event")))
    return QCoreApplication.translate("AuditActions", str(source)) if source \
        else action_text(entry.action)


def customer_of(entry: AuditRecord) -> str:
    """The customer the entry itself names (the trail also reads one from the entry's
    payment or request: ``audit_customers.CustomerLinks``)."""
    return own_customer(entry)


def when(entry: AuditRecord) -> str:
    return local_text(datetime.fromtimestamp(entry.ts_ms / 1000, UTC), seconds=True)


def whole_lines(text: str) -> str:
    """Each line whole (no clip, no break points), its control characters shown and a line
    that could reorder its neighbours direction-isolated (as the table and tooltip show it)."""
    return "\n".join(shown(line, len(line), breaks=False) for line in text.split("\n"))


class AuditEntryDialog(QDialog):
    """``actor`` and ``customer``: the names the view shows for the entry (or its e-mail and
    GUID when none is known); ``names``: employees' names by lower-case e-mail, for those
    the details name; ``customer_names``: customers' by GUID, for the entity. The entity
    reads in words ("Request 9b41c0d2…"), its code whole and selectable under it (IT)."""

    def __init__(self, entry: AuditRecord, *, actor: str, customer: str,
                 names: Mapping[str, str] | None = None,
                 customer_names: Mapping[str, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditEntryDialog")
        self.entry = entry
        self.names = dict(names or {})
        self.customer_names = dict(customer_names or {})
        if actor and actor.lower() != entry.actor.lower():
            actor = f"{actor} ({entry.actor})"  # the name, and the e-mail it was recorded as
        form = QFormLayout()
        self.facts: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for key, value in (
            ("when", ""),  # set by ``retranslate``: the locale's date format
            ("actor", actor or entry.actor),
            ("action", ""),  # set by ``retranslate``: the action's name in the language
            ("subject", ""),  # the entity in words: set by ``retranslate`` (the language)
            ("entity", entry.entity),  # as recorded, whole: what IT searches for
            ("customer", customer),
        ):
            text = plain_label(QLabel(shown(value) or "—", self))
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts[key] = text
            self.captions[key] = QLabel(self)
            self.captions[key].setBuddy(text)  # as ``addRow(str, ...)`` made it
            form.addRow(self.captions[key], text)
        self.facts["entity"].setTextInteractionFlags(  # copied by keyboard too
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("auditEntryDetails")
        self.details.setReadOnly(True)
        self.details.setTextInteractionFlags(  # Shift+arrows and Ctrl+C too
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.details.setTabChangesFocus(True)  # Tab goes on to Close
        self.details_label = QLabel(self)
        self.details_label.setBuddy(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.details_label)
        box.addWidget(self.details, 1)
        box.addWidget(buttons)
        self.retranslate()
        self.resize(560, 420)
        self.details.setFocus(Qt.FocusReason.OtherFocusReason)

    def retranslate(self) -> None:
        """The dialog's own texts in the current language; the entry's data stays as it is
        (its action's name, its time and its details are remade: they are shown in the
        language)."""
        entry = self.entry
        self.setWindowTitle(self.tr("Audit entry %1").replace("%1", str(entry.seq)))
        for key, caption in (
            ("when", self.tr("When (Kyiv)")),
            ("actor", self.tr("Employee")),
            ("action", self.tr("Action")),
            ("subject", self.tr("Entity")),
            ("entity", self.tr("Entity ID")),
            ("customer", self.tr("Customer")),
        ):
            self.captions[key].setText(caption)
        self.facts["when"].setText(shown(when(entry)) or "—")
        self.facts["subject"].setText(shown(entity_text(
            entry.entity, entry.detail, customers=self.customer_names,
            employees=self.names)) or "—")
        self.facts["action"].setText(shown(entry_action_text(entry)) or "—")
        self.details_label.setText(self.tr("&Details"))
        # its reasons and field names are words in the language too
        self.details.setPlainText(whole_lines(details_text(entry.detail, "\n", self.names)))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class AuditTable(QTableView):
    """Space opens the current entry as Enter does (a list's "activate"; Qt's only selected
    the row, which it still does), unless it is part of a name being typed to find a row
    (Qt's type-ahead: keys within ``keyboardInputInterval`` of each other)."""

    def __init__(self) -> None:
        super().__init__()
        self._typed_at = 0.0  # monotonic s of the last letter typed into the type-ahead

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                      Qt.KeyboardModifier.ShiftModifier)
        now = time.monotonic()
        if event.key() != Qt.Key.Key_Space:
            if plain and event.text().isprintable() and event.text():
                self._typed_at = now
            return
        typing = now - self._typed_at < QApplication.keyboardInputInterval() / 1000
        if event.modifiers() == Qt.KeyboardModifier.NoModifier and not typing and \
                self.currentIndex().isValid():
            self.activated.emit(self.currentIndex())
