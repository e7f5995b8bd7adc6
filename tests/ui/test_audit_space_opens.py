"""Space on a row of the audit trail opens the entry in full, as Enter does (a list's
"activate"; it only selected the row). The row is still selected, Ctrl+Space still only
toggles the selection, and Escape gives the keyboard back to the table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication

from teller_app.platform.hub_models import AuditRecord
from teller_app.ui.audit_entry import AuditEntryDialog
from teller_app.ui.audit_view import AuditView

ENTRIES = [AuditRecord(seq=seq, ts_ms=1_767_348_005_000 + seq, actor="teller@bank.test",
                       action="edit", entity=f"customer:c-{seq}",
                       detail={"reason": f"entry {seq}"}) for seq in (1, 2, 3)]


def test_space_opens_the_entry(qtbot: Any, ops: Any) -> None:
    view = AuditView(lambda: None, ops)  # no hub: the rows are set here
    qtbot.addWidget(view)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=5000)
    view.model.set_entries(ENTRIES)  # newest first
    table = view.table
    table.setFocus()
    qtbot.waitUntil(table.hasFocus, timeout=5000)
    table.selectionModel().setCurrentIndex(view.model.index(1, 2),
                                           QItemSelectionModel.SelectionFlag.NoUpdate)

    qtbot.keyClick(table, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    assert view.entry_dialog is None  # Ctrl+Space: the selection only

    qtbot.keyClick(table, Qt.Key.Key_Space)
    dialog = view.entry_dialog
    assert isinstance(dialog, AuditEntryDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.facts["entity"].text() == "customer:c-2"  # the row Space was on
    assert [i.row() for i in table.selectionModel().selectedRows()] == [1]
    qtbot.waitUntil(dialog.details.hasFocus, timeout=5000)
    qtbot.keyClick(dialog.details, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert view.entry_dialog is None and view.focusWidget() is table

    # A Space within a name typed to find a row (Qt's type-ahead) is part of the name.
    interval = QApplication.keyboardInputInterval()
    QApplication.setKeyboardInputInterval(60_000)  # "within" however slow the machine
    try:
        qtbot.keyClicks(table, "ivan")
        qtbot.keyClick(table, Qt.Key.Key_Space)
        assert view.entry_dialog is None
    finally:
        QApplication.setKeyboardInputInterval(interval)
