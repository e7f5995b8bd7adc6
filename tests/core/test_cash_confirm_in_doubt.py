"""A confirm whose answer is lost while DCM applies it a little later (a slow platform): one
CREATED read right after it is "not known yet", never "not confirmed"; reading again settles
it, and a second press never confirms twice. The real sandbox; the late confirm is injected
in front of it (the request reaches the sandbox only when the test releases it)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest
from test_approvals_helpers import TELLER, client_for, employee, new_customer

from teller_app.core.cash import (
    CashKind,
    CashService,
    ConfirmInDoubt,
    find_processing_account,
)
from teller_app.core.cash_checks import NeedReason, SupervisorNeed
from teller_app.core.cash_settle import recheck
from teller_app.core.views import CustomerView
from teller_app.platform import PasswordLogin, PlatformClient, RetryPolicy, Unavailable
from teller_app.ui.async_op import OpRunner


class LateConfirm(httpx.AsyncBaseTransport):
    """The real sandbox, but a confirm's answer never comes and the confirm itself reaches
    the sandbox only once ``release`` is set (DCM applying it after the desk gave up)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.release = asyncio.Event()
        self.landed = asyncio.Event()
        self.confirms = 0
        self.late = True  # False: a confirm goes straight through
        self._late: set[asyncio.Task[None]] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/payments/confirm"):
            self.confirms += 1
            if not self.late:
                return await self.inner.handle_async_request(request)
            body = await request.aread()
            late = httpx.Request(request.method, request.url, headers=request.headers,
                                 content=body)
            task = asyncio.ensure_future(self._later(late))
            self._late.add(task)
            raise httpx.ReadTimeout("injected: no answer in time", request=request)
        return await self.inner.handle_async_request(request)

    async def _later(self, request: httpx.Request) -> None:
        await self.release.wait()
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.landed.set()

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _service(sandbox: Any, transport: LateConfirm) -> tuple[CashService, PlatformClient]:
    emp = employee(sandbox, TELLER)
    lossy = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                           auth=PasswordLogin(TELLER, emp["password"]), transport=transport,
                           retry=RetryPolicy(attempts=1))
    await lossy.login()
    branch = sandbox.manifest["branches"][0]["guid"]
    processing = await find_processing_account(lossy, branch)
    return CashService(lossy, branch, processing, Decimal("10000.00")), lossy


def test_a_late_confirm_is_in_doubt_then_settled_by_reading(sandbox: Any) -> None:
    async def scenario() -> None:
        transport = LateConfirm()
        client = await client_for(sandbox, TELLER)
        service, lossy = await _service(sandbox, transport)
        try:
            customer = await new_customer(client, sandbox)
            draft = await service.create(CashKind.DEPOSIT, customer, "300.00")
            with pytest.raises(ConfirmInDoubt):  # CREATED right after a lost answer
                await service.confirm(draft.payment_guid)
            with pytest.raises(ConfirmInDoubt):  # still a draft: still not known
                await recheck(service, draft.payment_guid, (0.0,))
            transport.release.set()  # DCM applies the first confirm, late
            await asyncio.wait_for(transport.landed.wait(), 20)
            receipt = await recheck(service, draft.payment_guid, (0.0,))
            assert receipt.reconciled and receipt.status == "CONFIRMED"
            assert receipt.kind is CashKind.DEPOSIT and len(receipt.stellar_hash) == 64
            # pressing Confirm again: refused by DCM as no longer a draft, read back as done
            transport.late = False
            again = await service.confirm(draft.payment_guid)
            assert again.reconciled and transport.confirms == 2
            balance = (await client.get_customer_accounts(customer))[0].assets[0].balance
            assert balance == Decimal("300.00")  # once, not twice
        finally:
            await lossy.aclose()
            await client.aclose()

    asyncio.run(scenario())


@pytest.fixture()
def ops(qloop: Any) -> OpRunner:
    return OpRunner()


