"""One confirmed payment whose category or accounts DCM does not answer (an account DCM
cannot return, a category that errors) used to end the cash watcher's whole pass, cursor
unsaved: every later pass died at the same payment and no payment after it was ever
examined. Now it is held (the cursor waits for it, so a later pass, or a process taking
over, reads it again) while the pass goes on with the others, and once it stayed unreadable
for the patience it is reported ``cash_kind_unknown``, once, so a person looks. A real hub
(its own watcher off: these passes are the test's) and the real sandbox, SQLite and
PostgreSQL; the watcher's accounts reads naming one account fail on demand (a transport in
front of the real one)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cash_watching import Watching, run_watching
from fe_helpers import wait_for
from staffed_hub import Staffed, staffed_hub
from till_helpers import _client, _run, confirm, customer, draft

from teller_app.core.embedded_sandbox import SandboxProcess

DESK = "desk-watch-unread-kind"
PATIENCE = "TELLER_HUB_CASH_STATUS_PATIENCE_S"
UNREAD_LOG = "cash watcher: a payment's category or accounts unread"


class AccountFaults(httpx.AsyncBaseTransport):
    """In front of the watcher's DCM transport: every accounts read naming one of
    ``failing`` answers 503 (``failed`` counts them); everything else goes through."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.failing: set[str] = set()
        self.failed = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.rstrip("/").endswith("/accounts") \
                and any(a in str(request.url.params) for a in self.failing):
            self.failed += 1
            return httpx.Response(503, json={"error": "unavailable"}, request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _faults(watching: Watching) -> AccountFaults:
    """The watcher's DCM link with account faults (before its first pass makes the client)."""
    faults = AccountFaults(watching.dcm)
    watching.reader.transport = faults
    return faults


@dataclass
class World(Staffed):
    sandbox: SandboxProcess

    def authorized(self, account: str, amount: str) -> str:
        """A deposit draft the hub allowed (the teller's desk asked, as it does)."""
        guid = draft(self.sandbox, self.b0, account, amount)
        r = self.http.post("/api/v1/cash/authorize", headers={**self.teller, "X-Desk-ID": DESK},
                           json={"payment_guid": guid})
        assert r.status_code == 200 and r.json()["decision"] == "allow", r.text
        return guid

    def unsupervised(self, account: str, amount: str) -> str:
        """A deposit a desk confirmed on DCM itself, never asking the hub."""
        guid = draft(self.sandbox, self.b0, account, amount)
        confirm(self.sandbox, self.b0, guid)
        return guid


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with staffed_hub(tmp_path_factory.mktemp("watch-unread-kind-hub"), sandbox, hub_db,
                     TELLER_HUB_WATCH="0") as staff:
        w = World(**staff.fields(), sandbox=sandbox)
        w.open_till("T-unread-kind", {"note_500": 2}, DESK)
        yield w


def _updated_at(sandbox: SandboxProcess, payment: str) -> datetime:
    async def run() -> datetime:
        async with _client(sandbox) as c:
            updated = (await c.get_payment(payment, False)).updated_at
            assert updated is not None
            return updated
    return _run(run())


@pytest.mark.slow
def test_an_unreadable_payment_does_not_stop_the_pass(
        world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    w = world
    monkeypatch.setenv(PATIENCE, "300")
    _, poison_account = customer(w.sandbox, w.b0)
    _, good_account = customer(w.sandbox, w.b0)

    async def body(watching: Watching) -> None:
        faults = _faults(watching)
        watcher = watching.watcher()
        await watcher.tick()  # the cursor starts (a first run examines nothing before it)
        faults.failing.add(poison_account)
        poison = w.unsupervised(poison_account, "110.00")  # listed first: created first
        good = w.unsupervised(good_account, "120.00")
        with caplog.at_level(logging.WARNING, logger="teller_hub.cash_watcher"):
            assert await watcher.tick() == 1
        assert faults.failed >= 1
        found = await watching.alert(good)
        assert found is not None and found["reasons"] == ["not_authorized"], found
        # held, not dropped nor reported yet (the patience is not over)
        assert await watching.alert(poison) is None and poison not in watcher.settled
        unread = [r for r in caplog.records if r.getMessage() == UNREAD_LOG]
        assert unread and all(str(getattr(r, "error", "")).isidentifier() for r in unread)
        assert not any(poison_account in r.getMessage() for r in caplog.records)

    run_watching(w.hub, w.sandbox, body)


@pytest.mark.slow
def test_an_unreadable_payment_is_read_again_later(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    monkeypatch.setenv(PATIENCE, "300")
    # no overlap: only the wait keeps the cursor at or before the payment held back
    monkeypatch.setenv("TELLER_HUB_CASH_WATCH_OVERLAP_S", "0")
    _, poison_account = customer(w.sandbox, w.b0)
    _, newer_account = customer(w.sandbox, w.b0)

    async def body(watching: Watching) -> None:
        faults = _faults(watching)
        watcher = watching.watcher()
        await watcher.tick()
        faults.failing.add(poison_account)
        poison = w.unsupervised(poison_account, "130.00")
        await watcher.tick()
        assert await watching.alert(poison) is None
        failed = faults.failed
        assert failed >= 1
        # a newer payment, confirmed more than a pass's length after the held one (DCM's
        # clock is this machine's), moves the window past it: only the wait holds it back
        confirmed_at = _updated_at(w.sandbox, poison)
        wait_for(lambda: datetime.now(UTC) > confirmed_at + timedelta(seconds=1.5),
                 timeout=5)
        newer = w.unsupervised(newer_account, "140.00")
        await watcher.tick()
        assert faults.failed > failed  # this pass read the held payment again
        newer_alert = await watching.alert(newer)
        assert newer_alert is not None and newer_alert["reasons"] == ["not_authorized"]
        assert await watching.alert(poison) is None
        assert await watching.cursor() <= confirmed_at
        # DCM answers again: a process taking over (empty memory) reports it as usual
        faults.failing.clear()
        taker = watching.watcher()
        assert await taker.tick() == 1
        found = await watching.alert(poison)
        assert found is not None and found["reasons"] == ["not_authorized"], found
        assert found["kind"] == "deposit" and found["customer_guid"], found
        assert poison in taker.settled

    run_watching(w.hub, w.sandbox, body)


@pytest.mark.slow
def test_a_payment_unreadable_past_the_patience_is_reported_once(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    monkeypatch.setenv(PATIENCE, "0")
    _, never_account = customer(w.sandbox, w.b0)
    allowed_customer, allowed_account = customer(w.sandbox, w.b0)

    async def body(watching: Watching) -> None:
        faults = _faults(watching)
        watcher = watching.watcher()
        await watcher.tick()
        faults.failing |= {never_account, allowed_account}
        never = w.unsupervised(never_account, "150.00")
        allowed = w.authorized(allowed_account, "160.00")
        confirm(w.sandbox, w.b0, allowed)
        assert await watcher.tick() == 2
        # whether it is cash is not known: the hub's own rows say what they can
        unknown = await watching.alert(never)
        assert unknown is not None and unknown["reasons"] == ["cash_kind_unknown"], unknown
        assert unknown["amount"] == "150.00" and unknown["teller"] == "", unknown
        known = await watching.alert(allowed)
        assert known is not None and known["reasons"] == ["cash_kind_unknown"], known
        assert known["teller"] == w.teller_email and known["kind"] == "deposit", known
        assert known["customer_guid"] == allowed_customer, known
        assert {never, allowed} <= watcher.settled
        # once: neither a later pass nor a process taking over (DCM still failing) again
        assert await watcher.tick() == 0
        taker = watching.watcher()
        assert await taker.tick() == 0
        for payment in (never, allowed):
            assert await watching.alert(payment) is not None  # one each (``alert`` checks)

    run_watching(w.hub, w.sandbox, body)
