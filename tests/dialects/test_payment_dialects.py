"""The payments list's open choices, on one sandbox serving ``payment-filter-names``,
``order-ignored`` and ``exclusive-bounds``: on the wire (raw HTTP) the older filter names and
``order`` are ignored; the client still filters (both spellings, strict bounds moved) and the
history still lists newest first. Expected rows come from the sandbox's own database."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from teller_app.core.cash import CashKind, CashService
from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.core.history import HistoryPager
from teller_app.platform.payment_filters import PaymentFilters
from teller_app.platform.probes import learn_traits
from tests.platform.sandbox_helpers import admin_client, new_customer, password_client

NAMES = ("payment-filter-names", "order-ignored", "exclusive-bounds")


@pytest.fixture(scope="module")
def pay_sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    proc = start_sandbox(tmp_path_factory.mktemp("sb-payments"), dialects=list(NAMES))
    yield proc
    proc.stop()


def _db_payments(sb: SandboxProcess) -> list[tuple[str, str, str, str]]:
    """(guid, created_at, updated_at, category_guid) of every payment, oldest first."""
    db = sqlite3.connect(f"file:{sb.data_dir / 'sandbox.db'}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT guid, created_at, updated_at, COALESCE(category_guid, '') "
                          "FROM payments WHERE counterparty_guid = ? ORDER BY created_at, seq",
                          (sb.counterparty_guid,)).fetchall()
    finally:
        db.close()
    return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]


def _http(sb: SandboxProcess) -> httpx.Client:
    emp = sb.employee("Administrator", None)
    http = httpx.Client(base_url=sb.base_url, timeout=10)  # closed by the caller
    flow = http.get("/kratos/self-service/login/api").json()
    token = http.post("/kratos/self-service/login", params={"flow": flow["id"]},
                      data={"identifier": emp["email"], "password": emp["password"],
                            "method": "password"}).json()["session_token"]
    http.headers["Authorization"] = f"bearer {token}"
    return http


def _guids(http: httpx.Client, path: str, key: str, **params: Any) -> list[str]:
    r = http.get(path, params={"limit": 1000, **params})
    assert r.status_code == 200, r.text
    body = r.json()
    items = body[0][key] if key == "accounts" else body[key]  # accounts: [{"accounts"}]
    return [i.get("guid") or i["wallet_account_guid"] for i in items or []]


def test_older_names_and_order_are_ignored_on_the_wire(pay_sb: SandboxProcess) -> None:
    assert set(pay_sb.manifest["dialects"]) == set(NAMES)
    rows = _db_payments(pay_sb)
    assert len(rows) >= 3
    everything = [r[0] for r in rows]
    cp = f"/api/v1/counterparty/{pay_sb.counterparty_guid}"
    kyiv = pay_sb.manifest["branches"][0]["guid"]
    later = "2999-01-01T00:00:00Z"
    nobody = str(uuid.uuid4())
    with contextlib.closing(_http(pay_sb)) as http:
        for path in (f"{cp}/payments", f"{cp}/branch/{kyiv}/payments"):
            scope = _guids(http, path, "payments")
            assert scope and set(scope) <= set(everything)
            # the older spellings are not known: every payment of the scope comes back
            for old in ({"created_at_min": later}, {"updated_at_min": later},
                        {"category_guid": nobody}, {"guids": nobody},
                        {"created_at_min[]": later}):
                assert _guids(http, path, "payments", **old) == scope, old
            # the current guide's spellings (and the shared names) still filter
            for new in ({"min_created_at": later}, {"min_updated_at": later},
                        {"category_guids": nobody}, {"payment_guids": nobody},
                        {"statuses": "NO-SUCH-STATUS"}):
                assert _guids(http, path, "payments", **new) == [], new
            # order is ignored: oldest first, as the database orders them
            assert _guids(http, path, "payments", order="desc") == scope
            assert scope == [g for g in everything if g in set(scope)]
        accounts = f"{cp}/accounts"
        oldest_first = _guids(http, accounts, "accounts")
        assert _guids(http, accounts, "accounts", order="desc") == oldest_first
        assert len(oldest_first) >= 2


def test_default_sandbox_honours_order_and_both_spellings(sandbox: SandboxProcess) -> None:
    """What the dialects change: the default sandbox orders by ``order`` and knows both
    spellings."""
    cp = f"/api/v1/counterparty/{sandbox.counterparty_guid}"
    with contextlib.closing(_http(sandbox)) as http:
        asc = _guids(http, f"{cp}/payments", "payments")
        assert _guids(http, f"{cp}/payments", "payments", order="desc") == asc[::-1]
        assert _guids(http, f"{cp}/payments", "payments", guids=str(uuid.uuid4())) == []
        accounts = _guids(http, f"{cp}/accounts", "accounts")
        assert _guids(http, f"{cp}/accounts", "accounts", order="desc") == accounts[::-1]


def test_client_filters_with_either_spelling_and_strict_bounds(pay_sb: SandboxProcess) -> None:
    """The audit's probe: under these dialects ``updated_at_min=<oldest>`` found 2 of 3 and
    ``CONFIRMED updated_at_min=now`` every confirmed payment."""
    rows = _db_payments(pay_sb)
    three = rows[:3]

    async def scenario() -> None:
        async with admin_client(pay_sb) as client:
            await learn_traits(client, {})  # what the desk's sync learns first
            assert client.traits.bounds == "exclusive"
            guids = [r[0] for r in three]
            got = await client.list_payments(
                PaymentFilters(guids=guids, created_at_min=three[0][1]), limit=1000)
            assert sorted(p.guid for p in got.payments) == sorted(guids)
            got = await client.list_payments(PaymentFilters(guids=guids, updated_at_min=three[1][2],
                                                            updated_at_max=three[2][2]),
                                             limit=1000)
            assert sorted(p.guid for p in got.payments) == sorted(guids[1:])
            later = await client.list_payments(PaymentFilters(
                statuses=["CONFIRMED"], updated_at_min="2999-01-01T00:00:00Z"))
            assert later.payments == [] and later.total == 0
            category = next(r[3] for r in rows if r[3])
            got = await client.list_payments(PaymentFilters(category_guid=category), limit=1000)
            assert {p.guid for p in got.payments} == {r[0] for r in rows if r[3] == category}
            assert len(got.payments) < len(rows) or all(r[3] == category for r in rows)

    asyncio.run(scenario())


def test_history_is_newest_first_when_order_is_ignored(pay_sb: SandboxProcess) -> None:
    """Both sides of an account, pages of 3, merged newest first: the server lists oldest
    first whatever ``order`` says."""
    branch = pay_sb.manifest["branches"][0]

    async def scenario() -> None:
        async with password_client(pay_sb) as teller, admin_client(pay_sb) as admin:
            service = CashService(teller, branch["guid"], branch["processing_account_guid"],
                                  Decimal("100000.00"))
            created = await admin.create_customer(new_customer(pay_sb))
            customer = created.customer_guid
            for n in range(8):
                kind = CashKind.WITHDRAWAL if n % 3 == 2 else CashKind.DEPOSIT
                draft = await service.create(kind, customer, f"{n + 1}.00")
                await service.confirm(draft.payment_guid)
            pager = HistoryPager(teller, created.wallet_account_guid,
                                 branch_guid=branch["guid"], page_size=3)
            pages = [await pager.next_page()]
            while not pager.at_end:
                pages.append(await pager.next_page())
            rows = [r for page in pages for r in page]
            assert [len(p) for p in pages] == [3, 3, 2]
            amounts = [r.signed_amount for r in rows]
            assert amounts == [Decimal("8.00"), Decimal("7.00"), Decimal("-6.00"),
                               Decimal("5.00"), Decimal("4.00"), Decimal("-3.00"),
                               Decimal("2.00"), Decimal("1.00")]
            stamps = [r.created_at for r in rows]
            assert stamps == sorted(stamps, reverse=True)

    asyncio.run(scenario())
