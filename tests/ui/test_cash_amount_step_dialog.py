"""Cash through the hub's till goes in steps of its smallest coin (0.10 UAH): the cash dialog
says so under the amount before any draft is made (naming the amounts around the one typed)
and keeps Create off; the desk never makes such a draft; a refusal of the hub's that comes
anyway (a draft made around the desk) is worded, not shown as the hub's English. A desk with
no hub (no till) is not held to it. Real sandbox + hub (SQLite) over HTTP."""

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
from till_helpers import customer, draft

from teller_app.core.cash import AmountError, CashKind, CashService
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import PasswordLogin, PlatformClient, ValidationError
from teller_app.platform.hub_client import HubClient
from teller_app.ui.async_op import OpRunner

STEP_LINE = "Cash is paid in steps of 0.10\u00a0UAH: enter 75.50 or 75.60."


@pytest.fixture(scope="module")
def world(sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TillWorld]:
    with till_world(tmp_path_factory.mktemp("cash-step-ui"), sandbox, None) as w:
        yield w


@pytest.fixture()
def desk(world: TillWorld, sandbox: SandboxProcess, arun: Any) -> Iterator[Any]:
    teller_hub, sup_hub = HubClient(world.hub.base_url), HubClient(world.hub.base_url)
    dcm = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                         auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))
    try:
        arun(teller_hub.open_password_session(world.teller, PASSWORD))
        arun(sup_hub.open_password_session(world.sup, PASSWORD))
        cash_desk = arun(open_cash_desk(dcm, world.b0, teller_hub, sup_hub, "T-step-ui",
                                        "step-desk"))
        yield cash_desk, dcm
        arun(cash_desk.till.close({"note_100": 1}))  # nothing moved: the next test opens it
    finally:
        for c in (teller_hub, sup_hub, dcm):
            arun(c.aclose())


def _dialog(qtbot: Any, ops: OpRunner, arun: Any, service: CashService, dcm: PlatformClient,
            cust: str) -> Any:
    from teller_app.ui.cash_dialog import CashDialog

    dialog = CashDialog(ops, service, arun(dcm.get_customer(cust)), CashKind.DEPOSIT)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    return dialog


def test_the_dialog_says_the_step_before_a_draft(world: TillWorld, sandbox: SandboxProcess,
                                                 desk: Any, qtbot: Any, arun: Any,
                                                 ops: OpRunner, english: None) -> None:
    cash_desk, dcm = desk
    cust, _account = customer(sandbox, world.b0)
    dialog = _dialog(qtbot, ops, arun, cash_desk.service, dcm, cust)
    dialog.amount.setText("75.50")  # on the step: the hub is asked, Create is on
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    assert not dialog.error.text()
    dialog.amount.setText("75.55")
    qtbot.waitUntil(lambda: dialog.error.text() == STEP_LINE, timeout=10000)
    assert not dialog.create_button.isEnabled() and dialog.supervisor_label.text() == "—"
    dialog.submit()  # Enter: nothing is made
    assert dialog.draft is None and not ops.is_busy(dialog._policy_key())
    dialog.amount.setText("0.05")
    qtbot.waitUntil(lambda: dialog.error.text() == "Cash is paid in steps of 0.10\u00a0UAH: "
                    "enter 0.10.", timeout=10000)
    assert not dialog.create_button.isEnabled()
    dialog.amount.setText("75.60")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    assert not dialog.error.text()
    # the desk's service makes no draft off the step either (the hub would refuse it)
    with pytest.raises(AmountError) as refused:
        arun(cash_desk.service.create(CashKind.DEPOSIT, cust, "75.55"))
    assert refused.value.reason == "cash_amount_step"
    # without the hub there is no till to count: the desk does not hold the amount to it
    bare = CashService(dcm, world.b0, cash_desk.service.processing_account_guid,
                       Decimal(10000))
    no_till = _dialog(qtbot, ops, arun, bare, dcm, cust)
    no_till.amount.setText("75.55")
    qtbot.waitUntil(no_till.create_button.isEnabled, timeout=10000)
    assert not no_till.error.text()


def test_the_hubs_refusal_is_worded(world: TillWorld, sandbox: SandboxProcess, desk: Any,
                                    qtbot: Any, arun: Any, ops: OpRunner,
                                    english: None) -> None:
    from teller_app.ui.cash_step_text import cash_dialog_error

    cash_desk, dcm = desk
    cust, account = customer(sandbox, world.b0)
    around = draft(sandbox, world.b0, account, "75.55")  # made around the desk
    with pytest.raises(ValidationError) as refused:
        arun(cash_desk.gate.before_confirm(around))
    exc = refused.value
    assert exc.reason == "cash_amount_step" and exc.source == "hub"
    assert cash_dialog_error(exc, Decimal("75.55"), 2, "UAH") == STEP_LINE
    said = cash_dialog_error(exc, None, 2, "UAH", drafted=True)
    assert said == ("Cash is paid in steps of 0.10\u00a0UAH: the Teller Hub refuses an amount "
                    "no till can count.")
    dialog = _dialog(qtbot, ops, arun, cash_desk.service, dcm, cust)
    dialog._show_error(exc)  # a confirm of a draft off the step, refused by the hub
    assert dialog.error.text() == said

