"""A vault count carries the desk's id (one per save): the hub records it once, and a desk
whose answer was lost settles it by that id, never by its figure. Real hub and sandbox over
HTTP; SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fe_helpers import TillWorld, till_world
from hub_proc import PASSWORD, add_employee
from lost_answers import no_wait
from lost_requests import LoseRequests

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.till import VAULT_PATH, TillService, VaultCountUnknown
from teller_app.platform import Conflict
from teller_app.platform.hub_client import HubClient


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TillWorld]:
    with till_world(tmp_path_factory.mktemp("vault-count-ids"), sandbox, hub_db) as w:
        yield w


async def _signed_in(w: TillWorld, email: str,
                     transport: LoseRequests | None = None) -> HubClient:
    hub = HubClient(w.hub.base_url, transport=transport, sleep=no_wait)
    await hub.open_password_session(email, PASSWORD)
    return hub


async def _supervisor(w: TillWorld, transport: LoseRequests | None = None) -> HubClient:
    with w.hub.client() as http:
        email = add_employee(http, w.hub, roles=["Supervisor"], branch_guid=w.b0)
    return await _signed_in(w, email, transport)


async def _entries(hub: HubClient, w: TillWorld, count_id: str) -> int:
    """Audit entries recording the count ``count_id`` (not its co-sign)."""
    found = await hub.audit(actions=("till",), limit=1000)
    return sum(1 for e in found.entries if e.entity == f"vault:{w.b0}"
               and e.detail.get("count_id") == count_id and "vault_count" in e.detail)


def test_the_same_count_id_records_one_count(world: TillWorld) -> None:
    w = world

    async def scenario() -> None:
        sup_hub = await _signed_in(w, w.sup)
        try:
            desk = TillService(sup_hub, "sup-desk")
            book = (await desk.position()).vault
            equal = {"coin_0.10": int(book * 10)}  # none at all for an empty vault
            cid = str(uuid.uuid4())
            # a count equal to the book: applied at once, with its row
            first = await desk.count_vault(equal, count_id=cid)
            again = await desk.count_vault(equal, count_id=cid)
            assert first.count is not None and again.count is not None
            assert (again.count.id, again.count.state) == (cid, "applied")
            assert again.vault == first.vault == book
            assert (await desk.vault_count(cid)).state == "applied"
            assert await _entries(sup_hub, w, cid) == 1
            differing = {"note_1000": 3, "coin_0.50": 1}
            pid = str(uuid.uuid4())
            waiting = await desk.count_vault(differing, reason="recount", count_id=pid)
            resent = await desk.count_vault(differing, reason="recount", count_id=pid)
            assert waiting.count is not None and resent.count is not None
            assert (resent.count.id, resent.count.state) == (pid, "pending")
            assert [c.id for c in resent.pending_vault_counts] == [pid]
            assert await _entries(sup_hub, w, pid) == 1
            other = await _supervisor(w)
            try:  # co-signed once, a re-send afterwards still answers that count
                done = await TillService(other, "sup2").cosign_vault_count(pid)
                later = await desk.count_vault(differing, reason="recount", count_id=pid)
            finally:
                await other.aclose()
            assert later.count is not None and later.count.state == "applied"
            assert later.vault == done.vault == Decimal("3000.50")  # moved by it once
            assert await _entries(sup_hub, w, pid) == 1
            # the same id with another count (or reason) is refused: nothing recorded
            for counts, reason in (({"note_1000": 4}, "recount"), (differing, "other")):
                with pytest.raises(Conflict):
                    await desk.count_vault(counts, reason=reason, count_id=pid)
            assert (await desk.vault_count(pid)).counted == Decimal("3000.50")
            assert await _entries(sup_hub, w, pid) == 1
        finally:
            await sup_hub.aclose()

    asyncio.run(scenario())


def test_a_count_that_never_reached_the_hub_is_not_reported_recorded(
        world: TillWorld) -> None:
    """The request is lost on its way (the desk sees what it sees for a lost answer). The
    vault already holds the figure counted: before, the desk said "recorded" with no count
    and no audit entry. Now it reads the count by its id, finds none, and sends the same id
    once more; lost again, it says the outcome is unknown."""
    w = world

    async def scenario() -> None:
        sup_hub = await _signed_in(w, w.sup)
        drop = LoseRequests("PUT", VAULT_PATH, lose_next=2)
        sup_lossy = await _signed_in(w, w.sup, drop)
        try:
            book = (await TillService(sup_hub, "sup-desk").position()).vault
            assert book > 0  # the count must carry notes: stock the vault first if empty
            equal = {"coin_0.10": int(book * 10)}
            cid = str(uuid.uuid4())
            with pytest.raises(VaultCountUnknown):  # the request and its re-send both lost
                await TillService(sup_lossy, "sup-desk").count_vault(equal, count_id=cid)
            assert (drop.lost, drop.sent) == (2, 0)
            assert await _entries(sup_hub, w, cid) == 0
            drop.lose_next = 1  # lost once: the re-send of the same id records it, once
            position = await TillService(sup_lossy, "sup-desk").count_vault(equal,
                                                                            count_id=cid)
            assert position.count is not None
            assert (position.count.id, position.count.state) == (cid, "applied")
            assert (drop.lost, drop.sent) == (3, 1)
            assert await _entries(sup_hub, w, cid) == 1
        finally:
            for c in (sup_lossy, sup_hub):
                await c.aclose()

    asyncio.run(_stocked(w))
    asyncio.run(scenario())


async def _stocked(w: TillWorld) -> None:
    """The vault holds something (counted and co-signed if it held nothing)."""
    sup_hub = await _signed_in(w, w.sup)
    try:
        desk = TillService(sup_hub, "sup-desk")
        if (await desk.position()).vault:
            return
        position = await desk.count_vault({"note_1000": 2}, reason="stock")
        assert position.count is not None
        other = await _supervisor(w)
        try:
            await TillService(other, "sup2").cosign_vault_count(position.count.id)
        finally:
            await other.aclose()
    finally:
        await sup_hub.aclose()


def test_another_supervisors_waiting_count_of_the_same_figure_is_not_taken(
        world: TillWorld) -> None:
    """A second supervisor's count waits with the figure this one counts; this one's request
    is lost on its way. Before, the desk answered the other's count as its own."""
    w = world

    async def scenario() -> None:
        sup_hub = await _signed_in(w, w.sup)
        other = await _supervisor(w)
        drop = LoseRequests("PUT", VAULT_PATH, lose_next=2)
        sup_lossy = await _signed_in(w, w.sup, drop)
        try:
            counts = {"note_1000": 9, "coin_0.10": 7}  # 9 000.70: differs from the book
            theirs = await TillService(other, "sup2").count_vault(counts, reason="recount")
            assert theirs.count is not None and theirs.count.pending
            cid = str(uuid.uuid4())
            with pytest.raises(VaultCountUnknown):
                await TillService(sup_lossy, "sup-desk").count_vault(
                    counts, reason="recount", count_id=cid)
            waiting = (await TillService(sup_hub, "sup-desk").position()).pending_vault_counts
            assert [c.id for c in waiting] == [theirs.count.id]  # theirs, untouched
            drop.lose_next = 1
            mine = await TillService(sup_lossy, "sup-desk").count_vault(
                counts, reason="recount", count_id=cid)
            assert mine.count is not None
            assert (mine.count.id, mine.count.counted_by) == (cid, w.sup)
            assert [c.id for c in mine.pending_vault_counts] == [cid]  # it replaced theirs
            assert await _entries(sup_hub, w, cid) == 1
        finally:
            for c in (sup_lossy, sup_hub, other):
                await c.aclose()

    asyncio.run(scenario())
