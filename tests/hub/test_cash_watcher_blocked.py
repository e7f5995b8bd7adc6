"""The cash watcher reports cash confirmed on DCM for a customer whose status stops cash
(``customer_blocked``): a draft the hub allowed before the block, confirmed on DCM after it
without asking the hub again, raised nothing before. Each customer's status is read once per
pass. A status that cannot be read never holds back the payment's other reasons (reported at
once, with ``customer_status_unknown``); a payment with nothing else to report waits for a
later pass (the cursor waits too: a process taking over reads it again), and is reported
"status unknown" once the patience is over. Cash the hub's own execution of an approved
request confirmed is not judged on a status read after it: the execution read it right
before its confirm (a desk's confirm after ``/cash/authorize`` still is). A real hub (its
own watcher off: these passes are the test's) and the real sandbox, SQLite and PostgreSQL;
DCM's customer reads fail on demand (a transport in front of the real one)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cash_watching import Watching, approved_cash_confirm, run_watching
from fe_helpers import start_fe_hub, wait_for
from hub_proc import HubProc, add_employee, branches, sign_in
from till_helpers import _client, _run, confirm, customer, draft, set_customer_status, status
from till_open import open_till

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.cash_commands import cash_confirm_requests
from teller_app.hub.fe_tables import commands as command_rows

DESK = "desk-watch-blocked"


@dataclass
class World:
    hub: HubProc
    sandbox: SandboxProcess
    http: httpx.Client
    b0: str
    teller: dict[str, str]
    sup: dict[str, str]

    def authorized(self, account: str, amount: str) -> str:
        """A deposit draft the hub allowed (the teller's desk asked, as it does)."""
        guid = draft(self.sandbox, self.b0, account, amount)
        r = self.http.post("/api/v1/cash/authorize", headers={**self.teller, "X-Desk-ID": DESK},
                           json={"payment_guid": guid})
        assert r.status_code == 200 and r.json()["decision"] == "allow", r.text
        return guid

    def executed(self, customer_guid: str, account: str, amount: str) -> str:
        """An over-threshold deposit the hub confirmed itself: the teller asked, a supervisor
        approved the ``cash_confirm`` request and the hub's execution confirmed it on DCM."""
        guid = draft(self.sandbox, self.b0, account, amount)
        done = approved_cash_confirm(self.http, self.teller, self.sup, DESK, self.b0,
                                     customer_guid, guid, amount)
        assert done["state"] == "applied", done
        assert status(self.sandbox, guid) == "CONFIRMED"
        return guid


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    hub = start_fe_hub(tmp_path_factory.mktemp("cash-watch-blocked"), sandbox, hub_db,
                       TELLER_HUB_WATCH="0")
    b0 = branches(sandbox)[0]
    try:
        with hub.client() as http:
            teller = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
            sup = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
            w = World(hub, sandbox, http, b0, sign_in(http, teller), sign_in(http, sup))
            open_till(http, w.teller, w.sup, "T-blocked", {"note_500": 2}, DESK)
            yield w
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]


def _updated_at(sandbox: SandboxProcess, payment: str) -> datetime:
    async def run() -> datetime:
        async with _client(sandbox) as c:
            updated = (await c.get_payment(payment, False)).updated_at
            assert updated is not None
            return updated
    return _run(run())


def _watching(w: World, body: Callable[[Watching], Awaitable[None]]) -> None:
    run_watching(w.hub, w.sandbox, body)


@pytest.mark.slow
def test_cash_confirmed_after_the_block_is_reported(world: World) -> None:
    w = world
    blocked, blocked_account = customer(w.sandbox, w.b0)
    active, active_account = customer(w.sandbox, w.b0)

    async def body(watching: Watching) -> None:
        watcher = watching.watcher()
        await watcher.tick()  # the cursor starts (a first run examines nothing before it)
        allowed = w.authorized(blocked_account, "100.00")
        fine = w.authorized(active_account, "120.00")
        set_customer_status(w.sandbox, blocked, "blocked")
        # the desk confirms on DCM without asking the hub again; one more never asked at all
        confirm(w.sandbox, w.b0, allowed)
        confirm(w.sandbox, w.b0, fine)
        never = draft(w.sandbox, w.b0, blocked_account, "50.00")
        confirm(w.sandbox, w.b0, never)
        watching.dcm.reads.clear()
        await watcher.tick()
        first = await watching.alert(allowed)
        assert first is not None and first["reasons"] == ["customer_blocked"], first
        assert first["customer_status"] == "blocked" and first["teller"]
        second = await watching.alert(never)
        assert second is not None, second
        assert second["reasons"] == ["not_authorized", "customer_blocked"], second
        assert await watching.alert(fine) is None
        # two payments of the blocked customer: their status was read once in the pass
        assert watching.dcm.read_of(blocked) == 1 and watching.dcm.read_of(active) == 1
        # the branch's supervisors are told live, as for the other reasons
        r = w.http.get("/api/v1/events/list", headers=w.sup, params={"after": 0, "limit": 500})
        assert r.status_code == 200, r.text
        told = [e for e in r.json()["events"] if e["kind"] == "alert.unapproved_cash"
                and e.get("payment_guid") == allowed]
        assert len(told) == 1 and told[0]["reasons"] == ["customer_blocked"], told

    _watching(w, body)


