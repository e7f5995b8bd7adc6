"""Where an incremental sync starts (SyncEngine against a fake platform: exact clocks)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from teller_app.cache.convert import canonical_ts
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.sync import SyncEngine
from teller_app.platform.models import CustomerRecordPage

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


class FakePlatform:
    """``list_customer_records`` over an in-memory table, with the server clock ``now``.
    ``visible`` hides rows not yet committed (out-of-order commits)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.hidden: set[str] = set()
        self.now = T0
        self.asked: list[str | None] = []

    def put(self, guid: str, at: datetime, surname: str = "Шевченко") -> None:
        self.rows[guid] = {"wallet_user_guid": guid, "surname": surname, "updated_at": at}

    async def list_customer_records(self, **f: Any) -> CustomerRecordPage:
        self.asked.append(f["min_updated_at"])
        low = f["min_updated_at"]
        rows = sorted(
            (r for g, r in self.rows.items() if g not in self.hidden),
            key=lambda r: (r["updated_at"], r["wallet_user_guid"]),
        )
        if low is not None:
            rows = [r for r in rows if canonical_ts(r["updated_at"]) >= low]
        page = rows[f["offset"] : f["offset"] + f["limit"]]
        date = self.now.replace(microsecond=0)  # an HTTP Date: whole seconds
        return CustomerRecordPage([dict(r) for r in page], len(rows), date)


def test_first_incremental_after_a_bulk_full_sync_rereads_nothing(tmp_path: Path) -> None:
    async def scenario() -> None:
        fake = FakePlatform()
        for i in range(300):  # bulk-created: 300 rows within 3 ms
            fake.put(f"g{i:04d}", T0 + timedelta(microseconds=10 * i))
        fake.now = T0 + timedelta(minutes=5)
        worker = CacheWorker()
        await worker.open(tmp_path / "c.db", None)
        engine = SyncEngine(fake, worker, None, page_size=100)
        assert await engine.sync_now() == 300
        # Nothing changed: the next run starts just after the newest row and reads nothing
        # (the old rule re-read every row within 2 s of the newest: all 300).
        assert await engine.sync_now() == 0
        newest = T0 + timedelta(microseconds=10 * 299)
        assert fake.asked[-1] == canonical_ts(newest + timedelta(microseconds=1))
        # One change: only it is read.
        fake.now += timedelta(minutes=1)
        fake.put("g0007", fake.now - timedelta(seconds=30), surname="Змінений")
        assert await engine.sync_now() == 1
        assert [r.guid for r in await worker.search("Змінений")] == ["g0007"]
        await worker.close()

    asyncio.run(scenario())


def test_rows_committed_late_within_the_overlap_are_not_missed(tmp_path: Path) -> None:
    async def scenario() -> None:
        fake = FakePlatform()
        for i in range(10):
            fake.put(f"a{i}", T0 + timedelta(seconds=i))
        # "late" got its stamp before a9 but commits only after the first sync read a9.
        fake.put("late", T0 + timedelta(seconds=8, milliseconds=500))
        fake.hidden.add("late")
        fake.now = T0 + timedelta(seconds=9, milliseconds=200)
        worker = CacheWorker()
        await worker.open(tmp_path / "c.db", None)
        engine = SyncEngine(fake, worker, None, page_size=4, overlap=2.0)
        assert await engine.sync_now() == 10
        fake.hidden.clear()
        fake.now += timedelta(seconds=1)
        # The previous run read at 00:09 (Date, whole seconds): rows stamped after 00:07 may
        # have been uncommitted then, so they are read again, and "late" with them.
        first = len(fake.asked)
        await engine.sync_now()
        assert fake.asked[first] == canonical_ts(T0 + timedelta(seconds=7))
        assert await worker.get_customer("late") is not None
        assert (await worker.stats()).count == 11
        await worker.close()

    asyncio.run(scenario())
