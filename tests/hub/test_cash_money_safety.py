"""Cash that moved is never reported as failed, and a draft or a request that exists is never
made twice (real sandbox + hub; faults injected into the desk's transports only):

* the till's count fails after DCM confirmed (hub down): the receipt comes, flagged; the hub
  counts the payment itself on its next till read;
* the receipt's read fails after DCM confirmed: a receipt without its body, read later from
  the dialog's Receipt button (which says so and stays when that read fails too);
* a confirm whose answer and read-back were both lost: the next press meets the hub's "no
  longer a draft" and reads the payment — the reconciled receipt, no second confirm;
* the hub's check of a new draft fails: the draft is not forgotten, the next Create finds
  and checks the same one;
* a four-eyes filing whose answer was lost: "Ask a supervisor again" sends the same id.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fe_helpers import ADMIN, TillWorld, password_of, till_world
from hub_proc import PASSWORD, add_employee
from till_helpers import customer, status
from till_open import open_cosigned

from teller_app.core.approvals import Actor, ApprovalService
from teller_app.core.cash import (
    CashKind,
    CashService,
    ConfirmInDoubt,
    DraftNotChecked,
    find_processing_account,
    new_cash_nonce,
)
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.session import HubLink
from teller_app.core.till import TillService
from teller_app.core.till_cash import HubCash
from teller_app.platform import PasswordLogin, PlatformClient, RetryPolicy, Timeout
from teller_app.platform.hub_client import HubClient
from teller_app.ui.async_op import OpRunner

World = TillWorld
ONCE = RetryPolicy(attempts=1)  # a fault shows at once (the real clients retry idempotent calls)


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with till_world(tmp_path_factory.mktemp("cash-safety-hub"), sandbox, hub_db) as w:
        yield w


@pytest.fixture()
def ops(qloop: Any) -> OpRunner:
    return OpRunner()


class Faults(httpx.AsyncBaseTransport):
    """The real transport; a request matching an armed rule is refused before it leaves
    ("refuse") or reaches the server and its answer is lost ("lose")."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.rules: dict[tuple[str, str], str] = {}  # (method, path regex) -> mode
        self.sent: list[tuple[str, str, bytes]] = []  # what reached the server

    def arm(self, method: str, pattern: str, mode: str = "refuse") -> None:
        self.rules[(method, pattern)] = mode

    def disarm(self) -> None:
        self.rules.clear()

    def count(self, method: str, pattern: str) -> int:
        return sum(1 for m, p, _b in self.sent if m == method and re.search(pattern, p))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        mode = next((mode for (method, pattern), mode in self.rules.items()
                     if request.method == method and re.search(pattern, request.url.path)),
                    None)
        if mode == "refuse":
            raise httpx.ConnectError("connection refused", request=request)
        response = await self.inner.handle_async_request(request)
        self.sent.append((request.method, request.url.path, request.content))
        if mode == "lose":
            await response.aread()
            raise httpx.ReadTimeout("read timed out", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


TILL_COUNT = r"/tills/current/operations$"
AUTHORIZE = r"/cash/authorize$"
REQUESTS = r"/api/v1/requests$"
CONFIRM = r"/payments/confirm$"
CREATE = r"/payments$"


@dataclass
class Desk:
    """One teller's desk with an open till: DCM and hub clients behind ``Faults``."""

    dcm: PlatformClient
    hub: HubClient
    sup_hub: HubClient
    dcm_faults: Faults
    hub_faults: Faults
    till: TillService
    service: CashService
    teller: str

    async def aclose(self) -> None:
        for c in (self.dcm, self.hub, self.sup_hub):
            await c.aclose()


async def _desk(w: World, sandbox: SandboxProcess, code: str) -> Desk:
    with w.hub.client() as http:
        teller = add_employee(http, w.hub, roles=["Teller"], branch_guid=w.b0)
    dcm_faults, hub_faults = Faults(), Faults()
    dcm = PlatformClient(sandbox.base_url, sandbox.counterparty_guid, transport=dcm_faults,
                         retry=ONCE, auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))
    hub = HubClient(w.hub.base_url, transport=hub_faults, retry=ONCE)
    sup_hub = HubClient(w.hub.base_url)
    await hub.open_password_session(teller, PASSWORD)
    await sup_hub.open_password_session(w.sup, PASSWORD)
    till = TillService(hub, f"desk-{code}")
    await open_cosigned(till, sup_hub, code, {"note_100": 1})
    gate = HubCash(hub, till)
    service = CashService(dcm, w.b0, await find_processing_account(dcm, w.b0), Decimal(10000),
                          policy=gate, gate=gate)
    return Desk(dcm, hub, sup_hub, dcm_faults, hub_faults, till, service, teller)


def _payment(guid: str) -> str:
    return rf"/payments/{re.escape(guid)}$"


