"""``GET /tills/current`` reads the till and its transfers waiting at one moment: they were two
reads, so a vault→till transfer another hub process approved between them was in neither
(expected 500.00 and nothing waiting, the 300.00 nowhere) for one read. Now the read shows
the moment before the approval whole (500.00, the transfer waiting), the next one the moment
after (800.00, none waiting). The other process is a second connection committing right after
the till's expected cash is read, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from migrated_db import fresh_database

from teller_app.hub import till_vault_counts, tills
from teller_app.hub import till_vault_transfers as transfers
from teller_app.hub.db import make_engine
from teller_app.hub.models import HubEmployee
from teller_app.hub.settings import HubSettings

BRANCH = "branch-1"
TELLER = HubEmployee("t@x", "T", ("Teller",), BRANCH, False, "hub")
SUPERVISOR = HubEmployee("s@x", "S", ("Supervisor",), BRANCH, False, "hub")
SECOND = HubEmployee("s2@x", "S2", ("Supervisor",), BRANCH, False, "hub")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def test_the_current_till_and_its_transfers_are_one_moment(
        url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async def run() -> None:
        engine = make_engine(HubSettings(database_url=url))
        other = make_engine(HubSettings(database_url=url))  # another hub process
        try:
            till = await tills.open_till(engine, TELLER, till_code="T1", desk_id="desk",
                                         counts={"note_100": 5}, total=50000)
            await tills.cosign(engine, SUPERVISOR, till["id"])
            count = await till_vault_counts.count_vault(engine, SUPERVISOR, BRANCH,
                                                        {"note_100": 10}, 100000, "first")
            await till_vault_counts.cosign_count(engine, SECOND, count["id"])
            transfer = await transfers.request_transfer(engine, TELLER, "desk", "to_till",
                                                        30000)
            read_till = tills.expected_minor
            committed = asyncio.Event()

            async def then_commit(conn: Any, till_id: str) -> int:
                value = await read_till(conn, till_id)
                if not committed.is_set():  # right after the till's expected cash is read
                    committed.set()
                    await transfers.decide_transfer(other, SUPERVISOR, transfer["id"],
                                                    approve=True, comment="")
                return value

            monkeypatch.setattr(tills, "expected_minor", then_commit)
            during = await tills.current_till(engine, TELLER)
            assert committed.is_set()
            monkeypatch.setattr(tills, "expected_minor", read_till)
            after = await tills.current_till(engine, TELLER)
            waiting = [t["id"] for t in during["pending_transfers"]]
            # was ("500.00", []): the approved 300.00 in neither
            assert (during["expected"], waiting) == ("500.00", [transfer["id"]]), during
            assert (after["expected"], after["pending_transfers"]) == ("800.00", []), after
        finally:
            await other.dispose()
            await engine.dispose()

    asyncio.run(run())
