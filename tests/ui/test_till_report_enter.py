"""The end-of-day report: Enter closes it, never prints (Print… was the default button)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QPushButton

from teller_app.core.till_models import EndOfDay, Till
from teller_app.ui.till_dialog import ReportDialog
from teller_app.ui.till_report import ReportContext


def test_enter_closes_the_report_and_never_prints(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    till = Till(id="t1", till_code="K-01", state="closed", teller="t@bank", branch_guid=None,
                open_total=Decimal("100"), expected=Decimal("100"), counted=Decimal("100"),
                over_short=Decimal(0), opened_at=1_700_000_000, closed_at=1_700_030_000)
    dialog = ReportDialog(EndOfDay(till, (), {}), ReportContext("Bank", "Kyiv-1", "Teller"), ops)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    close = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close)
    defaults = [b.text() for b in dialog.findChildren(QPushButton) if b.isDefault()]
    assert defaults == [close.text()]
    assert not isinstance(QApplication.focusWidget(), QPushButton)  # Enter reaches Close
    with qtbot.waitSignal(dialog.rejected, timeout=2000):
        qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)
    assert not dialog.findChildren(QPrintDialog)
