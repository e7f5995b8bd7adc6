"""The branch cash position adds up at one moment: its parts (each live till's expected cash,
the closed tills, the vault) were separate reads, so a till closed or a vault-to-till transfer
approved by another request or hub process between them made the total count that till twice
(2 000.00 for 1 500.00) or lose the transfer (1 200.00). Now they are one snapshot: the total
stays 1 500.00 while the other commits, and the next read shows the new state. The other
process is a second connection committing right after the first till is read."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from migrated_db import fresh_database

from teller_app.hub import till_close, till_position, till_vault_counts, tills
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


async def _branch(url: str) -> Any:
    """A till opened with 500.00 (co-signed) and a vault counted at 1 000.00 (co-signed)."""
    engine = make_engine(HubSettings(database_url=url))
    till = await tills.open_till(engine, TELLER, till_code="T1", desk_id="desk",
                                 counts={"note_100": 5}, total=50000)
    await tills.cosign(engine, SUPERVISOR, till["id"])
    count = await till_vault_counts.count_vault(engine, SUPERVISOR, BRANCH,
                                                {"note_100": 10}, 100000, "first")
    await till_vault_counts.cosign_count(engine, SECOND, count["id"])
    return engine


@pytest.mark.parametrize("meanwhile", ["close", "transfer"])
def test_the_position_adds_up_while_another_process_commits(
        url: str, meanwhile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async def run() -> None:
        engine = await _branch(url)
        other = make_engine(HubSettings(database_url=url))  # another hub process
        try:
            assert (await till_position.position(engine, SUPERVISOR, BRANCH))["total"] \
                == "1500.00"
            transfer = await transfers.request_transfer(
                engine, TELLER, "desk", "to_till", 30000) if meanwhile == "transfer" else None
            read_till = till_position.expected_minor
            committed = asyncio.Event()

            async def then_commit(conn: Any, till_id: str) -> int:
                value = await read_till(conn, till_id)
                if not committed.is_set():  # right after the first till is read
                    committed.set()
                    if transfer is None:
                        await till_close.close_till(other, TELLER, "desk", {"note_100": 5},
                                                    50000, "")
                    else:
                        await transfers.decide_transfer(other, SUPERVISOR, transfer["id"],
                                                        approve=True, comment="")
                return value

            monkeypatch.setattr(till_position, "expected_minor", then_commit)
            during = await till_position.position(engine, SUPERVISOR, BRANCH)
            assert committed.is_set()
            monkeypatch.setattr(till_position, "expected_minor", read_till)
            after = await till_position.position(engine, SUPERVISOR, BRANCH)
            # was 2000.00 (close: the till live and closed) or 1200.00 (the transfer lost)
            assert during["total"] == "1500.00", during
            assert (during["vault"], during["in_open_tills"]) == ("1000.00", "500.00")
            assert after["total"] == "1500.00", after
            if transfer is None:
                assert after["in_closed_tills"] == "500.00" and not after["tills"]
            else:
                assert (after["vault"], after["in_open_tills"]) == ("700.00", "800.00")
        finally:
            await other.dispose()
            await engine.dispose()

    asyncio.run(run())
