"""``PaymentFilters``: one value for what a payments list asks the server and what each row it
answers is checked against (``payment_matches``)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from sandbox_helpers import admin_client

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform.models import Payment
from teller_app.platform.payment_filters import PaymentFilters, payment_matches


def _row(**changes: Any) -> Payment:
    wire = {"guid": "AB12CD34-0000-4000-8000-000000000001", "amount": "10.00",
            "asset_code": "UAH", "sender_id": "s1", "receiver_id": "r1", "status": "CREATED",
            "category_guid": "c1", "created_at": "2024-05-01T10:00:00Z",
            "updated_at": "2024-05-02T10:00:00Z"}
    return Payment.model_validate({**wire, **changes})


def test_a_row_is_checked_against_every_filter() -> None:
    row = _row()
    assert payment_matches(row, PaymentFilters())
    # GUIDs, codes and statuses in any case; bounds inclusive
    assert payment_matches(row, PaymentFilters(
        guids=[row.guid.lower()], statuses=["created"], category_guid="C1",
        asset_codes=["uah"], min_amount=Decimal(10), max_amount=Decimal(10),
        created_at_min=row.created_at, created_at_max="2024-05-01T10:00:00Z"))
    contradicted = [
        PaymentFilters(guids=["AB12CD34-0000-4000-8000-000000000002"]),
        PaymentFilters(sender_ids=["r1"]), PaymentFilters(receiver_ids=["s1"]),
        PaymentFilters(statuses=["CONFIRMED"]), PaymentFilters(category_guid="c2"),
        PaymentFilters(min_amount=Decimal("10.01")), PaymentFilters(max_amount=Decimal("9.99")),
        PaymentFilters(created_at_min="2024-05-01T10:00:00.000001Z"),
        PaymentFilters(updated_at_max="2024-05-02T09:59:59Z"),
        PaymentFilters(external_transaction_id="x1")]
    assert [f for f in contradicted if payment_matches(row, f)] == []
    # a row that does not say is kept
    assert payment_matches(_row(created_at=None),
                           PaymentFilters(created_at_min="2999-01-01T00:00:00Z"))


@pytest.mark.asyncio
async def test_the_server_answers_what_the_filters_ask(sandbox: SandboxProcess) -> None:
    async with admin_client(sandbox) as client:
        everything = [p async for p in client.iter_payments(page_size=50)]
        assert everything, "the seed has payments"
        pick = everything[0]
        wanted = PaymentFilters(receiver_ids=[pick.receiver_id], statuses=[pick.status_raw])
        by_filters = await client.list_payments(wanted, limit=1000)
        assert pick.guid in {p.guid for p in by_filters.payments}
        assert all(payment_matches(p, wanted) for p in by_filters.payments)
        assert {p.guid for p in by_filters.payments} == {
            p.guid for p in everything if payment_matches(p, wanted)}
        paged = [p.guid async for p in client.iter_payments(wanted, page_size=2)]
        assert sorted(paged) == sorted(p.guid for p in by_filters.payments)
        nobody = await client.list_payments(PaymentFilters(receiver_ids=[str(uuid.uuid4())]))
        assert nobody.payments == [] and nobody.total == 0


@pytest.mark.asyncio
async def test_a_big_page_of_payments_is_read_off_the_event_loop(
        sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    """An export reads 1000 payments a call: validating them is tens of ms, too long for the
    event loop (the desk's UI thread), and one call holds the GIL throughout, so they are
    validated off it a chunk a call; a card's page of 50 stays on it (cheaper than a hop)."""
    import threading

    from teller_app.platform import client_payments
    from teller_app.platform.client_base import ClientBase
    from teller_app.platform.models import PaymentPage

    parsed: list[tuple[int, str]] = []
    parse = ClientBase._parse

    def spy(self: Any, model: Any, data: Any, *rest: Any) -> Any:
        if model is PaymentPage:
            parsed.append((len(data.get("payments") or []), threading.current_thread().name))
        return parse(self, model, data, *rest)

    monkeypatch.setattr(ClientBase, "_parse", spy)
    monkeypatch.setattr(client_payments, "BIG_PAGE", 3)  # the seed's payments are a "big" page
    monkeypatch.setattr(client_payments, "PARSE_CHUNK", 10)
    async with admin_client(sandbox) as client:
        big = await client.list_payments(limit=1000)
        small = await client.list_payments(limit=2)
    assert len(big.payments) > 10 and len(small.payments) == 2
    loop_thread = threading.main_thread().name
    chunks, last = parsed[:-1], parsed[-1]
    assert sum(n for n, _ in chunks) == len(big.payments), parsed
    assert all(n <= 10 and thread != loop_thread for n, thread in chunks), parsed
    assert last == (2, loop_thread), parsed
    assert [p.guid for p in big.payments] == [p.guid for p in small.payments] + [
        p.guid for p in big.payments[2:]]  # the chunks in order, as one page
