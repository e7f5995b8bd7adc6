"""An audit entry the hub refuses (422) never holds back the employee's later entries: the
outbox finds it by halves and sends it once reduced (action "other", the original clipped
under ``refused_entry``, the hub's words under ``refusal``, a client_id derived from the
original's, so a re-send is stored once); one whose reduced form is refused too is
quarantined: kept in the outbox (through its emptying and a restart), counted as waiting,
never sent again. Real outbox file, real HubClient, real hub on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import secrets
import unicodedata
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_proc import HubProc, add_employee, sign_in

from teller_app.core.audit import AuditAction, AuditOutbox, AuditTrail, OutboxEntry, make_entry
from teller_app.core.audit_desk import desk_id_for
from teller_app.core.audit_refused import REFUSED_KEY, reduced, reduced_client_id
from teller_app.platform.hub_client import HubClient


def _people(http: httpx.Client, hub: HubProc) -> tuple[dict[str, str], dict[str, str]]:
    teller = sign_in(http, add_employee(http, hub, roles=["Teller"], head_office=True))
    admin = sign_in(http, add_employee(http, hub, roles=["Administrator"], head_office=True))
    return teller, admin


def _client(hub: HubProc, headers: dict[str, str]) -> HubClient:
    client = HubClient(hub.base_url)
    client.token = headers["Authorization"].removeprefix("Bearer ")
    return client


def _trail(http: httpx.Client, admin: dict[str, str], marks: list[str]) -> list[dict[str, Any]]:
    """The hub's entries about ``marks``, oldest first (every page)."""
    found: list[dict[str, Any]] = []
    after: int | None = 0
    while after is not None:
        page = http.get("/api/v1/audit", headers=admin,
                        params={"limit": 1000, "after_seq": after}).json()
        found += [e for e in page["entries"] if any(m in e["entity"] for m in marks)]
        after = page["next_after_seq"]
    return found


def _fill(box: AuditOutbox, marks: list[str], bad_at: int) -> OutboxEntry:
    """Entries about ``marks`` in order; the one at ``bad_at`` as a desk wrote it before
    details were cut to the hub's cap (9 KB): the hub refuses it."""
    bad = make_entry(AuditAction.CUSTOMER_EDIT, customer_guid=marks[bad_at])
    bad = replace(bad, detail={**bad.detail, "note": "x" * 9000})
    for i, mark in enumerate(marks):
        box.append(bad if i == bad_at else make_entry(AuditAction.CUSTOMER_EDIT,
                                                      customer_guid=mark))
    return bad


