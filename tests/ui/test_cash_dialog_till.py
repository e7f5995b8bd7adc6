"""With the Teller Hub cash moves only through an open till: the cash dialog of a teller with
no open till says so as soon as it opens (before any amount), in plain words naming the Till
menu's own item, once (the hub's refusal for a typed amount is the same line), and Create stays
off; with the till open nothing is said. Real sandbox + hub (SQLite) over HTTP."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hub"))

from fe_helpers import ADMIN, TillWorld, open_cash_desk, password_of, till_world
from hub_proc import PASSWORD
from till_helpers import customer

from teller_app.core.cash import CashKind, CashService, find_processing_account
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.till import TillService
from teller_app.core.till_cash import HubCash
from teller_app.platform import PasswordLogin, PlatformClient
from teller_app.platform.hub_client import HubClient
from teller_app.platform.models import Customer
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cash_dialog import CashDialog

OPEN_TILL = "Open your till first (Till → Open the till)."


@pytest.fixture(scope="module")
def world(sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TillWorld]:
    with till_world(tmp_path_factory.mktemp("cash-till"), sandbox, None) as w:
        yield w


def _dialog(qtbot: Any, ops: OpRunner, service: CashService, guid: str) -> CashDialog:
    dialog = CashDialog(ops, service, Customer(wallet_user_guid=guid), CashKind.DEPOSIT)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_no_open_till_is_said_when_the_dialog_opens(world: TillWorld, sandbox: SandboxProcess,
                                                    qtbot: Any, arun: Any, ops: OpRunner,
                                                    english: None) -> None:
    cust, _account = customer(sandbox, world.b0)
    teller_hub, sup_hub = HubClient(world.hub.base_url), HubClient(world.hub.base_url)
    dcm = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                         auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))
    try:
        arun(teller_hub.open_password_session(world.teller, PASSWORD))
        arun(sup_hub.open_password_session(world.sup, PASSWORD))
        gate = HubCash(teller_hub, TillService(teller_hub, "no-till-desk"))
        service = CashService(dcm, world.b0, arun(find_processing_account(dcm, world.b0)),
                              Decimal(10000), policy=gate, gate=gate)
        dialog = _dialog(qtbot, ops, service, cust)
        qtbot.waitUntil(lambda: dialog.error.text() == OPEN_TILL, timeout=15000)
        assert dialog.amount.text() == "" and dialog.error.isVisible()
        assert not dialog.create_button.isEnabled()
        qtbot.keyClicks(dialog.amount, "100")  # the hub refuses it for the same reason
        qtbot.waitUntil(lambda: not ops.is_busy(dialog._policy_key()), timeout=15000)
        assert dialog.error.text() == OPEN_TILL and not dialog.create_button.isEnabled()
        dialog.close()

        # the till opened: the dialog says nothing of it and the amount can go ahead
        opened = arun(open_cash_desk(dcm, world.b0, teller_hub, sup_hub, "T-dlg", "dlg-desk"))
        dialog = _dialog(qtbot, ops, opened.service, cust)
        qtbot.waitUntil(lambda: dialog.context is not None, timeout=15000)
        qtbot.keyClicks(dialog.amount, "100")
        qtbot.waitUntil(dialog.create_button.isEnabled, timeout=15000)
        assert dialog.error.text() == "" and dialog.till_problem == ""
        dialog.close()
    finally:
        for client in (teller_hub, sup_hub, dcm):
            arun(client.aclose())
