"""A switch of employee while a flush is under way (one a retry started, held by a slow hub):
the whole flush goes with the session it started with, so every entry the leaving employee
recorded is sent with their session and none with the newcomer's; the hand-over waits for
that flush. After ``aclose`` every hand-over is over and nothing starts again (no worker, no
retry), several quick switches included.

The real encrypted outbox; the sessions are the seam the trail sends through
(``link.call(lambda hub: hub.append_audit(batch, desk))``), recording who sent what."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any

from teller_app.core.audit import BATCH, AuditOutbox, AuditTrail, outbox_path
from teller_app.core.audit_desk import DeskAudit

KEY = secrets.token_bytes(32)
PROFILE = "p"
ANN, BOB, CAROL = "ann@bank.ua", "bob@bank.ua", "carol@bank.ua"
WAIT_S = 30.0  # a deadline, never a pause


async def _key(_profile: str) -> bytes:
    return KEY


class RecordingSession:
    """An employee's hub session as the audit uses it: which entries it sent; while
    ``release`` is clear its sends wait (a slow hub), ``held`` telling one is waiting."""

    def __init__(self, name: str, sent: list[tuple[str, str]]) -> None:
        self.name, self.sent = name, sent
        self.held = asyncio.Event()
        self.release = asyncio.Event()
        self.release.set()

    async def call(self, fn: Any) -> Any:
        return await fn(self)

    async def append_audit(self, batch: list[dict[str, Any]], desk_id: str) -> None:
        self.held.set()
        await self.release.wait()
        self.sent.extend((self.name, e["client_id"]) for e in batch)


def _recorded_by(owner: str, path: Path, count: int) -> list[str]:
    """``count`` entries ``owner`` recorded earlier (waiting in the outbox: the hub was down)."""
    trail = AuditTrail(AuditOutbox(path, KEY), owner=owner)
    return [trail.record("edit", n=n).client_id for n in range(count)]


def _others() -> set[asyncio.Task[Any]]:
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}


def test_a_switch_mid_flush_never_sends_the_leavers_entries_with_the_newcomer(
        tmp_path: Path) -> None:
    async def scenario() -> None:
        anns = _recorded_by(ANN, outbox_path(PROFILE, tmp_path), BATCH + 50)  # two batches
        sent: list[tuple[str, str]] = []
        ann, bob = RecordingSession("ann", sent), RecordingSession("bob", sent)
        desk = DeskAudit(PROFILE, ann, "desk-1", key_source=_key, base=tmp_path,  # type: ignore[arg-type]
                         employee=ANN)
        try:
            ann.release.clear()
            flushing = asyncio.ensure_future(desk.flush())  # e.g. a retry's flush
            await asyncio.wait_for(ann.held.wait(), WAIT_S)  # its first batch is held
            handing = desk.switch(bob, employee=BOB)  # type: ignore[arg-type]
            ann.release.set()  # the hand-over's first step runs before the flush goes on
            assert await asyncio.wait_for(flushing, WAIT_S) == len(anns)
            await asyncio.wait_for(handing, WAIT_S)
            bobs = desk.record("unlock").client_id
            await asyncio.wait_for(desk.drain(), WAIT_S)
            assert [c for who, c in sent if who == "ann"] == anns  # all, in order
            assert [c for who, c in sent if who == "bob"] == [bobs]  # only Bob's own
            assert await desk.unsent() == []
        finally:
            await desk.aclose()

    asyncio.run(scenario())


def test_close_ends_every_hand_over_and_starts_nothing_after(tmp_path: Path) -> None:
    async def scenario() -> None:
        path = outbox_path(PROFILE, tmp_path)
        anns = _recorded_by(ANN, path, 3)
        sent: list[tuple[str, str]] = []
        ann, bob = RecordingSession("ann", sent), RecordingSession("bob", sent)
        carol = RecordingSession("carol", sent)
        desk = DeskAudit(PROFILE, ann, "desk-1", key_source=_key, base=tmp_path,  # type: ignore[arg-type]
                         employee=ANN)
        before = _others()
        ann.release.clear()
        flushing = asyncio.ensure_future(desk.flush())
        await asyncio.wait_for(ann.held.wait(), WAIT_S)
        # quick switches while the leaver's flush is held: each hand-over waits
        handovers = [desk.switch(bob, employee=BOB),  # type: ignore[arg-type]
                     desk.switch(carol, employee=CAROL)]  # type: ignore[arg-type]
        await asyncio.wait_for(desk.aclose(), WAIT_S)
        assert all(h.done() for h in handovers)  # the earlier one too
        ann.release.set()
        assert await asyncio.wait_for(flushing, WAIT_S) == len(anns)
        late = desk.record("lock")  # after close: into the outbox, nothing started
        assert _others() <= before  # no worker, retry or hand-over left running
        waiting = AuditOutbox(path, KEY).unsent()
        assert [(e.client_id, e.owner) for e in waiting] == [(late.client_id, CAROL)]
        assert [c for who, c in sent] == anns and all(who == "ann" for who, _ in sent)

    asyncio.run(scenario())
