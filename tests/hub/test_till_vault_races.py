"""A branch vault's first counts and transfers sent at once (SQLite and PostgreSQL). The
review's probe: a branch with no vault row yet had nothing to lock, so six supervisors'
counts of 50 000.00 each waited at once and each co-sign added the difference (the vault
300 000.00); two first transfers into a vault collided on its key. Now the vault's row is
made first and taken by each in turn: one count waits, the vault is what was counted, and
both transfers land.

On PostgreSQL the audit chain's lock is held until every request waits for a lock: each has
done its vault work and none has committed, the widest window a race gets. SQLite runs one
writer at a time by itself."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fe_db import db_url
from hub_proc import HubProc, add_employee, sign_in
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from staffed_hub import Staffed, staffed_hub
from till_open import open_till

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.events import AUDIT_LOCK

Call = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]
WAITING = ("SELECT count(*) FROM pg_stat_activity "
           "WHERE datname = current_database() AND wait_event_type = 'Lock'")


@pytest.fixture(scope="module")
def staff(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Staffed]:
    with staffed_hub(tmp_path_factory.mktemp("vault-races"), sandbox, hub_db) as s:
        yield s


async def _until_waiting(engine: AsyncEngine, n: int, sent: list[asyncio.Task[Any]]) -> None:
    """Until ``n`` sessions wait for a lock (each poll a transaction of its own: a
    transaction sees one snapshot of ``pg_stat_activity``)."""
    deadline = time.monotonic() + 30
    while True:
        async with engine.connect() as conn:
            if (await conn.execute(sa.text(WAITING))).scalar_one() >= n:
                return
        answered = [t.result().text for t in sent if t.done()]
        assert not answered, f"answered before the audit lock was let go: {answered}"
        assert time.monotonic() < deadline, "the requests never reached the audit lock"
        await asyncio.sleep(0.05)


def at_once(hub: HubProc, calls: list[Call]) -> list[httpx.Response]:
    """Every call sent at once, their answers in order."""
    url = db_url(hub)

    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=hub.base_url, timeout=60) as client:
            if not url.startswith("postgresql"):
                return list(await asyncio.gather(*(call(client) for call in calls)))
            engine = create_async_engine(url)
            try:
                async with engine.begin() as holder:  # let go at its commit
                    await holder.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"),
                                         {"k": AUDIT_LOCK})
                    sent = [asyncio.create_task(call(client)) for call in calls]
                    await _until_waiting(engine, len(calls), sent)
                return list(await asyncio.gather(*sent))
            finally:
                await engine.dispose()
    return asyncio.run(run())


def _vault(staff: Staffed, branch: str) -> dict[str, Any]:
    r = staff.http.get("/api/v1/cash/position", headers=staff.admin,
                       params={"branch_guid": branch})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_first_counts_of_a_vault_sent_at_once_leave_one_to_co_sign(staff: Staffed) -> None:
    b = staff.b1  # its vault was never counted: no row yet
    sups = [sign_in(staff.http, add_employee(staff.http, staff.hub, roles=["Supervisor"],
                                             branch_guid=b)) for _ in range(6)]
    body = {"counts": {"note_1000": 50}, "reason": "opening stock"}  # 50 000.00

    def put(who: dict[str, str]) -> Call:
        return lambda client: client.put("/api/v1/vault", headers=who, json=body)

    answers = at_once(staff.hub, [put(who) for who in sups])
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
    pos = _vault(staff, b)
    assert (len(pos["pending_vault_counts"]), pos["vault"]) == (1, "0.00"), pos
    # every count filed, co-signed by anyone who may: only the one still waiting applies
    applied = []
    for answer in answers:
        count_id = answer.json()["count"]["id"]
        for who in sups:
            r = staff.http.post(f"/api/v1/vault/counts/{count_id}/cosign", headers=who)
            assert r.status_code in (200, 403, 409), r.text
            if r.status_code == 200:
                applied.append(count_id)
                break
    assert applied == [pos["pending_vault_counts"][0]["id"]]
    pos = _vault(staff, b)
    assert (pos["vault"], pos["pending_vault_counts"]) == ("50000.00", [])
    states = sorted(staff.http.get(f"/api/v1/vault/counts/{a.json()['count']['id']}",
                                   headers=sups[0]).json()["state"] for a in answers)
    assert states == ["applied"] + ["superseded"] * 5


def test_first_transfers_into_a_vault_approved_at_once_both_land(staff: Staffed) -> None:
    b = staff.b0  # its vault was never counted nor moved: no row yet
    assert _vault(staff, b)["vault"] == "0.00"
    teller2 = sign_in(staff.http, add_employee(staff.http, staff.hub, roles=["Teller"],
                                               branch_guid=b))
    transfers = []
    for n, who in enumerate((staff.teller, teller2)):
        desk = {**who, "X-Desk-ID": f"desk-{n}"}
        open_till(staff.http, who, staff.sup, f"T-race{n}", {"note_100": 5}, f"desk-{n}")
        r = staff.http.post("/api/v1/tills/current/transfers", headers=desk,
                            json={"direction": "to_vault", "amount": "100.00"})
        assert r.status_code == 200, r.text
        transfers.append(r.json()["id"])

    def approve(transfer_id: str) -> Call:
        return lambda client: client.post(f"/api/v1/transfers/{transfer_id}/approve",
                                          headers=staff.sup, json={})

    answers = at_once(staff.hub, [approve(t) for t in transfers])
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert [a.json()["state"] for a in answers] == ["approved", "approved"]
    assert _vault(staff, b)["vault"] == "200.00"
    for n, who in enumerate((staff.teller, teller2)):
        r = staff.http.post("/api/v1/tills/current/close",
                            headers={**who, "X-Desk-ID": f"desk-{n}"},
                            json={"counts": {"note_100": 4}, "reason": ""})
        assert (r.status_code, r.json()["state"]) == (200, "closed"), r.text
