"""Start-up order: work that can follow the sign-in window's first paint runs after it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog

from teller_app.ui.startup import _AfterFirstPaint


def test_after_first_paint_runs_once_after_the_paint(qtbot) -> None:  # type: ignore[no-untyped-def]
    painted: list[bool] = []
    calls: list[bool] = []

    class Dialog(QDialog):
        def paintEvent(self, event) -> None:  # type: ignore[no-untyped-def]
            super().paintEvent(event)
            painted.append(True)

    dialog = Dialog()
    qtbot.addWidget(dialog)
    _AfterFirstPaint(dialog, lambda: calls.append(bool(painted)))
    assert not calls
    dialog.show()
    qtbot.waitUntil(lambda: bool(calls), timeout=5000)
    assert calls == [True]  # after the paint, not before
    dialog.repaint()  # a later paint does not run it again (a zero timer would be due now)
    QCoreApplication.processEvents()
    QCoreApplication.processEvents()
    assert calls == [True]
