"""The supervisor's inbox and the teller's cash dialog, live over the hub (issue 15): an
over-threshold deposit becomes a four-eyes request the moment the draft exists; the inbox's
cash drafts show the customer's name, the teller's name and the amount in the locale's money
format, and leave on their own when decided (a draft with a request is listed once: as that
request, named the same); a supervisor decides in place at the teller's desk (wrong
credentials refused by the hub) and the teller's dialog settles live — the receipt, and the
balance right to the kopiyka. Real sandbox + hub, both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fe_helpers import ADMIN, TillWorld, open_cash_desk, password_of, till_world
from hub_proc import PASSWORD, add_employee
from till_helpers import customer, status

from teller_app.core.approvals import Actor, ApprovalService
from teller_app.core.approvals_feed import EventFeed
from teller_app.core.cash import CashKind, CashService
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.session import HubLink
from teller_app.core.till import TillService
from teller_app.core.till_cash import HubCash
from teller_app.platform import PasswordLogin, PlatformClient
from teller_app.platform.hub_client import HubClient
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.async_op import OpRunner

TELLER_NAME = "Оксана Касирська"


World = TillWorld


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with till_world(tmp_path_factory.mktemp("cash-inbox-hub"), sandbox, hub_db,
                    teller_name=TELLER_NAME) as w:
        yield w


@pytest.fixture()
def ops(qloop: Any) -> OpRunner:
    return OpRunner()


def _balance(arun: Any, dcm: PlatformClient, cust: str) -> Decimal:
    accounts = arun(dcm.get_customer_accounts(cust))
    return Decimal(next(iter(getattr(accounts, "accounts", accounts))).assets[0].balance)


def test_inbox_names_live_and_in_place_approval(world: World, sandbox: SandboxProcess,
                                                qtbot: Any, arun: Any, ops: OpRunner) -> None:
    from PySide6.QtCore import QLocale

    from teller_app.ui.approvals_inbox import ApprovalsInbox
    from teller_app.ui.cash_dialog import CashDialog
    from teller_app.ui.money import format_money

    QLocale.setDefault(QLocale(QLocale.Language.Ukrainian, QLocale.Country.Ukraine))
    cust, _account = customer(sandbox, world.b0)  # "Мельник Олена"
    teller_hub, sup_hub = HubClient(world.hub.base_url), HubClient(world.hub.base_url)
    dcm = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                         auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))
    feeds: list[EventFeed] = []
    tasks: list[asyncio.Task[None]] = []
    try:
        arun(teller_hub.open_password_session(world.teller, PASSWORD))
        arun(sup_hub.open_password_session(world.sup, PASSWORD))
        desk = arun(open_cash_desk(dcm, world.b0, teller_hub, sup_hub, "T-live", "live-desk"))
        till, gate, service = desk.till, desk.gate, desk.service
        sup = ApprovalService(HubLink(sup_hub, dcm), Actor(world.sup, world.b0, True), None,
                              "sup")
        inbox = ApprovalsInbox(ops, lambda: sup, cash=lambda: CashService(
            dcm, world.b0, "", Decimal(10000), gate=HubCash(sup_hub)))
        qtbot.addWidget(inbox)

        async def in_place(email: str, password: str, request: ChangeRequest, outcome: str,
                           comment: str) -> ChangeRequest:
            """The supervisor's own hub session decides (the hub checks the password)."""
            hub = HubClient(world.hub.base_url)
            try:
                await hub.open_password_session(email, password)
                mine = ApprovalService(HubLink(hub, dcm), Actor(email, world.b0, True))
                return await (mine.approve(request, comment) if outcome == "approved"
                              else mine.reject(request, comment))
            finally:
                await hub.aclose()

        dialog = CashDialog(ops, service, arun(dcm.get_customer(cust)), CashKind.DEPOSIT,
                            approvals=ApprovalService(HubLink(teller_hub, dcm),
                                                      Actor(world.teller, world.b0), dcm),
                            decide_in_place=in_place)
        qtbot.addWidget(dialog)
        loop = asyncio.get_event_loop()
        for hub, deliver in ((teller_hub, dialog.on_hub_event), (sup_hub, inbox.on_event)):
            feed = EventFeed(HubLink(hub, dcm))
            feeds.append(feed)
            tasks.append(loop.create_task(feed.run(deliver)))
        qtbot.waitUntil(lambda: all(f.connected for f in feeds), timeout=15000)
        inbox.start()
        with qtbot.waitSignal(inbox.drafts.shown, timeout=15000):
            pass

        qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
        before = _balance(arun, dcm, cust)
        dialog.amount.setText("15000,10")
        qtbot.waitUntil(lambda: dialog.create_button.isEnabled(), timeout=10000)
        with qtbot.waitSignal(dialog.approval.filed, timeout=15000) as filed:  # type: ignore[union-attr]
            dialog.create_draft()
        request: ChangeRequest = filed.args[0]
        guid = request.change["payment_guid"]
        # the inbox shows its request live, named and formatted: the one place to decide it,
        # so the drafts below do not list the draft again
        drafts, model = inbox.drafts, inbox.model
        qtbot.waitUntil(lambda: request.id in inbox.pending_ids(), timeout=15000)

        def cell(column: int) -> str:
            row = model.pending_ids().index(request.id)
            return str(model.data(model.index(row, column))).strip("\u2068\u2069")

        qtbot.waitUntil(lambda: cell(model.CUSTOMER_COLUMN) == "Мельник Олена"
                        and cell(model.MAKER_COLUMN) == TELLER_NAME, timeout=15000)
        # what the draft is, not only its amount: a deposit, in the locale's money format
        assert cell(model.CHANGE_COLUMN) in (
            f"{kind}: {format_money(Decimal('15000.10'), 2, 'UAH')}"
            for kind in ("Касове поповнення", "Cash deposit")), cell(model.CHANGE_COLUMN)
        assert all(d.payment_guid != guid for d in drafts.rows)

        # in place at the teller's desk: a wrong password is refused by the hub
        assert dialog.supervisor_button.isVisibleTo(dialog)
        dialog.open_supervisor_confirm()
        place = dialog.approval.dialog  # type: ignore[union-attr]
        assert place is not None
        place.email.setText(world.sup)
        place.password.setText("wrong-password")
        place.approve_button.click()
        qtbot.waitUntil(lambda: place.error.text() != "", timeout=15000)
        assert status(sandbox, guid) == "CREATED"
        place.email.setText(world.sup)
        place.password.setText(PASSWORD)
        with qtbot.waitSignal(dialog.confirmed, timeout=20000) as confirmed:
            place.approve_button.click()
        assert confirmed.args[0].status.upper() == "CONFIRMED"
        assert _balance(arun, dcm, cust) == before + Decimal("15000.10")
        # … and the inbox lets it go by itself
        qtbot.waitUntil(lambda: all(d.payment_guid != guid for d in drafts.rows)
                        and request.id not in inbox.pending_ids(), timeout=15000)
        now = arun(till.current())
        assert now is not None and now.expected == Decimal("15100.10")

        # a supervisor rejects a waiting draft from the panel: the hub voids it
        other = arun(service.create(CashKind.DEPOSIT, cust, "12000.00"))
        drafts.refresh()
        qtbot.waitUntil(lambda: any(d.payment_guid == other.payment_guid for d in drafts.rows),
                        timeout=15000)
        # its Reject shows with a listed draft (none listed: the panel is one line)
        assert drafts.reject_button.isVisibleTo(inbox) and not drafts.confirm_button.isVisibleTo(
            inbox)
        # a draft with no request is listed below, named and formatted
        row = next(i for i, d in enumerate(drafts.rows) if d.payment_guid == other.payment_guid)
        cells = [drafts.table.item(row, c).text().strip("\u2068\u2069") for c in range(5)]
        assert cells[0] == "Мельник Олена" and cells[1] == TELLER_NAME, cells
        assert cells[2] == "Касове поповнення" or cells[2] == "Cash deposit", cells
        assert cells[3] == format_money(Decimal("12000.00"), 2, "UAH") == "12\u00a0000,00\u00a0₴"
        drafts.table.selectRow(row)
        drafts.reject_selected("  ")
        drafts.reject_selected("the customer left")
        qtbot.waitUntil(lambda: all(d.payment_guid != other.payment_guid for d in drafts.rows),
                        timeout=15000)
        assert arun(gate.authorize(other.payment_guid))["reasons"] == ["voided"]
    finally:
        for feed in feeds:
            feed.stop()
        for task in tasks:
            task.cancel()
        for c in (teller_hub, sup_hub, dcm):
            arun(c.aclose())
        QLocale.setDefault(QLocale.c())


