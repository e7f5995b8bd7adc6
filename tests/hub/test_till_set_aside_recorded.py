"""What DCM confirmed of a payment set aside, field by field (``till_authorized.Mismatch``),
and the branch position's list of a till waiting for its co-sign as its close recorded it
(``set_aside_recorded``): the till's drafts still unsettled, each with what the close wrote
in ``tills.close_set_aside`` (revision 0016), never DCM read again and never an audit row (a
desk may write those); a record in words only (an older hub's) is said in words; a record
that says nothing readable says nothing. The store code on a fresh database, SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from teller_app.hub import audit, till_authorized
from teller_app.hub.models import HubEmployee
from teller_app.hub.till_tables import cash_authorizations, till_ops, tills
from teller_app.platform.models import Payment

GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
OTHER = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
TELLER = HubEmployee("t1@x", "Teller", ("Teller",), "B1", False, "hub")
HO_TELLER = HubEmployee("t2@x", "Teller", ("Teller",), None, True, "hub")


def test_what_dcm_confirmed_is_said_field_by_field() -> None:
    auth = SimpleNamespace(payment_guid=GUID, kind="deposit", amount_minor=4500)
    other = till_authorized.mismatch(auth, Payment(guid=OTHER, amount=Decimal("45.00"),
                                                   asset_code="UAH"), "UAH")
    assert other is not None and other.out() == {
        "payment_guid": GUID, "kind": "deposit", "authorized": "45.00",
        "confirmed": f"another payment ({OTHER})", "confirmed_amount": "45.00",
        "confirmed_asset": "UAH", "confirmed_payment_guid": OTHER}
    asset = till_authorized.mismatch(auth, Payment(guid=GUID, amount=Decimal("45"),
                                                   asset_code="UAH"), "EUR")
    assert asset is not None and asset.out() == {
        "payment_guid": GUID, "kind": "deposit", "authorized": "45.00",
        "confirmed": "45 UAH, not EUR", "confirmed_amount": "45", "confirmed_asset": "UAH",
        "tills_currency": "EUR"}
    # the audit row's fields keep their own rule: the asset only where it is not the tills'
    assert dict(asset.confirmed_fields) == {"confirmed_amount": "45", "confirmed_asset": "UAH"}
    amount = till_authorized.mismatch(auth, Payment(guid=GUID, amount=Decimal("4E+1"),
                                                    asset_code="UAH"), "UAH")
    assert amount is not None and amount.out()["confirmed_amount"] == "40"  # no exponent
    assert dict(amount.confirmed_fields) == {"confirmed_amount": "4E+1"}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


async def _till(conn: AsyncConnection, till_id: str, teller: HubEmployee,
                guids: list[str], set_aside: Any = None) -> Any:
    """A till of ``teller`` waiting in ``close_cosign`` with ``guids`` authorized on it and
    ``set_aside`` as its close recorded it."""
    await conn.execute(tills.insert().values(
        id=till_id, till_code=till_id, branch_guid=teller.branch_guid, teller=teller.email,
        state="close_cosign", opened_at=1, open_counts="{}", open_minor=0, desk_id="d",
        lease_until=0, close_minor=0, expected_minor=0, over_short_minor=0,
        close_reason="DCM confirmed other amounts",
        close_set_aside=None if set_aside is None else json.dumps(set_aside)))
    for i, guid in enumerate(guids):
        await conn.execute(cash_authorizations.insert().values(
            payment_guid=guid, teller=teller.email, till_id=till_id,
            branch_guid=teller.branch_guid, customer_guid=f"c-{i}", kind="deposit",
            amount_minor=1000 + i, decision="allow", reasons="", day="2026-12-07",
            created_at=10 + i))
    return (await conn.execute(sa.select(tills).where(tills.c.id == till_id))).one()


def test_the_position_says_what_the_close_recorded(url: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            # p-0 another payment, p-1 in words only (an older hub's), p-2 not recorded
            row = await _till(conn, "T1", TELLER, ["p-0", "p-1", "p-2", "p-3"], [
                {"payment_guid": "p-0", "kind": "deposit", "authorized": "10.00",
                 "confirmed": f"another payment ({OTHER})", "confirmed_amount": "10.00",
                 "confirmed_asset": "UAH", "confirmed_payment_guid": OTHER,
                 "confirmed_kind": "x", "customer_guid": "c-0"},
                {"payment_guid": "p-1", "confirmed": "9.00 UAH"}])
            await conn.execute(till_ops.insert().values(  # p-3 counted: not set aside
                till_id="T1", payment_guid="p-3", kind="deposit", amount_minor=1003,
                delta_minor=1003, created_at=20))
            # a desk's look-alike audit entry, with and without a client id: never read
            for client_id in ("d" + "0" * 30, None):
                await audit.append(conn, audit.Entry(
                    actor=TELLER.email, action="till", entity="till:T1", desk_id="d",
                    branch_guid="B1", client_id=client_id, detail={
                        "awaits_cosign": True, "set_aside": [
                            {"payment_guid": "p-2", "confirmed": "1.00 XXX"}]}))
            out = await till_authorized.set_aside_recorded(conn, row)
        assert out == [
            {"payment_guid": "p-0", "kind": "deposit", "authorized": "10.00",
             "confirmed": f"another payment ({OTHER})", "confirmed_amount": "10.00",
             "confirmed_asset": "UAH", "confirmed_payment_guid": OTHER},
            {"payment_guid": "p-1", "kind": "deposit", "authorized": "10.01",
             "confirmed": "9.00 UAH"},
            {"payment_guid": "p-2", "kind": "deposit", "authorized": "10.02"}]

    run_on_engine(url, body)


def test_a_head_office_till_and_a_record_saying_nothing_readable(url: str) -> None:
    async def body(engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            ho = await _till(conn, "T-HO", HO_TELLER, ["h-0"], [
                {"payment_guid": "h-0", "confirmed": "2.00 UAH", "confirmed_amount": "2.00"}])
            odd = await _till(conn, "T-ODD", TELLER, ["o-0"], 5)
            older = await _till(conn, "T-OLD", TELLER, ["q-0"])  # closed by an older hub
            bad = await _till(conn, "T-BAD", TELLER, ["b-0"])
            await conn.execute(tills.update().where(tills.c.id == "T-BAD").values(
                close_set_aside="{not json"))
            bad = (await conn.execute(sa.select(tills).where(tills.c.id == "T-BAD"))).one()
            assert await till_authorized.set_aside_recorded(conn, ho) == [
                {"payment_guid": "h-0", "kind": "deposit", "authorized": "10.00",
                 "confirmed": "2.00 UAH", "confirmed_amount": "2.00"}]
            for row, guid in ((odd, "o-0"), (older, "q-0"), (bad, "b-0")):
                assert await till_authorized.set_aside_recorded(conn, row) == [
                    {"payment_guid": guid, "kind": "deposit", "authorized": "10.00"}]

    run_on_engine(url, body)


def test_an_amount_of_too_many_digits_is_said_in_words_only() -> None:
    """DCM's "1E+5000000" written plainly would be five million characters in every answer;
    past 20 digits either side the amount is said in words only."""
    auth = SimpleNamespace(payment_guid=GUID, kind="deposit", amount_minor=4500)
    huge = till_authorized.mismatch(auth, Payment(guid=GUID, amount=Decimal("1E+30"),
                                                  asset_code="UAH"), "UAH")
    assert huge is not None and "confirmed_amount" not in huge.out()
    assert huge.out()["confirmed"] == "1E+30 UAH"
    assert till_authorized.plain_amount(Decimal("4E+1")) == "40"
    assert till_authorized.plain_amount(Decimal("1" * 21)) is None
