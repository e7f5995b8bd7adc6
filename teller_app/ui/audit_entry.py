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
from PySide6.QtGui import QKeyEvent
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
from teller_app.ui.audit_details import details_text
from teller_app.ui.local_time import local_text
from teller_app.ui.untrusted import plain_label, shown

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
# The hub's own decision row names what was decided. A desk's record of a decision (kept by
# the hub as "other", hub/audit.py) stays "Other": any desk can write one, so it never reads
# as the hub's decision.
DECISION_TEXT: dict[str, object] = {
    "approved": QT_TRANSLATE_NOOP("AuditActions", "Request approved"),
    "rejected": QT_TRANSLATE_NOOP("AuditActions", "Request rejected"),
}


# The action filter's name where the column's differs: it picks every decision, which the
# column names by what was decided (``DECISION_TEXT``).
FILTER_TEXT: dict[str, object] = {
    "decision": QT_TRANSLATE_NOOP("AuditActions", "Request approved or rejected"),
}


def action_text(action: str) -> str:
    source = ACTION_TEXT.get(action)
    return QCoreApplication.translate("AuditActions", str(source)) if source else action


def filter_text(action: str) -> str:
    """``action`` as the audit view's action filter offers it."""
    source = FILTER_TEXT.get(action)
    return QCoreApplication.translate("AuditActions", str(source)) if source \
        else action_text(action)


def entry_action_text(entry: AuditRecord) -> str:
    """The entry's action as the trail names it: the hub's decision by what it decided."""
    source = DECISION_TEXT.get(str(entry.detail.get("decision"))) \
        if entry.action == "decision" else None
    return QCoreApplication.translate("AuditActions", str(source)) if source \
        else action_text(entry.action)


def customer_of(entry: AuditRecord) -> str:
    guid = entry.detail.get("customer_guid")
    if guid:
        return str(guid)
    kind, _, value = entry.entity.partition(":")
    return value if kind == "customer" else ""


def when(entry: AuditRecord) -> str:
    return local_text(datetime.fromtimestamp(entry.ts_ms / 1000, UTC), seconds=True)


def whole_lines(text: str) -> str:
    """Each line whole (no clip, no break points), its control characters shown and a line
    that could reorder its neighbours direction-isolated (as the table and tooltip show it)."""
    return "\n".join(shown(line, len(line), breaks=False) for line in text.split("\n"))


class AuditEntryDialog(QDialog):
    """``actor`` and ``customer``: the names the view shows for the entry (or its e-mail and
    GUID when none is known); ``names``: employees' names by lower-case e-mail, for those
    the details name."""

    def __init__(self, entry: AuditRecord, *, actor: str, customer: str,
                 names: Mapping[str, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditEntryDialog")
        self.entry = entry
        self.names = dict(names or {})
        if actor and actor.lower() != entry.actor.lower():
            actor = f"{actor} ({entry.actor})"  # the name, and the e-mail it was recorded as
        form = QFormLayout()
        self.facts: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for key, value in (
            ("when", ""),  # set by ``retranslate``: the locale's date format
            ("actor", actor or entry.actor),
            ("action", ""),  # set by ``retranslate``: the action's name in the language
            ("entity", entry.entity),
            ("customer", customer),
        ):
            text = plain_label(QLabel(shown(value) or "—", self))
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts[key] = text
            self.captions[key] = QLabel(self)
            self.captions[key].setBuddy(text)  # as ``addRow(str, ...)`` made it
            form.addRow(self.captions[key], text)
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
            ("entity", self.tr("Entity")),
            ("customer", self.tr("Customer")),
        ):
            self.captions[key].setText(caption)
        self.facts["when"].setText(shown(when(entry)) or "—")
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
