"""A receipt printed again from the account history is a copy of the original: it names the
teller and branch that took the payment (the Teller Hub's record), not the desk reprinting
it; it says "COPY" with who reprinted it and when (Kyiv time with offset), and its file is
"…-copy". Where the hub does not know the payment, the teller is "—" and the branch is the
account's. Real sandbox + hub (SQLite) over HTTP."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hub"))

from fe_helpers import ADMIN, TillWorld, open_cash_desk, password_of, till_world
from hub_proc import PASSWORD
from till_helpers import customer

from teller_app.core.cash import CashKind
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.history import HistoryMemory, HistoryService
from teller_app.core.receipt import ReceiptContext, build_receipt
from teller_app.core.receipt_origin import origin_lookup
from teller_app.platform import PasswordLogin, PlatformClient
from teller_app.platform.hub_client import HubClient
from teller_app.ui.async_op import OpRunner
from teller_app.ui.history import HistoryDialog
from teller_app.ui.receipt import receipt_html, receipt_rows

TELLER_NAME = "Оксана Касирська"  # in the hub's directory only
LATER = ReceiptContext("Demo Bank", "Львів-2", "Другий Касир", "Мельник Олена", "")
# the offset only in the hour that comes twice (core.receipt.kyiv_stamp)
STAMP = re.compile(r"^\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d( \([+-]\d\d:\d\d\))? by ")


@pytest.fixture(scope="module")
def world(sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TillWorld]:
    with till_world(tmp_path_factory.mktemp("reprint"), sandbox, None,
                    teller_name=TELLER_NAME) as w:
        yield w


def _plain(text: str) -> str:
    return text.replace("\u2068", "").replace("\u2069", "")


def _reprint(qtbot: Any, ops: OpRunner, dcm: PlatformClient, account: str,
             hub: HubClient | None) -> Any:
    dialog = HistoryDialog(ops, HistoryService(dcm, None, HistoryMemory()), account, LATER,
                           origin=origin_lookup(dcm, hub, account))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: len(dialog.model.rows) == 1 and not dialog.model.loading,
                    timeout=15000)
    dialog.open_payment(0)
    assert dialog.detail is not None
    dialog.detail.reprint()
    qtbot.waitUntil(lambda: dialog.detail.receipt_dialog is not None, timeout=15000)
    return dialog.detail.receipt_dialog.receipt


def test_a_reprint_is_a_copy_naming_the_original_teller_and_branch(
        world: TillWorld, sandbox: SandboxProcess, qtbot: Any, arun: Any,
        ops: OpRunner) -> None:
    cust, account = customer(sandbox, world.b0)
    teller_hub, sup_hub = HubClient(world.hub.base_url), HubClient(world.hub.base_url)
    dcm = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                         auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))
    try:
        arun(teller_hub.open_password_session(world.teller, PASSWORD))
        arun(sup_hub.open_password_session(world.sup, PASSWORD))
        service = arun(open_cash_desk(dcm, world.b0, teller_hub, sup_hub, "T-reprint",
                                      "reprint-desk")).service
        draft = arun(service.create(CashKind.DEPOSIT, cust, "21.10"))
        payment = arun(service.confirm(draft.payment_guid)).payment
        branch = arun(dcm.get_branch(world.b0)).name
        assert branch and branch != LATER.branch
        first = build_receipt(payment, ReceiptContext("Demo Bank", branch, TELLER_NAME,
                                                      "Мельник Олена", ""), "en")
        assert first.reprint is None and "COPY" not in receipt_html(first)  # the original

        # a supervisor at another desk reprints it: the hub names the teller who took it
        copy = _reprint(qtbot, ops, dcm, account, sup_hub)
        rows = {label: _plain(value) for label, value in receipt_rows(copy)}
        assert rows["Teller"] == TELLER_NAME and rows["Branch"] == branch
        assert STAMP.match(rows["Copy printed (Kyiv)"]), rows
        assert rows["Copy printed (Kyiv)"].endswith(" by Другий Касир")
        assert "— COPY" in receipt_html(copy)
        assert copy.file_stem == first.file_stem + "-copy" and copy.at == first.at

        # no hub record (here: no hub at all): no teller, the account's branch
        unknown = _reprint(qtbot, ops, dcm, account, None)
        rows = {label: _plain(value) for label, value in receipt_rows(unknown)}
        assert rows["Teller"] == "—" and rows["Branch"] == branch
        assert unknown.reprint is not None and unknown.reprint.by == "Другий Касир"
    finally:
        for client in (teller_hub, sup_hub, dcm):
            arun(client.aclose())
