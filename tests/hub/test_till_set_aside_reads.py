"""A close's co-sign writes one ``till_set_aside`` audit row per payment it sets aside, each
naming its customer and what DCM confirmed: the customers come from one read of the
authorizations for the whole set (it read them one query per payment), never from more
columns in ``till_holding.outstanding``, which reads by its index only
(``test_till_holding_indexes``); the answer says what DCM confirmed field by field too, the
rows by their own rule. The store code on a fresh database, SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import till_authorized
from teller_app.hub.fe_tables import audit_log
from teller_app.hub.models import HubEmployee
from teller_app.hub.till_tables import cash_authorizations, tills

TILL = "till-aside"
SUP = HubEmployee("sup@x", "Sup", ("Supervisor",), "B1", False, "hub")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _auth(i: int, till_id: str) -> dict[str, Any]:
    return {"payment_guid": f"p-{i}", "teller": "t1@x", "till_id": till_id,
            "branch_guid": "B1", "customer_guid": f"c-{i}",
            "kind": ("deposit", "withdrawal")[i % 2], "amount_minor": 1000 + i,
            "decision": "allow", "reasons": "", "day": "2026-12-07", "created_at": 10 + i}


def test_the_cosign_reads_the_customers_once_and_names_what_dcm_confirmed(url: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            await conn.execute(tills.insert().values(
                id=TILL, till_code="T1", branch_guid="B1", teller="t1@x",
                state="close_cosign", opened_at=1, open_counts="{}", open_minor=0,
                desk_id="d", lease_until=0, close_reason="DCM confirmed other amounts"))
            await conn.execute(cash_authorizations.insert(), [
                *(_auth(i, TILL) for i in range(3)), _auth(9, "another-till")])
        async with engine.connect() as conn:
            row = (await conn.execute(sa.select(tills).where(tills.c.id == TILL))).one()
        confirmed = {"p-0": till_authorized.Mismatch(
            "p-0", "deposit", 1000, "9.00 UAH", (("confirmed_amount", "9.00"),),
            (("confirmed_amount", "9.00"), ("confirmed_asset", "UAH"))),
            "p-1": till_authorized.Mismatch(
                "p-1", "withdrawal", 1001, "10.01 UAH, not EUR",
                (("confirmed_amount", "10.01"), ("confirmed_asset", "UAH")),
                (("confirmed_amount", "10.01"), ("confirmed_asset", "UAH"),
                 ("tills_currency", "EUR")))}
        seen: list[str] = []

        def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            if "cash_authorizations" in statement and \
                    statement.lstrip().upper().startswith("SELECT"):
                seen.append(statement)
        sa.event.listen(engine.sync_engine, "before_cursor_execute", before)
        async with engine.begin() as conn:
            out = await till_authorized.set_aside_on_close(conn, SUP, row, confirmed)
        sa.event.remove(engine.sync_engine, "before_cursor_execute", before)
        assert [o["payment_guid"] for o in out] == ["p-0", "p-1", "p-2"]
        # the answer says what DCM confirmed in words and field by field
        assert out[0] == {"payment_guid": "p-0", "kind": "deposit", "authorized": "10.00",
                          "confirmed": "9.00 UAH", "confirmed_amount": "9.00",
                          "confirmed_asset": "UAH"}
        assert out[1]["tills_currency"] == "EUR"
        assert "confirmed" not in out[2]  # nothing read for it: said so by its absence
        # ``outstanding`` and one read of the customers for all three
        assert len(seen) == 2, seen
        assert sum(" IN " in s.upper() for s in seen) == 1, seen
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.select(audit_log.c.entity, audit_log.c.detail)
                                       .order_by(audit_log.c.seq))).all()
        details = {e: json.loads(d) for e, d in rows if e.startswith("payment:")}
        assert sorted(details) == ["payment:p-0", "payment:p-1", "payment:p-2"]
        for i in range(3):
            d = details[f"payment:p-{i}"]
            assert d["event"] == "till_set_aside" and d["customer_guid"] == f"c-{i}", d
            assert d["till_id"] == TILL and d["teller"] == "t1@x", d
            assert d["reason"] == "DCM confirmed other amounts", d
            assert d["code"] == "confirmed_mismatch", d
        assert details["payment:p-0"]["confirmed_amount"] == "9.00"
        # the rows keep their own fields: the asset only where not the tills' currency
        assert "confirmed_asset" not in details["payment:p-0"]
        assert "tills_currency" not in details["payment:p-1"]
        assert details["payment:p-1"]["confirmed_asset"] == "UAH"
        assert details["payment:p-1"]["confirmed"] == "10.01 UAH, not EUR"

    run_on_engine(url, body)
