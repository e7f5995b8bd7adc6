"""Whether a printer is installed is asked off the UI thread: a slow or unreachable print
server (CUPS) never freezes the desk while the receipt's Print… waits for its answer, and
the answer still comes before the system dialog ("No printer is installed…" up front). The
answer is kept: the next Print… knows it at once and asks no print server."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from teller_app.core.receipt import ReceiptContext, build_receipt
from teller_app.platform.models import Payment
from teller_app.ui import print_job
from teller_app.ui.receipt_dialog import ReceiptDialog


class SlowPrintServer:
    """``QPrinterInfo`` whose printer list waits for ``release`` (a print server that does
    not answer) and then says none is installed; it notes the thread that asked."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.threads: list[threading.Thread] = []

    def availablePrinters(self) -> list[object]:
        self.threads.append(threading.current_thread())
        self.release.wait(5)
        return []


def _receipt() -> Any:
    payment = Payment.model_validate({
        "guid": "0123abcd-1111-2222-3333-444455556666", "amount": "150.00",
        "asset_code": "UAH", "category": "04", "purpose": "x [ref:abc]",
        "status": "CONFIRMED", "created_at": "2026-03-29T10:00:01Z",
        "updated_at": "2026-03-29T10:00:01Z", "stellar_info": {"hash": "ab" * 32}})
    return build_receipt(payment, ReceiptContext("Demo Bank", "Київ", "Касир", "Клієнт", ""),
                         "en")


def test_a_slow_print_server_is_asked_off_the_ui_thread(
        qtbot: Any, ops: Any, english: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    server = SlowPrintServer()
    monkeypatch.setattr(print_job, "QPrinterInfo", server)
    state = getattr(print_job, "_Printers", None)  # (a desk that asks on the UI thread: none)
    if state is not None:  # nothing known yet, nothing asked
        monkeypatch.setattr(state, "answer", None)
        monkeypatch.setattr(state, "asking", None)
    dialog = ReceiptDialog(_receipt(), ops)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.print_button.click()  # returns at once: the desk goes on while the server is slow
    ticks: list[int] = []
    timer = QTimer(dialog)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5000)  # the UI thread keeps running
    assert dialog.print_dialog is None and not dialog.status.text()
    assert server.threads and all(t is not threading.main_thread() for t in server.threads)
    server.release.set()  # the server answers: no printer
    qtbot.waitUntil(lambda: dialog.print_dialog is not None, timeout=10000)
    assert dialog.status.text().startswith("No printer is installed on this computer")
    printing = dialog.print_dialog
    assert printing is not None
    qtbot.waitUntil(printing.isVisible, timeout=5000)  # printing to a file stays offered
    printing.reject()
    # the answer is kept: the next Print… says it at once, asking no server again
    asked = len(server.threads)
    dialog.status.clear()
    dialog.print_button.click()
    assert dialog.status.text().startswith("No printer is installed on this computer")
    assert dialog.print_dialog is not printing and len(server.threads) == asked
    assert dialog.print_dialog is not None
    dialog.print_dialog.reject()
    timer.stop()