def test_a_refused_entry_goes_reduced_and_the_rest_is_not_held_back(
        hub: HubProc, http: httpx.Client, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    teller, admin = _people(http, hub)
    marks = [uuid.uuid4().hex for _ in range(5)]
    box = AuditOutbox(tmp_path / "audit" / "p.outbox", secrets.token_bytes(32))
    bad = _fill(box, marks, bad_at=1)

    async def run() -> int:
        client = _client(hub, teller)
        try:
            trail = AuditTrail(box, lambda batch: client.append_audit(batch, "desk-refused"))
            sent = await trail.flush()
            # the reduced form sent again (an answer lost, a crash before the mark): once
            await client.append_audit([reduced(bad, "sent again").wire()], "desk-refused")
            return sent
        finally:
            await client.aclose()

    with caplog.at_level("WARNING", logger="teller_app.core.audit_refused"):
        assert asyncio.run(run()) == 5
    rows = _trail(http, admin, marks)
    assert [r["entity"] for r in rows] == [f"customer:{m}" for m in marks]  # in order, once
    went = rows[1]
    assert went["action"] == "other" and set(went["detail"]) >= {"refused_entry", "refusal"}
    assert bad.client_id in went["detail"]["refused_entry"]
    assert went["detail"]["refused_entry"].endswith("…")  # clipped
    assert "detail is too large" in went["detail"]["refusal"]
    assert [r["action"] for r in rows[:1] + rows[2:]] == ["edit"] * 4
    assert box.unsent() == [] and box.quarantined() == []
    assert box.path.read_bytes() == b""  # everything is on the hub: emptied
    assert reduced_client_id(bad.client_id) in caplog.text


def test_an_entry_refused_also_reduced_is_quarantined_and_never_sent(
        hub: HubProc, http: httpx.Client, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    teller, admin = _people(http, hub)
    marks = [uuid.uuid4().hex for _ in range(4)]
    key = secrets.token_bytes(32)
    box = AuditOutbox(tmp_path / "audit" / "p.outbox", key)
    bad = _fill(box, marks, bad_at=0)
    poisoned = {bad.client_id, reduced_client_id(bad.client_id)}

    async def run() -> tuple[int, int]:
        client = _client(hub, teller)

        async def send(batch: list[dict[str, Any]]) -> Any:
            # the hub refuses any batch with this entry, in either form (its reserved desk
            # id: a refusal the reduced form cannot avoid)
            held = any(e["client_id"] in poisoned for e in batch)
            return await client.append_audit(batch, "hub" if held else "desk-q")

        async def plain(batch: list[dict[str, Any]]) -> Any:
            return await client.append_audit(batch, "desk-q")

        try:
            first = await AuditTrail(box, send).flush()
            later = await AuditTrail(box, plain).flush()  # a hub that would take it now
            return first, later
        finally:
            await client.aclose()

    with caplog.at_level("WARNING", logger="teller_app.core.audit_refused"):
        assert asyncio.run(run()) == (3, 0)
    rows = _trail(http, admin, marks)
    assert [r["entity"] for r in rows] == [f"customer:{m}" for m in marks[1:]]
    held = box.quarantined()
    # kept in its reduced form under its own id (bounded, however large the original)
    assert [(h.entry.client_id, h.entry.action) for h in held] == [(bad.client_id, "other")]
    assert "detail is too large" in held[0].refusal
    assert marks[0] in held[0].entry.detail[REFUSED_KEY]
    assert box.unsent() == [] and box.waiting() == 1  # what deleting the profile would lose
    lines = [raw for raw in box.path.read_bytes().split(b"\n") if raw]
    assert len(lines) == 1  # emptied but for its record
    assert json.dumps(bad.client_id) not in box.path.read_text()  # sealed at rest
    assert [h.entry for h in AuditOutbox(box.path, key).quarantined()] == [held[0].entry]
    assert "never sent" in caplog.text and bad.client_id in caplog.text
    assert "reserved" in caplog.text  # why its reduced form was refused


def test_an_entry_too_big_for_the_hub_s_body_limit_goes_reduced(
        hub: HubProc, http: httpx.Client, tmp_path: Path) -> None:
    """An entry from before details were cut can be megabytes: the hub answers 413 for the
    whole body (before reading it), and the batch is split the same way."""
    teller, admin = _people(http, hub)
    marks = [uuid.uuid4().hex for _ in range(3)]
    box = AuditOutbox(tmp_path / "audit" / "p.outbox", secrets.token_bytes(32))
    huge = make_entry(AuditAction.CASH_CREATE, customer_guid=marks[1])
    huge = replace(huge, detail={**huge.detail, "comment": "y" * (5 * 1024 * 1024)})
    for i, mark in enumerate(marks):
        box.append(huge if i == 1 else make_entry(AuditAction.LOCK, customer_guid=mark))

    async def run() -> int:
        client = _client(hub, teller)
        try:
            return await AuditTrail(box, lambda b: client.append_audit(b, "desk-big")).flush()
        finally:
            await client.aclose()

    assert asyncio.run(run()) == 3
    rows = _trail(http, admin, marks)
    assert [(r["entity"], r["action"]) for r in rows] == [
        (f"customer:{marks[0]}", "lock"), (f"customer:{marks[1]}", "other"),
        (f"customer:{marks[2]}", "lock")]
    assert huge.client_id in rows[1]["detail"]["refused_entry"]
    assert box.unsent() == [] and box.path.read_bytes() == b""


def test_an_entry_another_employee_s_session_already_sent_is_not_held_back(
        hub: HubProc, http: httpx.Client, tmp_path: Path) -> None:
    """An entry written before owners were kept goes with whoever is signed in: sent by one
    employee (the answer lost), sent again by the next from a renamed desk, the hub refuses
    the whole batch with 409 client_id_taken. That entry is on the hub: it is marked sent,
    and the rest go."""
    first_teller, admin = _people(http, hub)
    next_teller = sign_in(http, add_employee(http, hub, roles=["Teller"], head_office=True))
    marks = [uuid.uuid4().hex for _ in range(3)]
    box = AuditOutbox(tmp_path / "audit" / "p.outbox", secrets.token_bytes(32))
    entries = [make_entry(AuditAction.CUSTOMER_EDIT, customer_guid=m) for m in marks]
    for entry in entries:
        box.append(entry)  # no owner: anyone's session sends it

    async def run() -> int:
        first, after = _client(hub, first_teller), _client(hub, next_teller)
        try:
            await first.append_audit([entries[0].wire()], "desk-before")  # its answer lost
            return await AuditTrail(box, lambda b: after.append_audit(b, "desk-after")).flush()
        finally:
            await first.aclose()
            await after.aclose()

    assert asyncio.run(run()) == 3
    rows = _trail(http, admin, marks)
    assert [r["entity"] for r in rows] == [f"customer:{m}" for m in marks]  # each once
    assert [r["desk_id"] for r in rows] == ["desk-before", "desk-after", "desk-after"]
    assert box.unsent() == [] and box.path.read_bytes() == b""


@pytest.mark.parametrize("hostname", ["hub", "HUB", "ｈｕｂ"])
def test_a_desk_on_a_computer_named_hub_is_heard(
        hub: HubProc, http: httpx.Client, tmp_path: Path, hostname: str) -> None:
    """The hub keeps the desk_id "hub" for its own rows and refuses a desk sending it: a
    computer of that name would have had every entry quarantined. Its id is its own now."""
    teller, admin = _people(http, hub)
    mark = uuid.uuid4().hex
    box = AuditOutbox(tmp_path / "audit" / "p.outbox", secrets.token_bytes(32))
    box.append(make_entry(AuditAction.CUSTOMER_EDIT, customer_guid=mark))
    desk = desk_id_for(hostname)

    async def run() -> int:
        client = _client(hub, teller)
        try:
            return await AuditTrail(box, lambda b: client.append_audit(b, desk)).flush()
        finally:
            await client.aclose()

    assert asyncio.run(run()) == 1
    [row] = _trail(http, admin, [mark])
    # the hub stores ids NFKC (a full-width name as its ASCII twin)
    assert row["desk_id"] == unicodedata.normalize("NFKC", f"{hostname}-desk")
    assert row["action"] == "edit"
