"""Nothing applied twice at the till when the hub applied a write and its answer was lost.

A vault transfer request carries an id made once per intended transfer: sent again (by the
client's retry or a second click) the hub answers with the transfer it filed first. A vault
count carries an id made per save, and a lost answer is settled by reading that count by its
id (never by its figure: ``test_till_vault_count_ids.py`` has the request lost on its way and
another supervisor's count of the same figure); not found, the same id is sent once more.
Real hub and sandbox; a transport in front of the hub only loses answers. SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fe_helpers import TillWorld, till_world
from hub_proc import PASSWORD, add_employee
from lost_answers import LoseAnswers, no_wait
from till_open import open_cosigned

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.till import TRANSFERS_PATH, VAULT_PATH, BranchPosition, TillService
from teller_app.platform import Conflict
from teller_app.platform.hub_client import HubClient
from teller_app.ui.async_op import OpRunner

World = TillWorld
OPEN = {"note_500": 2}  # 1 000.00


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with till_world(tmp_path_factory.mktemp("till-lost-hub"), sandbox, hub_db) as w:
        yield w


def _new_teller(w: World) -> str:
    with w.hub.client() as http:
        return add_employee(http, w.hub, roles=["Teller"], branch_guid=w.b0)


async def _signed_in(w: World, email: str, transport: LoseAnswers | None = None) -> HubClient:
    hub = HubClient(w.hub.base_url, transport=transport, sleep=no_wait)
    await hub.open_password_session(email, PASSWORD)
    return hub


async def _open_till(w: World, teller_hub: HubClient, sup_hub: HubClient, desk: str) -> None:
    await open_cosigned(TillService(teller_hub, desk), sup_hub, "T-" + uuid.uuid4().hex[:6], OPEN)


async def _vault_entries(sup_hub: HubClient, w: World, amount: str) -> int:
    """Audit entries of vault counts of ``amount`` in branch 0 (values unique per test)."""
    found = await sup_hub.audit(actions=("till",), limit=1000)
    return sum(1 for e in found.entries if e.entity == f"vault:{w.b0}"
               and e.detail.get("vault_count") == amount)


async def _second_supervisor(w: World) -> HubClient:
    with w.hub.client() as http:
        email = add_employee(http, w.hub, roles=["Supervisor"], branch_guid=w.b0)
    return await _signed_in(w, email)


async def _stock_vault(w: World, sup_hub: HubClient, counts: dict[str, int]) -> BranchPosition:
    """The vault holds ``counts``: counted by ``sup_hub``'s supervisor, co-signed by another
    when it differs from the book."""
    position = await TillService(sup_hub, "sup-desk").count_vault(counts, reason="stock")
    if position.count is not None and position.count.pending:
        other = await _second_supervisor(w)
        try:
            position = await TillService(other, "sup2-desk").cosign_vault_count(
                position.count.id)
        finally:
            await other.aclose()
    return position


def test_a_lost_transfer_answer_is_answered_by_the_transfer_filed_first(
        world: World) -> None:
    w = world

    async def scenario() -> None:
        teller = _new_teller(w)
        lossy = LoseAnswers("POST", TRANSFERS_PATH, lose_next=1)
        teller_hub = await _signed_in(w, teller, lossy)
        sup_hub = await _signed_in(w, w.sup)
        try:
            supervisor = TillService(sup_hub, "sup-desk")
            await _stock_vault(w, sup_hub, {"note_1000": 20})
            await _open_till(w, teller_hub, sup_hub, "desk-lost")
            till = TillService(teller_hub, "desk-lost")
            tid = str(uuid.uuid4())
            transfer = await till.request_transfer("to_till", Decimal("250.00"), tid)
            assert (transfer.id, transfer.state) == (tid, "pending")
            assert lossy.count() == 2  # the lost answer's request, then its re-send
            mine = [t for t in (await supervisor.position()).pending_transfers
                    if t.requested_by == teller]
            assert [(t.id, t.amount) for t in mine] == [(tid, Decimal("250.00"))]
            # decided meanwhile: the same id still answers that one transfer
            await supervisor.decide_transfer(tid, True)
            again = await till.request_transfer("to_till", Decimal("250.00"), tid)
            assert (again.id, again.state) == (tid, "approved")
            current = await till.current()
            assert current is not None and current.expected == Decimal("1250.00")  # once
            # an id never carries another transfer
            with pytest.raises(Conflict):
                await till.request_transfer("to_till", Decimal("251.00"), tid)
            # without an id a request is still filed (sent once)
            plain = await till.request_transfer("to_vault", Decimal("1.00"))
            assert plain.id != tid and plain.state == "pending"
        finally:
            for c in (teller_hub, sup_hub):
                await c.aclose()

    asyncio.run(scenario())


def test_a_lost_vault_count_answer_is_settled_by_reading(world: World) -> None:
    w = world

    async def scenario() -> None:
        lossy = LoseAnswers("PUT", VAULT_PATH, lose_next=1)
        sup_lossy = await _signed_in(w, w.sup, lossy)
        sup_hub = await _signed_in(w, w.sup)
        try:
            book = (await TillService(sup_hub, "sup-desk").position()).vault
            position = await TillService(sup_lossy, "sup-desk").count_vault(
                {"note_1000": 7, "coin_0.10": 3}, reason="recount")
            # it differs from the book: found by its id, waiting for a second supervisor
            assert position.count is not None and position.count.pending
            assert position.count.counted_by == w.sup
            assert (position.count.counted, position.vault) == (Decimal("7000.30"), book)
            assert lossy.count() == 1  # sent once, never again
            assert await _vault_entries(sup_hub, w, "7000.30") == 1
            # a count equal to the book, its answer lost: found by its id, applied
            lossy.lose_next = 1
            same = await TillService(sup_lossy, "sup-desk").count_vault(
                {"coin_0.10": int(book * 10)})
            assert same.vault == book and lossy.count() == 2
            assert same.count is not None and same.count.state == "applied"
        finally:
            for c in (sup_lossy, sup_hub):
                await c.aclose()

    asyncio.run(scenario())


def test_a_vault_count_moved_by_a_transfer_after_it_is_found_by_its_id(
        world: World) -> None:
    """A count equal to the book landed, then a transfer was approved, then the count's
    answer was lost: the vault no longer holds the count, yet the count is found by its id
    (applied) and not sent again. (Before counts had ids this was reported unknown: the desk
    could only compare figures.) A differing count lost the same way is found waiting, and
    its co-sign moves the vault by the difference: the transfer stays."""
    w = world

    async def scenario() -> None:
        teller = _new_teller(w)
        teller_hub = await _signed_in(w, teller)
        sup_hub = await _signed_in(w, w.sup)
        supervisor = TillService(sup_hub, "sup-desk")
        await _stock_vault(w, sup_hub, {"note_1000": 5})
        await _open_till(w, teller_hub, sup_hub, "desk-vault")
        till = TillService(teller_hub, "desk-vault")
        transfers = [await till.request_transfer("to_till", Decimal("100.00"),
                                                 str(uuid.uuid4())) for _ in range(2)]

        async def approve_meanwhile() -> None:
            await supervisor.decide_transfer(transfers.pop(0).id, True)

        lossy = LoseAnswers("PUT", VAULT_PATH, between=approve_meanwhile)
        sup_lossy = await _signed_in(w, w.sup, lossy)
        other = await _second_supervisor(w)
        try:
            before = await _vault_entries(sup_hub, w, "5000.00")
            found = await TillService(sup_lossy, "sup-desk").count_vault({"note_1000": 5})
            assert found.count is not None and found.count.state == "applied"
            assert found.count.counted == Decimal("5000.00")
            assert found.vault == Decimal("4900.00")  # the count, then -100
            assert lossy.count() == 1
            assert await _vault_entries(sup_hub, w, "5000.00") == before + 1
            waiting = await TillService(sup_lossy, "sup-desk").count_vault(
                {"note_1000": 6, "coin_0.10": 1}, reason="found a bundle")
            assert lossy.count() == 2
            assert waiting.count is not None and waiting.count.pending
            assert waiting.count.difference == Decimal("1100.10")  # against 4 900.00
            assert waiting.vault == Decimal("4800.00")  # the second transfer, nothing else
            done = await TillService(other, "sup2").cosign_vault_count(waiting.count.id)
            assert done.vault == Decimal("5900.10")  # 4 800.00 + 1 100.10: not erased
            assert await _vault_entries(sup_hub, w, "6000.10") == 1
        finally:
            for c in (teller_hub, sup_hub, sup_lossy, other):
                await c.aclose()

    asyncio.run(scenario())


@pytest.fixture()
def ops(qloop: Any) -> OpRunner:
    return OpRunner()


def test_transfer_dialog_sends_the_same_request_again_after_a_lost_answer(
        world: World, qtbot: Any, arun: Any, ops: OpRunner) -> None:
    """First click: every answer lost (the client's retries too), the dialog says the outcome
    is unknown. Second click, same transfer: the hub answers with the one it filed."""
    from teller_app.ui.till_transfer import TransferDialog

    w = world
    teller = _new_teller(w)
    lossy = LoseAnswers("POST", TRANSFERS_PATH)
    teller_hub = arun(_signed_in(w, teller, lossy))
    sup_hub = arun(_signed_in(w, w.sup))
    try:
        arun(_open_till(w, teller_hub, sup_hub, "desk-ui"))
        dialog = TransferDialog(ops, TillService(teller_hub, "desk-ui"))
        qtbot.addWidget(dialog)
        dialog.direction.setCurrentIndex(1)  # till → vault
        dialog.amount.setText("40,00")
        dialog.send.click()
        qtbot.waitUntil(lambda: dialog.send.isEnabled() and dialog.status.text() != "",
                        timeout=10000)
        assert "not known" in dialog.status.text()
        assert lossy.count() >= 1
        lossy.losing = False
        with qtbot.waitSignal(dialog.requested, timeout=10000) as requested:
            dialog.send.click()
        assert requested.args[0].state == "pending" and not dialog.send.isEnabled()
        position: BranchPosition = arun(TillService(sup_hub, "sup-desk").position())
        mine = [t for t in position.pending_transfers if t.requested_by == teller]
        assert [(t.direction, t.amount) for t in mine] == [("to_vault", Decimal("40.00"))]
    finally:
        for c in (teller_hub, sup_hub):
            arun(c.aclose())


def test_vault_count_dialog_settles_a_lost_answer_or_says_it_is_unknown(
        world: World, qtbot: Any, arun: Any, ops: OpRunner) -> None:
    """A count's answer lost: found by its id waiting for a second supervisor, the dialog
    says so. A count whose request and re-send are both lost on their way: the dialog says
    the outcome is unknown and nothing is recorded. (Before counts had ids the second case
    was a count replaced by another meanwhile, reported unknown; by its id it is now found,
    superseded.)"""
    from lost_requests import LoseRequests

    from teller_app.ui.till_position import VaultCountDialog

    w = world
    sup_hub = arun(_signed_in(w, w.sup))
    lossy = LoseAnswers("PUT", VAULT_PATH, lose_next=1)
    sup_lossy = arun(_signed_in(w, w.sup, lossy))
    drop = LoseRequests("PUT", VAULT_PATH, lose_next=2)
    sup_drop = HubClient(w.hub.base_url, transport=drop, sleep=no_wait)
    arun(sup_drop.open_password_session(w.sup, PASSWORD))
    try:
        book = arun(TillService(sup_hub, "sup-desk").position()).vault
        dialog = VaultCountDialog(ops, TillService(sup_lossy, "sup-desk"), None)
        qtbot.addWidget(dialog)
        dialog.grid.spins["note_500"].setValue(9)
        dialog.reason.setText("recount")
        with qtbot.waitSignal(dialog.saved, timeout=10000) as saved:
            dialog.save.click()
        assert saved.args[0].vault == book and lossy.count() == 1
        assert saved.args[0].count.counted == Decimal("4500.00") and saved.args[0].count.pending
        assert "4,500.00" in dialog.cosign_status.text().replace("\u00a0", " ")
        waiting = saved.args[0].count.id
        # lost on its way, the re-send of its id too: unknown, nothing recorded
        unknown = VaultCountDialog(ops, TillService(sup_drop, "sup-desk"), None)
        qtbot.addWidget(unknown)
        unknown.grid.spins["note_500"].setValue(7)
        unknown.reason.setText("recount")
        unknown.save.click()
        qtbot.waitUntil(lambda: unknown.save.isEnabled() and unknown.status.text() != "",
                        timeout=10000)
        assert "not known" in unknown.status.text()
        assert (drop.lost, drop.sent) == (2, 0)
        position: BranchPosition = arun(TillService(sup_hub, "sup-desk").position())
        assert [c.id for c in position.pending_vault_counts] == [waiting]
    finally:
        for c in (sup_lossy, sup_hub, sup_drop):
            arun(c.aclose())