async def _confirm_scenario(w: World, sandbox: SandboxProcess, cust: str) -> None:
    desk = await _desk(w, sandbox, "T-safe-core")
    service, faults = desk.service, desk.dcm_faults
    try:
        # the till's count fails (hub down) after DCM confirmed: the receipt, flagged
        draft = await service.create(CashKind.DEPOSIT, cust, "10.00")
        desk.hub_faults.arm("POST", TILL_COUNT)
        receipt = await service.confirm(draft.payment_guid)
        desk.hub_faults.disarm()
        assert receipt.status == "CONFIRMED" and receipt.payment is not None
        assert receipt.till_count_pending and status(sandbox, draft.payment_guid) == "CONFIRMED"
        now = await desk.till.current()  # the hub counts it itself
        assert now is not None and now.expected == Decimal("110.00")

        # the receipt's read fails after DCM confirmed: confirmed, without its body
        draft = await service.create(CashKind.DEPOSIT, cust, "20.00")
        faults.arm("GET", _payment(draft.payment_guid))
        receipt = await service.confirm(draft.payment_guid, amount=draft.amount,
                                        kind=draft.kind)
        faults.disarm()
        assert (receipt.status, receipt.payment, receipt.amount, receipt.kind) == (
            "CONFIRMED", None, Decimal("20.00"), CashKind.DEPOSIT)
        assert not receipt.till_count_pending and faults.count("POST", CONFIRM) == 2
        full = await service.receipt(draft.payment_guid)
        assert full.payment is not None and len(full.stellar_hash) == 64

        # the confirm's answer and its read-back are both lost: not known yet, so it raises
        # (in doubt, the lost answer as its cause); the next press meets the hub's "no
        # longer a draft" and reads the payment
        draft = await service.create(CashKind.DEPOSIT, cust, "30.00")
        faults.arm("POST", CONFIRM, "lose")
        faults.arm("GET", _payment(draft.payment_guid))
        with pytest.raises(ConfirmInDoubt) as doubt:
            await service.confirm(draft.payment_guid)
        assert isinstance(doubt.value.cause, Timeout)
        faults.disarm()
        again = await service.confirm(draft.payment_guid)
        assert again.reconciled and again.status == "CONFIRMED" and not again.till_count_pending
        assert faults.count("POST", CONFIRM) == 3  # never sent twice
        now = await desk.till.current()
        assert now is not None and now.expected == Decimal("160.00")

        # a supervisor's in-place confirm, then the till's count fails: still the receipt
        draft = await service.create(CashKind.DEPOSIT, cust, "40.00")
        supervisor = CashService(desk.dcm, w.b0, "", Decimal(0), True)
        desk.hub_faults.arm("POST", TILL_COUNT)
        faults.arm("GET", _payment(draft.payment_guid))
        done = await service.supervised(draft.payment_guid,
                                        lambda: supervisor.confirm(draft.payment_guid),
                                        amount=draft.amount, kind=draft.kind)
        assert (done.status, done.amount, done.kind, done.payment) == (
            "CONFIRMED", Decimal("40.00"), CashKind.DEPOSIT, None)
        assert done.till_count_pending
    finally:
        await desk.aclose()


def test_a_confirmed_payment_is_never_reported_as_failed(world: World,
                                                         sandbox: SandboxProcess) -> None:
    cust, _account = customer(sandbox, world.b0)
    asyncio.run(_confirm_scenario(world, sandbox, cust))


async def _check_scenario(w: World, sandbox: SandboxProcess, cust: str) -> None:
    desk = await _desk(w, sandbox, "T-safe-check")
    try:
        nonce = new_cash_nonce()
        desk.hub_faults.arm("POST", AUTHORIZE)
        with pytest.raises(DraftNotChecked) as unchecked:
            await desk.service.create(CashKind.DEPOSIT, cust, "15.00", nonce=nonce)
        desk.hub_faults.disarm()
        guid = unchecked.value.payment_guid
        assert status(sandbox, guid) == "CREATED"
        again = await desk.service.create(CashKind.DEPOSIT, cust, "15.00", nonce=nonce,
                                          retry=True)
        assert again.payment_guid == guid and desk.dcm_faults.count("POST", CREATE) == 1
    finally:
        await desk.aclose()


def test_a_draft_whose_check_failed_is_found_again(world: World,
                                                   sandbox: SandboxProcess) -> None:
    cust, _account = customer(sandbox, world.b0)
    asyncio.run(_check_scenario(world, sandbox, cust))


# -- the dialog ---------------------------------------------------------------------------
def _dialog(qtbot: Any, ops: OpRunner, arun: Any, desk: Desk, cust: str,
            approvals: ApprovalService | None = None) -> Any:
    from teller_app.ui.cash_dialog import CashDialog

    dialog = CashDialog(ops, desk.service, arun(desk.dcm.get_customer(cust)), CashKind.DEPOSIT,
                        approvals=approvals)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    return dialog


def _enter(qtbot: Any, dialog: Any, amount: str) -> None:
    dialog.amount.setText(amount)
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)


