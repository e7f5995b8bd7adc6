"""Bringing a dock's list to the keyboard: a dock opened from the menu or a shortcut is shown,
raised over the docks tabbed with it and its table takes the focus (the search box kept it,
so arrows and Enter went to the search)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, SignalInstance
from PySide6.QtWidgets import QAbstractItemView, QDockWidget


def select_first_row(table: QAbstractItemView) -> None:
    """The first row, when the table has rows and none is selected."""
    model, selection = table.model(), table.selectionModel()
    if model is None or selection is None or selection.hasSelection() or not model.rowCount():
        return
    selection.setCurrentIndex(model.index(0, 0),
                              QItemSelectionModel.SelectionFlag.ClearAndSelect
                              | QItemSelectionModel.SelectionFlag.Rows)


def bring_forward(dock: QDockWidget, table: QAbstractItemView, *, select: bool = True,
                  loaded: SignalInstance | None = None) -> None:
    """Show and raise ``dock`` and focus ``table``; ``select``: its first row when none is
    (also once ``loaded`` fires: a list read again after this starts with no selection)."""
    dock.show()
    dock.raise_()  # in front of a dock tabbed with it
    if dock.isFloating():
        dock.activateWindow()
    table.setFocus(Qt.FocusReason.ShortcutFocusReason)
    if not select:
        return
    select_first_row(table)
    if loaded is not None:
        loaded.connect(lambda *_: select_first_row(table),
                       Qt.ConnectionType.SingleShotConnection)
