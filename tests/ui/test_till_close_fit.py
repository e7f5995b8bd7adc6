"""Closing the till: a status that wraps to more lines after the dialog opened (the voided
drafts, a hub's words) grows the dialog instead of squeezing the count above it."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QApplication

from teller_app.core.till_models import Till
from teller_app.ui.till_close import TillCloseDialog
from teller_app.ui.till_report import ReportContext


def test_a_status_wrapping_later_grows_the_dialog(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    till = Till(id="t1", till_code="K-01", state="open", teller="t@bank", branch_guid=None,
                open_total=Decimal("300"), expected=Decimal("300"))
    # the service is never called: nothing here is sent
    dialog = TillCloseDialog(ops, None, till, ReportContext("Bank", "Kyiv-1", "Teller"))  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = dialog.size()
    dialog.status.setText(" ".join(["Three cash drafts never confirmed were voided."] * 6))
    qtbot.waitUntil(lambda: dialog.height() >= dialog.heightForWidth(dialog.width()),
                    timeout=2000)
    assert dialog.height() > before.height()
    room = QApplication.primaryScreen().availableGeometry()
    assert dialog.height() <= room.height()