@pytest.mark.slow
def test_an_unread_status_waits_for_a_later_pass_or_the_patience(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    # no overlap: only the wait keeps the cursor at or before a payment held back
    monkeypatch.setenv("TELLER_HUB_CASH_WATCH_OVERLAP_S", "0")
    blocked, blocked_account = customer(w.sandbox, w.b0)
    _, other_account = customer(w.sandbox, w.b0)
    _, late_account = customer(w.sandbox, w.b0)

    async def body(watching: Watching) -> None:
        watcher = watching.watcher()
        await watcher.tick()
        held = w.authorized(blocked_account, "100.00")
        set_customer_status(w.sandbox, blocked, "blocked")
        confirm(w.sandbox, w.b0, held)
        never = draft(w.sandbox, w.b0, other_account, "60.00")
        confirm(w.sandbox, w.b0, never)
        watching.dcm.failing = True
        await watcher.tick()
        # a reason known already is reported at once, with the status's doubt
        now = await watching.alert(never)
        assert now is not None, now
        assert now["reasons"] == ["not_authorized", "customer_status_unknown"], now
        # nothing else to report for the allowed one: not yet
        assert await watching.alert(held) is None and held not in watcher.settled
        # a newer payment, confirmed more than a pass's length after the held one (DCM's
        # clock is this machine's), moves the window past it: only the wait holds it back
        confirmed_at = _updated_at(w.sandbox, held)
        wait_for(lambda: datetime.now(UTC) > confirmed_at + timedelta(seconds=1.5),
                 timeout=5)
        newer = draft(w.sandbox, w.b0, blocked_account, "65.00")
        confirm(w.sandbox, w.b0, newer)
        await watcher.tick()
        newer_alert = await watching.alert(newer)
        assert newer_alert is not None, newer_alert
        assert newer_alert["reasons"] == ["not_authorized", "customer_status_unknown"]
        assert await watching.alert(held) is None
        assert await watching.cursor() <= confirmed_at
        # a process taking over (empty memory) with DCM readable again reports the block
        watching.dcm.failing = False
        taker = watching.watcher()
        await taker.tick()
        found = await watching.alert(held)
        assert found is not None and found["reasons"] == ["customer_blocked"], found
        # the status unreadable past the patience: reported as unknown, never dropped
        late = w.authorized(late_account, "70.00")
        confirm(w.sandbox, w.b0, late)
        watching.dcm.failing = True
        await taker.tick()
        assert await watching.alert(late) is None and late not in taker.settled
        taker.unread.patience = 0
        await taker.tick()
        unknown = await watching.alert(late)
        assert unknown is not None and unknown["reasons"] == ["customer_status_unknown"], unknown
        assert "customer_status" not in unknown and late in taker.settled

    _watching(w, body)


@pytest.mark.slow
def test_cash_the_hub_confirmed_itself_is_not_reported_for_a_later_block(
        world: World) -> None:
    """A supervisor blocks the customer after the hub's execution of an approved request
    confirmed the cash (it read the status right before): the block came afterwards,
    nothing to report, nor a status the pass cannot read. The same block after a desk's own
    confirm (``/cash/authorize`` said "allow") is reported: the hub never saw that confirm."""
    w = world
    by_hub_customer, by_hub_account = customer(w.sandbox, w.b0)
    by_desk_customer, by_desk_account = customer(w.sandbox, w.b0)
    other_customer, other_account = customer(w.sandbox, w.b0)
    unread_customer, unread_account = customer(w.sandbox, w.b0)

    async def body(watching: Watching) -> None:
        watcher = watching.watcher()
        await watcher.tick()
        by_hub = w.executed(by_hub_customer, by_hub_account, "15000.00")
        by_desk = w.authorized(by_desk_account, "100.00")
        confirm(w.sandbox, w.b0, by_desk)
        # approved, but DCM showed it confirmed by another confirm than the hub's (a desk's
        # landed first): how the execution ends then, so the hub's check proves nothing
        by_other = w.executed(other_customer, other_account, "15500.00")
        async with watching.state.engine.begin() as conn:
            await conn.execute(command_rows.update().where(
                cash_confirm_requests(by_other)).values(result="applied (already on DCM)"))
        for blocked in (by_hub_customer, by_desk_customer, other_customer):
            set_customer_status(w.sandbox, blocked, "blocked")
        await watcher.tick()
        assert await watching.alert(by_hub) is None and by_hub in watcher.settled
        for judged in (by_desk, by_other):
            found = await watching.alert(judged)
            assert found is not None and found["reasons"] == ["customer_blocked"], found
            assert found["customer_status"] == "blocked"
        # the hub's own confirm waits for no status read either
        unread = w.executed(unread_customer, unread_account, "16000.00")
        watching.dcm.failing = True
        await watcher.tick()
        assert await watching.alert(unread) is None and unread in watcher.settled

    _watching(w, body)
