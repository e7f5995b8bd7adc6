"""Desk audit entries recorded while the disk is full are not lost. The outbox is on a real,
tiny tmpfs that is filled; the desk talks to the real embedded sandbox + Teller Hub over
loopback. An entry the outbox cannot take is kept in memory: sent straight to the hub when
it is reachable, else written once there is space again (retried, no new record needed),
and on the hub exactly once either way."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fs_faults import fill, small_fs
from reliability_helpers import TELLER

from teller_app.core import audit_desk
from teller_app.core.audit_desk import DeskAudit
from teller_app.core.embedded_hub import free_port
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.core.session import HubLink, Session
from teller_app.platform._http import RetryPolicy
from teller_app.platform.hub_client import HubClient
from tests.onboarded_stack import onboarded_stack

pytestmark = [pytest.mark.slow]
PROFILE = "sandbox"
OPENED = "customer_opened"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    with onboarded_stack(tmp_path_factory.mktemp("audit-full-disk")) as started:
        yield started


async def _teller(stack: EmbeddedStack) -> Session:
    from teller_app.ui.sign_in import sandbox_target, sign_in

    target = sandbox_target(stack.sandbox.manifest, stack.hub_url)
    password = next(e["password"] for e in stack.sandbox.manifest["employees"]
                    if e["email"] == TELLER)
    return await sign_in(target, TELLER, str(password), remember=False, store=None)


async def _on_hub(session: Session, markers: dict[str, str]) -> dict[str, int]:
    """How many of the hub's entries name each marker."""
    assert session.hub is not None
    listed = await session.hub.call(lambda hub: hub.audit(limit=1000))
    return {name: sum(1 for e in listed.entries if marker in e.entity)
            for name, marker in markers.items()}


def _key_source() -> audit_desk.KeySource:
    key = secrets.token_bytes(32)  # one outbox key for the desk (as its keyring keeps it)

    async def source(_profile: str) -> bytes:
        return key

    return source


@pytest.mark.asyncio
async def test_entries_recorded_on_a_full_disk_go_straight_to_a_reachable_hub_once(
        stack: EmbeddedStack, tmp_path: Path) -> None:
    markers = {name: str(uuid.uuid4()) for name in "ABCD"}
    with small_fs(tmp_path, "64k") as fs:
        teller = await _teller(stack)
        try:
            desk = DeskAudit(PROFILE, teller.hub, "desk-1", key_source=_key_source(), base=fs)
            told: list[str] = []
            desk.on_failure = lambda: told.append("failed")
            desk.on_written = lambda: told.append("written")
            desk.record(OPENED, customer_guid=markers["A"])
            await desk.drain()
            filler = fill(fs)
            desk.record(OPENED, customer_guid=markers["B"])
            desk.record(OPENED, customer_guid=markers["C"])
            await desk.drain()
            # neither could be written, and neither is lost: the hub has them already
            assert await _on_hub(teller, {k: markers[k] for k in "BC"}) == {"B": 1, "C": 1}
            assert (desk.failures, desk.unwritten) == (2, 0)
            assert told == ["failed", "failed", "written"]  # both told, then their end
            filler.unlink()  # space again
            desk.record(OPENED, customer_guid=markers["D"])
            await desk.drain()
            await desk.flush()
            assert await desk.unsent() == []
            assert await _on_hub(teller, markers) == {"A": 1, "B": 1, "C": 1, "D": 1}
            await desk.aclose()
        finally:
            await teller.close()


@pytest.mark.asyncio
async def test_entries_recorded_on_a_full_disk_are_written_when_space_returns(
        stack: EmbeddedStack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hub cannot be reached while the disk is full: the entries wait in memory, are
    written (in order, without another record) once there is space, and go once the hub can
    be reached again. (The disk is full from the start: an outbox file already written to
    would take a short line into its last page's slack.)"""
    monkeypatch.setattr(audit_desk, "RETRY_MIN_S", 0.05)  # the retry's first wait
    markers = {name: str(uuid.uuid4()) for name in "ABC"}
    with small_fs(tmp_path, "64k") as fs:
        teller = await _teller(stack)
        down = HubClient(f"http://127.0.0.1:{free_port()}", retry=RetryPolicy(attempts=1))
        try:
            desk = DeskAudit(PROFILE, HubLink(down, teller.client, teller.branch_guid),
                             "desk-1", key_source=_key_source(), base=fs)
            written = asyncio.Event()
            desk.on_written = written.set
            filler = fill(fs)
            for name in "ABC":
                desk.record(OPENED, customer_guid=markers[name])
            await desk.drain()
            assert (desk.failures, desk.unwritten) == (3, 3)  # kept in memory
            assert not written.is_set()
            filler.unlink()  # space again: the desk's own retry writes them
            await asyncio.wait_for(written.wait(), 60)
            assert desk.unwritten == 0
            assert [e.entity for e in await desk.unsent()] == [
                f"customer:{markers[name]}" for name in "ABC"]  # in the order recorded
            await desk.set_link(teller.hub)  # the hub can be reached again
            await desk.drain()
            await desk.flush()
            assert await desk.unsent() == []
            assert await _on_hub(teller, markers) == {"A": 1, "B": 1, "C": 1}
            await desk.aclose()
        finally:
            await down.aclose()
            await teller.close()
