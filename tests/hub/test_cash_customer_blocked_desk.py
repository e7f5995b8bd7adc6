"""The audit's scenario S5 at the desk (``probe_cash.py``): a supervisor sets a customer's
status to "blocked" and a teller then withdraws 100 through the hub's cash gate. The hub
refuses (``customer_blocked``): a draft made after the block is never allowed, one made
before it is never confirmed, and the teller reads why in their language — the cash
dialog says it where it says "the customer is disabled" and keeps Create off; a refused
``cash_confirm`` filing is worded the same. The desk decides nothing: an active customer
goes ahead. Real sandbox and hub over HTTP, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fe_helpers import ADMIN, TillWorld, open_cash_desk, password_of, till_world
from hub_proc import PASSWORD
from till_helpers import customer, status

from teller_app.core.cash import CashKind, DraftNotChecked
from teller_app.core.cash_checks import CashRefused, customer_blocked
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import PasswordLogin, PlatformClient, PlatformError
from teller_app.platform.hub_client import HubClient
from teller_app.platform.models import CustomerUpdate
from teller_app.ui.async_op import OpRunner

BLOCKED_TEXT = ("The customer is blocked or closed at the bank: no cash deposit or "
                "withdrawal until their status is changed back.")


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TillWorld]:
    with till_world(tmp_path_factory.mktemp("cash-blocked-desk"), sandbox, hub_db) as w:
        yield w


@pytest.fixture()
def ops(qloop: Any) -> OpRunner:
    return OpRunner()


@pytest.fixture()
def desk(world: TillWorld, sandbox: SandboxProcess, arun: Any) -> Iterator[Any]:
    """(DCM client, the teller's hub client, the open cash desk)."""
    dcm = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                         auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))
    teller_hub, sup_hub = HubClient(world.hub.base_url), HubClient(world.hub.base_url)
    try:
        arun(teller_hub.open_password_session(world.teller, PASSWORD))
        arun(sup_hub.open_password_session(world.sup, PASSWORD))
        cash = arun(open_cash_desk(dcm, world.b0, teller_hub, sup_hub, "T-S5", "desk-S5"))
        yield dcm, teller_hub, cash
    finally:
        for c in (teller_hub, sup_hub, dcm):
            arun(c.aclose())


def _hub_refusal(exc: BaseException) -> CashRefused:
    cause = exc.cause if isinstance(exc, DraftNotChecked) else exc
    assert isinstance(cause, CashRefused), repr(exc)
    assert customer_blocked(cause.refusal), cause.refusal
    return cause


def test_s5_no_cash_for_a_blocked_customer(world: TillWorld, sandbox: SandboxProcess,
                                           arun: Any, desk: Any, qtbot: Any) -> None:
    from teller_app.ui.cash_text import cash_error_text
    from teller_app.ui.error_text import friendly_message

    dcm, teller_hub, cash = desk
    svc = cash.service
    cust, _account = customer(sandbox, world.b0)
    arun(svc.confirm(arun(svc.create(CashKind.DEPOSIT, cust, "1000.00")).payment_guid))
    before = arun(svc.create(CashKind.WITHDRAWAL, cust, "50.00"))  # checked while active
    assert not before.needs_supervisor

    arun(dcm.update_customer(cust, CustomerUpdate(status="blocked")))  # "Blocking"
    with pytest.raises(DraftNotChecked) as made:  # S5: "A withdraws 100" — refused
        arun(svc.create(CashKind.WITHDRAWAL, cust, "100.00"))
    _hub_refusal(made.value)
    assert cash_error_text(made.value) == BLOCKED_TEXT
    assert status(sandbox, made.value.payment_guid) == "CREATED"  # made, never allowed
    with pytest.raises(CashRefused) as confirmed:  # the stale draft: never confirmed
        arun(svc.confirm(before.payment_guid))
    _hub_refusal(confirmed.value)
    assert cash_error_text(confirmed.value) == BLOCKED_TEXT
    assert status(sandbox, before.payment_guid) == "CREATED"
    with pytest.raises(DraftNotChecked) as deposit:  # and no cash in either
        arun(svc.create(CashKind.DEPOSIT, cust, "10.00"))
    _hub_refusal(deposit.value)

    arun(dcm.update_customer(cust, CustomerUpdate(status="active")))  # lifted
    receipt = arun(svc.confirm(before.payment_guid))
    assert receipt.amount == Decimal("50.00")
    assert status(sandbox, before.payment_guid) == "CONFIRMED"

    other, _ = customer(sandbox, world.b0)
    over = arun(svc.create(CashKind.DEPOSIT, other, "15000.00"))
    assert over.needs_supervisor
    arun(dcm.update_customer(other, CustomerUpdate(status="closed")))
    with pytest.raises(PlatformError) as filed:  # a four-eyes filing meets the same rule
        arun(teller_hub.call("POST", "/api/v1/requests", json_body={
            "kind": "cash_confirm", "customer_guid": other, "reason": "cash in",
            "change": {"payment_guid": over.payment_guid, "amount": "15000.00"}}))
    assert filed.value.reason == "customer_blocked" and filed.value.source == "hub"
    assert friendly_message(filed.value) == BLOCKED_TEXT


def test_the_cash_dialog_says_the_customer_is_blocked(world: TillWorld,
                                                      sandbox: SandboxProcess, arun: Any,
                                                      desk: Any, qtbot: Any,
                                                      ops: OpRunner) -> None:
    from teller_app.ui.cash_dialog import CashDialog

    dcm, _teller_hub, cash = desk
    cust, _account = customer(sandbox, world.b0)
    arun(dcm.update_customer(cust, CustomerUpdate(status="blocked")))
    for kind in (CashKind.WITHDRAWAL, CashKind.DEPOSIT):
        dialog = CashDialog(ops, cash.service, arun(dcm.get_customer(cust)), kind)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda d=dialog: d.context is not None, timeout=10000)
        dialog.amount.setText("100")
        qtbot.waitUntil(lambda d=dialog: BLOCKED_TEXT in d.error.text(), timeout=10000)
        assert not dialog.create_button.isEnabled()
        assert dialog.supervisor_label.text() == "—"
        dialog.amount.setText("120")  # typed on: said once, Create still off
        qtbot.waitUntil(lambda d=dialog: not ops.is_busy(d._policy_key()), timeout=10000)
        qtbot.waitUntil(lambda d=dialog: BLOCKED_TEXT in d.error.text(), timeout=10000)
        assert dialog.error.text().count(BLOCKED_TEXT) == 1
        assert not dialog.create_button.isEnabled()
        dialog.close()
    # the hub decides: the same customer, active again, may have cash
    arun(dcm.update_customer(cust, CustomerUpdate(status="active")))
    dialog = CashDialog(ops, cash.service, arun(dcm.get_customer(cust)), CashKind.DEPOSIT)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    dialog.amount.setText("100")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    assert not dialog.error.text() and dialog.supervisor_label.text().startswith("No")
