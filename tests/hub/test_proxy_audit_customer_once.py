"""A proxied payment write reads its customer in the hub's rows (``cash_authorizations``)
once, for both of its audit rows ("sent" and "answered"): a confirm, whose payment is named
before DCM answers, reads it before the "sent" row and the "answered" row reuses it; a
create, whose GUID only DCM's answer gives, reads it once after. The hub's own code on a
fresh database, SQLite and PostgreSQL, statements counted on its real engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub.db import now
from teller_app.hub.fe_tables import audit_log
from teller_app.hub.models import HubEmployee
from teller_app.hub.proxy_audit import ProxiedWrite, after_write, audit_sent
from teller_app.hub.proxy_rules import classify
from teller_app.hub.till_tables import cash_authorizations

CP = "cp-guid"
BRANCH = "branch-kyiv"
TELLER = HubEmployee("teller@bank", "Teller", ("Teller",), BRANCH, False, "hub")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


async def _authorized(engine: AsyncEngine, payment: str, customer: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(cash_authorizations.insert().values(
            payment_guid=payment, teller=TELLER.email, branch_guid=BRANCH,
            customer_guid=customer, kind="deposit", amount_minor=10_000, decision="allow",
            day="2026-01-01", created_at=now()))


async def _rows(engine: AsyncEngine, guid: str) -> dict[str, dict[str, Any]]:
    async with engine.connect() as conn:
        details = (await conn.execute(sa.select(audit_log.c.detail).where(
            audit_log.c.action == "proxy_write"))).scalars().all()
    rows = [json.loads(d) for d in details]
    return {r["event"]: r for r in rows if r.get("target_guid") == guid}


def _reads(seen: list[str]) -> int:
    return sum(1 for s in seen if s.startswith("SELECT cash_authorizations.customer_guid"))


async def _write(engine: AsyncEngine, method: str, path: str, body: Any,
                 answer: dict[str, Any]) -> list[str]:
    """One proxied write's bookkeeping (sent, then answered); the statements it ran."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    sa.event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        pending = ProxiedWrite(TELLER, method, classify(method, path, CP), body,
                               json.dumps(body).encode())
        write = await audit_sent(engine, pending)
        upstream = httpx.Response(200, json=answer)
        await after_write(engine, write, upstream)
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", record)
    return seen


def test_a_confirm_reads_its_customer_once_for_both_rows(db_url: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _authorized(engine, "pay-confirm", "cust-1")
        seen = await _write(
            engine, "POST", f"api/v1/counterparty/{CP}/branch/{BRANCH}/payments/confirm",
            {"payment_guid": "pay-confirm"}, {"payment_guid": "pay-confirm"})
        assert _reads(seen) == 1, seen
        rows = await _rows(engine, "pay-confirm")
        assert set(rows) == {"sent", "answered"}, rows
        assert all(r.get("customer_guid") == "cust-1" for r in rows.values()), rows

    run_on_engine(db_url, body)


def test_a_create_reads_its_customer_once_after_dcm_named_it(db_url: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        await _authorized(engine, "pay-new", "cust-2")  # as if the hub knew the answer's
        seen = await _write(
            engine, "POST", f"api/v1/counterparty/{CP}/branch/{BRANCH}/payments",
            {"amount": "100.00"}, {"guid": "pay-new"})
        assert _reads(seen) == 1, seen
        rows = await _rows(engine, "pay-new")
        assert set(rows) == {"answered"}, rows  # the sent row could not name the GUID yet
        assert rows["answered"].get("customer_guid") == "cust-2", rows

    run_on_engine(db_url, body)
