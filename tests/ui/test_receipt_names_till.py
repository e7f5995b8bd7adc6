"""A receipt for cash taken through the hub's till names that till ("Till: T1"), on screen and
in the PDF; without a hub, or a reprint from the history that does not know the till, there
is no till line at all (never an empty one). Real sandbox + hub (SQLite) over HTTP."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hub"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))

from fe_helpers import ADMIN, open_cash_desk, password_of, start_fe_hub
from hub_proc import PASSWORD, add_employee, branches
from till_helpers import customer

from teller_app.core.cash import CashKind, CashService, find_processing_account
from teller_app.core.receipt import Receipt, ReceiptContext, Reprint, build_receipt
from teller_app.core.views import CustomerView
from teller_app.platform import PasswordLogin, PlatformClient
from teller_app.platform.hub_client import HubClient
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.receipt import receipt_html, receipt_pdf, receipt_rows

pytestmark = pytest.mark.slow


def _pdf_text(receipt: Receipt, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed for the text check")
    path = tmp_path / f"{receipt.payment_guid}.pdf"
    path.write_bytes(receipt_pdf(receipt))
    return " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                                   capture_output=True, text=True, timeout=30).stdout.split())


def _confirmed_receipt(qtbot: Any, ops: OpRunner, service: CashService, cust: Any) -> Receipt:
    dialog = CashDialog(ops, service, CustomerView(cust), CashKind.DEPOSIT,
                        desk=ReceiptContext("Demo Bank", "Branch 1", "Teller", "", ""))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=15000)
    dialog.amount.setText("150.00")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=15000)
    with qtbot.waitSignal(dialog.receipt_shown, timeout=30000) as shown:
        dialog.create_button.click()
        qtbot.waitUntil(lambda: dialog.draft is not None
                        and dialog.confirm_button.isVisibleTo(dialog), timeout=15000)
        dialog.confirm_button.click()
    receipt: Receipt = shown.args[0]
    assert dialog.receipt_dialog is not None
    assert dialog.receipt_dialog.preview.toPlainText().count("Till") == (
        1 if dict(receipt_rows(receipt)).get("Till") else 0)
    return receipt


def test_cash_through_the_hubs_till_names_it_and_a_reprint_or_no_hub_does_not(
        qtbot: Any, arun: Any, qloop: Any, sandbox: Any, tmp_path: Path,
        english: None) -> None:
    hub = start_fe_hub(tmp_path / "hub", sandbox, None)
    clients: list[Any] = []
    try:
        b0 = branches(sandbox)[0]
        with hub.client() as http:
            teller = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
            sup = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
        cust, _account = customer(sandbox, b0)
        dcm = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                             auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))
        th, sh = HubClient(hub.base_url), HubClient(hub.base_url)
        clients += [dcm, th, sh]
        arun(th.open_password_session(teller, PASSWORD))
        arun(sh.open_password_session(sup, PASSWORD))
        desk = arun(open_cash_desk(dcm, b0, th, sh, "T1", "desk-till-name"), timeout=30000)
        ops = OpRunner()

        receipt = _confirmed_receipt(qtbot, ops, desk.service, cust)
        rows = receipt_rows(receipt)
        assert ("Till", "\u2068T1\u2069") in rows or ("Till", "T1") in rows, rows
        assert [label for label, _ in rows][:3] == ["Bank", "Branch", "Till"], rows
        assert "Till T1" in _pdf_text(receipt, tmp_path)

        # a reprint from the history knows no till: no till line, not an empty one
        copy = build_receipt(_payment_of(arun, dcm, receipt.payment_guid),
                             ReceiptContext("Demo Bank", "Branch 1", "Teller", "", ""), "en",
                             reprint=Reprint("Supervisor", datetime.now(UTC)))
        assert "Till" not in dict(receipt_rows(copy))
        assert "Till" not in receipt_html(copy) and "Till" not in _pdf_text(copy, tmp_path)

        # no hub (no till): the receipt as before, no till line
        processing = arun(find_processing_account(dcm, b0))
        plain = CashService(dcm, b0, processing, Decimal(10000))
        bare = _confirmed_receipt(qtbot, ops, plain, cust)
        assert "Till" not in dict(receipt_rows(bare))
        assert "Till" not in _pdf_text(bare, tmp_path)
    finally:
        for client in clients:
            arun(client.aclose())
        hub.stop()


def _payment_of(arun: Any, dcm: PlatformClient, guid: str) -> Any:
    return arun(dcm.get_payment(guid, with_stellar_info=True))