def test_dialog_done_without_receipt_or_till_count(world: World, sandbox: SandboxProcess,
                                                   qtbot: Any, arun: Any,
                                                   ops: OpRunner) -> None:
    cust, _account = customer(sandbox, world.b0)
    desk = arun(_desk(world, sandbox, "T-safe-ui"))
    try:
        dialog = _dialog(qtbot, ops, arun, desk, cust)
        _enter(qtbot, dialog, "12.30")
        with qtbot.waitSignal(dialog.draft_created, timeout=10000) as created:
            dialog.create_button.click()
        guid = created.args[0].payment_guid
        desk.hub_faults.arm("POST", TILL_COUNT)
        desk.dcm_faults.arm("GET", _payment(guid))
        with qtbot.waitSignal(dialog.confirmed, timeout=10000) as confirmed:
            dialog.confirm_button.click()
        receipt = confirmed.args[0]
        assert receipt.payment is None and receipt.till_count_pending
        assert receipt.amount == Decimal("12.30")
        note = dialog.note.text()
        assert "Payment confirmed." in note and "next reads from the Teller Hub" in note
        assert "press Receipt" in note and not dialog.error.text()
        assert dialog.receipt_button.isVisible() and not dialog.confirm_button.isVisible()
        assert status(sandbox, guid) == "CONFIRMED"

        dialog.receipt_button.click()  # the platform still cannot be read: says so, stays
        qtbot.waitUntil(lambda: "could not be read" in dialog.error.text(), timeout=10000)
        qtbot.waitUntil(dialog.receipt_button.isEnabled, timeout=5000)
        assert dialog.receipt_button.isVisible() and dialog.receipt_dialog is None
        desk.dcm_faults.disarm()
        desk.hub_faults.disarm()
        with qtbot.waitSignal(dialog.receipt_shown, timeout=10000) as shown:
            dialog.receipt_button.click()
        assert shown.args[0].amount == Decimal("12.30") and not dialog.error.text()
        assert dialog.receipt is not None and dialog.receipt.payment is not None
        assert dialog.receipt.till_count_pending  # still what happened at the confirm
    finally:
        arun(desk.aclose())


def test_dialog_create_whose_check_failed_finds_the_same_draft(
        world: World, sandbox: SandboxProcess, qtbot: Any, arun: Any, ops: OpRunner) -> None:
    cust, _account = customer(sandbox, world.b0)
    desk = arun(_desk(world, sandbox, "T-safe-create"))
    try:
        dialog = _dialog(qtbot, ops, arun, desk, cust)
        _enter(qtbot, dialog, "21.00")
        desk.hub_faults.arm("POST", AUTHORIZE)
        dialog.create_button.click()
        qtbot.waitUntil(lambda: "could not be checked" in dialog.note.text(), timeout=10000)
        assert dialog.error.text() and dialog.amount.isReadOnly() and dialog.draft is None
        desk.hub_faults.disarm()
        qtbot.waitUntil(dialog.create_button.isEnabled, timeout=5000)
        with qtbot.waitSignal(dialog.draft_created, timeout=10000) as created:
            dialog.create_button.click()
        guid = created.args[0].payment_guid
        assert desk.dcm_faults.count("POST", CREATE) == 1  # one draft, found again
        assert guid[:8] in dialog.reference.text() and dialog.confirm_button.isVisible()
    finally:
        arun(desk.aclose())


def test_dialog_files_again_with_the_same_request_id(world: World, sandbox: SandboxProcess,
                                                     qtbot: Any, arun: Any,
                                                     ops: OpRunner) -> None:
    cust, _account = customer(sandbox, world.b0)
    desk = arun(_desk(world, sandbox, "T-safe-file"))
    try:
        approvals = ApprovalService(HubLink(desk.hub, desk.dcm), Actor(desk.teller, world.b0),
                                    desk.dcm)
        dialog = _dialog(qtbot, ops, arun, desk, cust, approvals)
        _enter(qtbot, dialog, "15000.10")
        desk.hub_faults.arm("POST", REQUESTS, "lose")  # filed on the hub, the answer lost
        with qtbot.waitSignal(dialog.draft_created, timeout=10000) as created:
            dialog.create_button.click()
        guid = created.args[0].payment_guid
        qtbot.waitUntil(dialog.refile_button.isVisible, timeout=10000)
        assert not dialog.confirm_button.isVisible() and not dialog.supervisor_button.isVisible()
        assert dialog.error.text()
        sent = [json.loads(body) for m, p, body in desk.hub_faults.sent
                if m == "POST" and re.search(REQUESTS, p)]
        assert len(sent) == 1 and sent[0]["change"]["payment_guid"] == guid
        desk.hub_faults.disarm()
        approval = dialog.approval
        assert approval is not None
        with qtbot.waitSignal(approval.filed, timeout=10000) as filed:
            dialog.refile_button.click()
        assert filed.args[0].id == sent[0]["id"]
        assert not dialog.refile_button.isVisible() and not dialog.error.text()
        ids = [json.loads(body)["id"] for m, p, body in desk.hub_faults.sent
               if m == "POST" and re.search(REQUESTS, p)]
        assert ids == [sent[0]["id"]] * 2
        sup = ApprovalService(HubLink(desk.sup_hub, desk.dcm), Actor(world.sup, world.b0, True))
        mine = [r for r in arun(sup.pending()) if r.change.get("payment_guid") == guid]
        assert [r.id for r in mine] == [sent[0]["id"]]  # one request on the hub
    finally:
        arun(desk.aclose())