def test_the_dialog_says_not_known_keeps_void_away_and_settles_by_itself(
        qtbot: Any, arun: Any, ops: OpRunner, sandbox: Any) -> None:
    from teller_app.ui.cash_dialog import CashDialog

    transport = LateConfirm()
    service, lossy = arun(_service(sandbox, transport))
    customer = arun(new_customer(lossy, sandbox))
    dialog = CashDialog(ops, service, CustomerView(customer), CashKind.DEPOSIT)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    dialog.amount.setText("250.00")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: dialog.in_doubt, timeout=10000)
    assert "not known yet" in dialog.note.text()
    assert "not confirmed" not in dialog.error.text()
    assert dialog.check_button.isVisibleTo(dialog)
    assert not dialog.void_button.isVisibleTo(dialog)
    assert not dialog.create_button.isVisibleTo(dialog)  # no new draft for this payment
    transport.release.set()  # DCM applies it late: the dialog's own re-reads find it
    qtbot.waitUntil(lambda: dialog.receipt is not None, timeout=30000)
    assert dialog.receipt is not None and dialog.receipt.reconciled
    assert not dialog.in_doubt and not dialog.check_button.isVisibleTo(dialog)
    assert transport.confirms == 1  # nothing was sent again
    arun(lossy.aclose())


class HubDownAtConfirm:
    """A hub gate that cannot be reached when asked before the confirm: nothing is sent."""

    async def assess(self, request: Any) -> SupervisorNeed:
        return SupervisorNeed(False, NeedReason.NONE, Decimal("10000"))

    async def before_confirm(self, payment_guid: str) -> SupervisorNeed:
        raise Unavailable("the Teller Hub cannot be reached (injected)")

    async def confirmed(self, payment_guid: str) -> None:
        return None

    async def voided(self, payment_guids: Any) -> set[str]:
        return set()

    async def void(self, payment_guid: str, reason: str) -> None:
        return None


def _gated_dialog(qtbot: Any, arun: Any, ops: OpRunner, sandbox: Any, gate: Any,
                  amount: str) -> tuple[Any, LateConfirm, PlatformClient]:
    """A cash dialog behind ``gate`` (a hub stand-in), its deposit draft made, re-reads at
    once: (dialog, the late-confirm transport, the client to close)."""
    from teller_app.ui.cash_dialog import CashDialog

    transport = LateConfirm()
    service, lossy = arun(_service(sandbox, transport))
    service = CashService(lossy, service.branch_guid or "", service.processing_account_guid,
                          Decimal("10000.00"), policy=gate, gate=gate)
    customer = arun(new_customer(lossy, sandbox))
    dialog = CashDialog(ops, service, CustomerView(customer), CashKind.DEPOSIT)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    dialog.amount.setText(amount)
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    return dialog, transport, lossy


def test_nothing_sent_is_no_doubt_and_void_stays(qtbot: Any, arun: Any, ops: OpRunner,
                                                   sandbox: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The hub unreachable before the confirm: no confirm reached DCM, so the dialog says
    what failed and keeps Void; a confirm whose answer was lost and whose status stays a
    draft well past it offers Void again (the hub refuses one while a confirm may be in
    flight)."""
    import teller_app.ui.cash_dialog_parts as parts

    monkeypatch.setattr(parts, "RECHECK_DELAYS", (0.0,))
    dialog, transport, lossy = _gated_dialog(qtbot, arun, ops, sandbox, HubDownAtConfirm(),
                                             "25.00")
    assert dialog.void_button.isVisibleTo(dialog)
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=10000)
    assert transport.confirms == 0 and not dialog.in_doubt
    assert "cannot be reached" in dialog.error.text()
    assert dialog.void_button.isVisibleTo(dialog)
    arun(lossy.aclose())


class AllowingGate(HubDownAtConfirm):
    async def before_confirm(self, payment_guid: str) -> SupervisorNeed:
        return SupervisorNeed(False, NeedReason.NONE, Decimal("10000"))


def test_void_comes_back_once_the_draft_stays_a_draft_past_the_checks(
        qtbot: Any, arun: Any, ops: OpRunner, sandbox: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import teller_app.ui.cash_dialog_parts as parts

    monkeypatch.setattr(parts, "RECHECK_DELAYS", (0.0,))  # the checks' whole span: now
    dialog, transport, lossy = _gated_dialog(qtbot, arun, ops, sandbox, AllowingGate(),
                                             "26.00")
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: dialog.in_doubt, timeout=10000)
    qtbot.waitUntil(lambda: "most likely not confirmed" in dialog.note.text(), timeout=10000)
    assert dialog.void_button.isVisibleTo(dialog) and transport.confirms == 1
    transport.release.set()  # let the held confirm finish before the client closes
    arun(transport.landed.wait())
    arun(lossy.aclose())