def test_till_cosign_in_place(world: World, qtbot: Any, arun: Any, ops: OpRunner) -> None:
    """A differing opening count co-signed at the teller's desk: the supervisor's own hub
    session co-signs (the hub checks the password and the role, not the desk)."""
    from teller_app.core.till import Till
    from teller_app.ui.till_dialog import TillOpenDialog

    with world.hub.client() as http:
        teller = add_employee(http, world.hub, roles=["Teller"], branch_guid=world.b0)
        other = add_employee(http, world.hub, roles=["Teller"], branch_guid=world.b0)
    teller_hub = HubClient(world.hub.base_url)

    async def cosign_here(email: str, password: str, till_id: str) -> Till:
        hub = HubClient(world.hub.base_url)
        try:
            await hub.open_password_session(email, password)
            return await TillService(hub, "in-place").cosign(till_id)
        finally:
            await hub.aclose()

    try:
        arun(teller_hub.open_password_session(teller, PASSWORD))
        dialog = TillOpenDialog(ops, TillService(teller_hub, "cosign-desk"), "T-here",
                                cosign_here=cosign_here)
        qtbot.addWidget(dialog)
        dialog.grid.spins["note_100"].setValue(2)
        dialog.open_button.click()
        qtbot.waitUntil(lambda: dialog.till is not None, timeout=10000)
        assert dialog.till is not None and dialog.till.needs_cosign
        assert dialog.cosign_button.isVisibleTo(dialog)
        for email, password in ((world.sup, "wrong-password"), (other, PASSWORD),
                                (teller, PASSWORD)):
            dialog.open_cosign_here()
            place = dialog.cosign_dialog
            assert place is not None
            place.email.setText(email)
            place.password.setText(password)
            place.approve_button.click()
            qtbot.waitUntil(lambda p=place: p.error.text() != "", timeout=10000)  # type: ignore[misc]
            assert place.isVisible()
            place.reject()
            assert arun(TillService(teller_hub, "cosign-desk").current()).state == "cosign"
        dialog.open_cosign_here()
        place = dialog.cosign_dialog
        assert place is not None
        place.email.setText(world.sup)
        place.password.setText(PASSWORD)
        with qtbot.waitSignal(dialog.opened, timeout=10000) as opened:
            place.approve_button.click()
        assert opened.args[0].state == "open"
        assert not dialog.cosign_button.isVisibleTo(dialog)
    finally:
        arun(teller_hub.aclose())
