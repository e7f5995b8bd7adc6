"""A quarantined audit entry (refused by the hub, also reduced) is not stranded for good: it
is tried again, bounded, when the hub answering is another one (its version) or a day after
its last refusal. Taken, it leaves the quarantine (no longer counted as waiting, the outbox
emptied) and is on the hub once however often it is sent; refused again, it stays with the
new refusal and is not tried again before it is due. Real outbox file, real HubClient, real
hub on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_proc import HubProc, add_employee, sign_in

from teller_app.core import audit_retry
from teller_app.core.audit import AuditAction, AuditOutbox, AuditTrail, OutboxEntry, make_entry
from teller_app.core.audit_refused import REFUSED_KEY, reduced_client_id
from teller_app.platform.hub_client import HubClient

OLD_HUB, NEW_HUB = "Teller Hub 1.0 API 1", "Teller Hub 1.1 API 1"


def _people(http: httpx.Client, hub: HubProc) -> tuple[dict[str, str], dict[str, str]]:
    teller = sign_in(http, add_employee(http, hub, roles=["Teller"], head_office=True))
    admin = sign_in(http, add_employee(http, hub, roles=["Administrator"], head_office=True))
    return teller, admin


def _rows(http: httpx.Client, admin: dict[str, str], marks: list[str]) -> list[dict[str, Any]]:
    """The hub's entries about ``marks`` (in an entity or a refused entry's copy), oldest
    first (every page)."""
    found: list[dict[str, Any]] = []
    after: int | None = 0
    while after is not None:
        page = http.get("/api/v1/audit", headers=admin,
                        params={"limit": 1000, "after_seq": after}).json()
        found += [e for e in page["entries"]
                  if any(m in e["entity"] or m in str(e["detail"]) for m in marks)]
        after = page["next_after_seq"]
    return found


class Desk:
    """One sign-in's sending: the hub session, and a hub that refuses ``poisoned`` ids (in
    either form: its reserved desk id, a refusal the reduced form cannot avoid) while
    ``refusing``. Counts the entries it tried."""

    def __init__(self, hub: HubProc, headers: dict[str, str]) -> None:
        self.client = HubClient(hub.base_url)
        self.client.token = headers["Authorization"].removeprefix("Bearer ")
        self.poisoned: set[str] = set()
        self.refusing = True
        self.tried: list[str] = []

    def poison(self, entry: OutboxEntry) -> None:
        self.poisoned |= {entry.client_id, reduced_client_id(entry.client_id)}

    async def send(self, batch: list[dict[str, Any]]) -> Any:
        self.tried += [e["client_id"] for e in batch]
        held = self.refusing and any(e["client_id"] in self.poisoned for e in batch)
        return await self.client.append_audit(batch, "hub" if held else "desk-retry")

    def trail(self, box: AuditOutbox, hub_version: str) -> AuditTrail:
        """A sign-in: a fresh trail whose hub says ``hub_version``."""

        async def version() -> str:
            return hub_version

        return AuditTrail(box, self.send, hub_id=version)


def _quarantine(box: AuditOutbox, desk: Desk, marks: list[str]) -> list[OutboxEntry]:
    """Entries about ``marks``, refused by the old hub in either form: quarantined."""
    bad = []
    for mark in marks:
        entry = make_entry(AuditAction.CUSTOMER_EDIT, customer_guid=mark)
        entry = replace(entry, detail={**entry.detail, "note": "x" * 9000})
        box.append(entry)
        desk.poison(entry)
        bad.append(entry)
    return bad


def test_a_quarantined_entry_reaches_an_upgraded_hub_once(
        hub: HubProc, http: httpx.Client, tmp_path: Path) -> None:
    teller, admin = _people(http, hub)
    marks = [uuid.uuid4().hex for _ in range(2)]
    key = secrets.token_bytes(32)
    box = AuditOutbox(tmp_path / "audit" / "p.outbox", key)
    desk = Desk(hub, teller)
    [bad] = _quarantine(box, desk, marks[:1])
    box.append(make_entry(AuditAction.LOCK, customer_guid=marks[1]))

    async def run() -> tuple[int, int, int]:
        try:
            first = await desk.trail(box, OLD_HUB).flush()
            [held] = box.quarantined()
            assert held.hub == OLD_HUB and box.waiting() == 1
            desk.refusing = False  # the hub would take it now, its version the same
            desk.tried.clear()
            same = await desk.trail(box, OLD_HUB).flush()
            assert desk.tried == []  # refused by this very hub minutes ago: not tried
            upgraded = desk.trail(box, NEW_HUB)
            went = await upgraded.flush()
            assert desk.tried == [reduced_client_id(bad.client_id)]  # once, alone
            assert await desk.trail(box, "Teller Hub 1.2 API 1").flush() == 0  # none left
            # the answer lost, the reduced form sent again: the hub stores it once
            await desk.send([replace(held.entry,
                                     client_id=reduced_client_id(bad.client_id)).wire()])
            return first, same, went
        finally:
            await desk.client.aclose()

    assert asyncio.run(run()) == (1, 0, 1)
    rows = _rows(http, admin, marks)
    assert [(r["entity"], r["action"]) for r in rows] == [
        (f"customer:{marks[1]}", "lock"), (f"customer:{marks[0]}", "other")]  # each once
    assert bad.client_id in rows[1]["detail"][REFUSED_KEY]
    assert box.quarantined() == [] and box.unsent() == [] and box.waiting() == 0
    assert box.path.read_bytes() == b""  # nothing left: emptied
    assert AuditOutbox(box.path, key).quarantined() == []  # for good (the sent mark too)


def test_an_entry_refused_again_stays_quarantined_until_it_is_due(
        hub: HubProc, http: httpx.Client, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    teller, admin = _people(http, hub)
    marks = [uuid.uuid4().hex]
    box = AuditOutbox(tmp_path / "audit" / "p.outbox", secrets.token_bytes(32))
    desk = Desk(hub, teller)
    [bad] = _quarantine(box, desk, marks)

    async def run() -> None:
        try:
            assert await desk.trail(box, OLD_HUB).flush() == 0
            [before] = box.quarantined()
            assert before.hub == OLD_HUB
            desk.tried.clear()
            upgraded = desk.trail(box, NEW_HUB)  # upgraded, and still refusing it
            assert await upgraded.flush() == 0
            assert desk.tried == [reduced_client_id(bad.client_id)]  # tried once, alone
            [again] = box.quarantined()
            assert again.entry == before.entry and again.hub == NEW_HUB
            assert "reserved" in again.refusal  # the new refusal's words
            assert box.waiting() == 1  # still what deleting the outbox would lose
            desk.tried.clear()
            assert await upgraded.flush() == 0  # the same session: not before a day
            assert await desk.trail(box, NEW_HUB).flush() == 0  # nor a sign-in to that hub
            assert desk.tried == []
            # a day after its last refusal, the hub fixed without a new version: it goes
            monkeypatch.setattr(audit_retry, "RETRY_EVERY_S", 0)
            desk.refusing = False
            assert await desk.trail(box, NEW_HUB).flush() == 1
        finally:
            await desk.client.aclose()

    asyncio.run(run())
    rows = _rows(http, admin, marks)
    assert [(r["entity"], r["action"]) for r in rows] == [(f"customer:{marks[0]}", "other")]
    assert box.quarantined() == [] and box.waiting() == 0


def test_a_try_sends_a_bounded_number_and_the_rest_go_at_the_next_sign_in(
        hub: HubProc, http: httpx.Client, tmp_path: Path) -> None:
    teller, admin = _people(http, hub)
    most = audit_retry.RETRY_AT_MOST
    marks = [uuid.uuid4().hex for _ in range(most + 3)]
    box = AuditOutbox(tmp_path / "audit" / "p.outbox", secrets.token_bytes(32))
    desk = Desk(hub, teller)
    _quarantine(box, desk, marks)

    async def run() -> tuple[int, int, int]:
        try:
            assert await desk.trail(box, OLD_HUB).flush() == 0
            assert len(box.quarantined()) == len(marks)
            desk.refusing = False
            desk.tried.clear()
            first = await desk.trail(box, NEW_HUB).flush()
            tried = len(desk.tried)
            rest = await desk.trail(box, NEW_HUB).flush()  # the next sign-in
            return first, tried, rest
        finally:
            await desk.client.aclose()

    assert asyncio.run(run()) == (most, most, 3)
    rows = _rows(http, admin, marks)
    assert sorted(r["entity"] for r in rows) == sorted(f"customer:{m}" for m in marks)
    assert box.quarantined() == [] and box.waiting() == 0
