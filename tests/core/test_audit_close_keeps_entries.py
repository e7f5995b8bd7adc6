"""A desk closing while its audit worker is still writing loses nothing: the entry the worker
was writing is written (the close cancels the worker, never the write), and the entries
queued behind it are written by the close itself; all wait in the outbox for the next start.
Real outbox file; the keyring is a gate the test opens (a slow keyring at close)."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import pytest

from teller_app.core import audit_desk
from teller_app.core.audit import AuditAction, AuditOutbox, outbox_path
from teller_app.core.audit_desk import DeskAudit


def test_entries_being_written_at_close_are_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = secrets.token_bytes(32)
    monkeypatch.setattr(audit_desk, "CLOSE_WAIT_S", 0)  # the close's wait is over at once

    async def run() -> list[str]:
        asked = asyncio.Event()
        gate = asyncio.Event()

        async def slow_keyring(_profile: str) -> bytes:
            asked.set()
            await gate.wait()
            return key

        desk = DeskAudit("p", None, "desk-1", key_source=slow_keyring, base=tmp_path)
        first = desk.record(AuditAction.LOCK)
        second = desk.record(AuditAction.UNLOCK)  # queued behind the first
        await asyncio.wait_for(asyncio.shield(asked.wait()), 10)  # the worker is writing
        worker = desk._worker
        assert worker is not None
        # the keyring answers once the close has cut the worker off
        worker.add_done_callback(lambda _task: gate.set())
        await asyncio.wait_for(desk.aclose(), 10)
        assert worker.done()
        assert desk.failures == 0
        return [first.client_id, second.client_id]

    recorded = asyncio.run(run())
    box = AuditOutbox(outbox_path("p", tmp_path), key)
    assert [e.client_id for e in box.unsent()] == recorded  # both, in order, once


def test_a_close_waits_for_the_keyring_only_so_long(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A keyring that never answers holds the close up no longer than its bounds (the
    window's close waits for it): the entry is not written, and the failure is counted."""
    monkeypatch.setattr(audit_desk, "CLOSE_WAIT_S", 0)
    monkeypatch.setattr(audit_desk, "CLOSE_WRITE_S", 0.2)

    async def run() -> int:
        asked = asyncio.Event()

        async def stuck_keyring(_profile: str) -> bytes:
            asked.set()
            await asyncio.Event().wait()  # never
            raise AssertionError

        desk = DeskAudit("p", None, "desk-1", key_source=stuck_keyring, base=tmp_path)
        desk.record(AuditAction.LOCK)
        await asyncio.wait_for(asyncio.shield(asked.wait()), 10)
        await asyncio.wait_for(desk.aclose(), 10)  # ends: TimeoutError here fails the test
        writing = desk._writing
        if writing is not None:
            writing.cancel()
        return desk.failures

    assert asyncio.run(run()) == 1


def test_a_write_that_fails_at_close_is_counted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The write the close let finish fails (the keyring refused): counted, as the queued
    entry's failed write is, so the desk says the trail failed."""
    monkeypatch.setattr(audit_desk, "CLOSE_WAIT_S", 0)

    async def run() -> int:
        asked = asyncio.Event()
        gate = asyncio.Event()

        async def refusing_keyring(_profile: str) -> bytes:
            asked.set()
            await gate.wait()
            raise OSError("the keyring refused")

        desk = DeskAudit("p", None, "desk-1", key_source=refusing_keyring, base=tmp_path)
        desk.record(AuditAction.LOCK)
        desk.record(AuditAction.UNLOCK)
        await asyncio.wait_for(asyncio.shield(asked.wait()), 10)
        worker = desk._worker
        assert worker is not None
        worker.add_done_callback(lambda _task: gate.set())
        await asyncio.wait_for(desk.aclose(), 10)
        return desk.failures

    assert asyncio.run(run()) == 2  # the one being written, and the one queued
