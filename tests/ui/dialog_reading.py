"""Reading what a dialog shows, for tests: a payment detail's value by its row label, and the
branch cash position window the Till menu opens."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication, QLabel

from teller_app.ui.payment_detail import PaymentDetailDialog
from teller_app.ui.till_position import BranchCashView


def detail_value(dialog: PaymentDetailDialog, label: str) -> str:
    """The text beside ``label`` in the payment's details."""
    layout = dialog.layout()
    for row in range(layout.rowCount()):  # type: ignore[attr-defined]
        name = layout.itemAt(row, layout.ItemRole.LabelRole)  # type: ignore[attr-defined]
        field = layout.itemAt(row, layout.ItemRole.FieldRole)  # type: ignore[attr-defined]
        if name is not None and field is not None and name.widget().text() == label:
            widget = field.widget()
            assert isinstance(widget, QLabel)
            return widget.text()
    raise AssertionError(f"no {label!r} row")


def open_branch_position(qtbot: Any, window: Any) -> BranchCashView:
    """The branch cash position opened as the Till menu opens it (over the signed-in
    window), once it has read the position."""
    window.till_desk.position()
    qtbot.waitUntil(lambda: shown_branch_view() is not None, timeout=10000)
    view = shown_branch_view()
    assert view is not None
    qtbot.waitUntil(lambda: view.position is not None, timeout=15000)
    return view


def shown_branch_view() -> BranchCashView | None:
    """The branch cash position window on screen, if one is."""
    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, BranchCashView) and w.isVisible()), None)
