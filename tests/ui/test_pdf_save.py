"""Save as PDF from the receipt dialog: the file is written off the UI thread through the
app's one async helper, private (0600) from its first byte, and a folder that cannot take it
says why in the dialog with nothing left behind."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from teller_app.core.receipt import ReceiptContext, build_receipt
from teller_app.platform.models import Payment
from teller_app.ui.async_op import OpRunner
from teller_app.ui.receipt_dialog import ReceiptDialog


def _dialog(qtbot: Any, ops: OpRunner) -> ReceiptDialog:
    payment = Payment(guid="37f6b441-0906-46b6-9349-e742531f4eb7", amount=Decimal("150.50"),
                      asset_code="UAH", category="01", status="CONFIRMED",
                      stellar_info={"hash": "ab" * 32},
                      updated_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC))
    desk = ReceiptContext("Demo Bank", "Львів, Ринок", "Касир", "Клієнт",
                          "UA21 3223 1300 0002 6007 2335 6600 1")
    dialog = ReceiptDialog(build_receipt(payment, desk, "en"), ops)
    qtbot.addWidget(dialog)
    return dialog


def test_save_as_pdf_writes_a_private_file_off_the_ui_thread(qtbot: Any, ops: OpRunner,
                                                              tmp_path: Any) -> None:
    dialog = _dialog(qtbot, ops)
    target = tmp_path / "share" / "receipt.pdf"
    with qtbot.waitSignal(dialog.saved, timeout=10000) as saved:
        dialog.save_pdf(str(target))
        assert ops.is_busy()  # the write runs as an op (to_thread), not inside this call
        assert not target.exists()
    assert saved.args == [str(target)]
    assert target.read_bytes().startswith(b"%PDF")
    assert target.stat().st_mode & 0o777 == 0o600
    assert dialog.status.text() == f"Saved to {target}"
    assert [p.name for p in target.parent.iterdir()] == ["receipt.pdf"]  # no temp file left


def test_a_folder_that_cannot_take_the_pdf_says_why(qtbot: Any, ops: OpRunner,
                                                    tmp_path: Any) -> None:
    dialog = _dialog(qtbot, ops)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    dialog.save_pdf(str(blocker / "receipt.pdf"))
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Could not save:"), timeout=10000)
    assert dialog.save_button.isEnabled()  # the teller may choose another place


def test_a_write_that_fails_half_way_leaves_nothing_behind(tmp_path: Any,
                                                          monkeypatch: Any) -> None:
    """The temp file is private and goes away when the final rename fails (a share gone,
    a full disk): neither half a file nor a readable copy stays in the teller's folder."""
    import os

    import pytest

    from teller_app.core.private_files import write_private

    def refuse(*_args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        write_private(tmp_path / "receipt.pdf", b"%PDF-1.4")
    assert list(tmp_path.iterdir()) == []
