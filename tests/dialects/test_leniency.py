"""Wire models and client pieces that make every dialect readable (no server needed)."""

from __future__ import annotations

import asyncio
import json
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pydantic
import pytest

from teller_app.cache.convert import account_values
from teller_app.core.server_traits import TraitsStore
from teller_app.core.sync_paging import KeysetUnusable, advance_keyset
from teller_app.platform import PasswordLogin, PlatformClient, Unavailable
from teller_app.platform.models import (
    CUSTOMER_RECORDS,
    AccountWithAssets,
    CreatedCustomer,
    CustomerPage,
    Employee,
    EmployeePage,
    minor_unit_of,
)
from teller_app.platform.traits import ServerTraits
from teller_app.secrets import Profile

GUID = "b948d0e4-93c0-43ee-b861-7d699c73a355"


def test_null_lists_and_null_fields_do_not_reject_a_page() -> None:
    page = CustomerPage.model_validate({"customers": None, "total": "0"})
    assert page.customers == [] and page.total == 0
    row = {"wallet_user_guid": GUID, "is_disabled": None, "phone_number": 380501234567,
           "kyc_level": "2", "balance_allowed": "12.5", "branch_guid": None, "name": None,
           "created_at": "2023-07-14T11:31:14.137931123+00:00", "updated_at": None}
    page = CustomerPage.model_validate({"customers": [row], "total": "1"})
    c = page.customers[0]
    assert (c.is_disabled, c.phone_number, c.kyc_level, c.name) == (False, "380501234567", 2, "")
    assert c.created_at == datetime(2023, 7, 14, 11, 31, 14, 137931, tzinfo=UTC)
    records = CUSTOMER_RECORDS.validate_python({"customers": [row], "total": "1"})
    assert records["customers"][0]["phone_number"] == "380501234567"
    assert records["customers"][0]["is_disabled"] is False
    assert CUSTOMER_RECORDS.validate_python({"customers": None})["customers"] == []


def test_employee_guid_key_and_null_roles() -> None:
    emp = Employee.model_validate({"employee_guid": GUID, "roles": None, "phone": None})
    assert emp.guid == GUID and emp.roles == []
    assert EmployeePage.model_validate({"employees": None}).employees == []


def test_minor_unit_missing_is_2_in_one_place() -> None:
    for raw in (None, "", "x", True, -1, 99):
        assert minor_unit_of(raw) == 2
    assert minor_unit_of("0") == 0 and minor_unit_of(3) == 3
    acc = AccountWithAssets.model_validate(
        {"guid": GUID, "assets": [{"code": "UAH", "balance": "12.345", "minor_unit": None}],
         "activated": None})
    assert acc.assets[0].minor_unit == 2 and str(acc.assets[0].balance) == "12.34"
    values = account_values(GUID, {"guid": GUID, "assets": [{"code": "UAH"}]}, 0.0)
    assert json.loads(values[5])[0]["minor_unit"] == 2


def test_a_missing_customer_guid_is_an_error() -> None:
    for body in ({"guid": GUID}, {"guid": GUID, "customer_guid": None},
                 {"guid": GUID, "customer_guid": ""}):
        with pytest.raises(pydantic.ValidationError):
            CreatedCustomer.model_validate(body)


def test_keyset_never_advances_to_an_empty_bound() -> None:
    with pytest.raises(KeysetUnusable):
        advance_keyset([{"wallet_user_guid": GUID, "updated_at": None}],
                       "2024-01-01T00:00:00.000000Z", 0)


def _client(handler: object) -> PlatformClient:
    auth = PasswordLogin("e@x", None, session_token="tok")
    return PlatformClient("http://127.0.0.1:9", "cp", auth=auth,
                          transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


def test_client_adapts_requests_and_refuses_an_empty_time_bound() -> None:
    """Fault-injection transport: what the adapted request looks like on the wire."""
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json={"customers": [], "total": 0})

    async def scenario() -> None:
        client = _client(handler)
        client.traits = ServerTraits(page_cap=100, disabled_reading="include",
                                     ordering="strict", bounds="exclusive")
        await client.list_customers(min_updated_at="2024-05-01T10:00:00Z", limit=1000,
                                    ordering="updated_at")
        q = seen[-1].params
        assert q["is_disabled"] == "true" and q["limit"] == "100" and "ordering" not in q
        assert q["min_updated_at"] == "2024-05-01T09:59:59.999999Z"
        for bad in ("", "text"):
            with pytest.raises(ValueError):
                await client.list_customer_records(min_updated_at=bad)
        await client.aclose()

    asyncio.run(scenario())


def test_page_cap_is_learnt_and_a_missing_total_means_maybe_more() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", "0"))
        rows = [{"wallet_user_guid": f"{GUID[:-3]}{i:03d}", "is_disabled": False}
                for i in range(offset, min(offset + 100, 250))]
        return httpx.Response(200, json={"customers": rows, "total": 250})

    async def scenario() -> None:
        client = _client(handler)
        client.traits = ServerTraits(disabled_reading="exact")
        learnt: list[ServerTraits] = []
        client.on_traits_changed = learnt.append
        got = [c async for c in client.iter_customers(page_size=1000)]
        assert len(got) == 250 and client.traits.page_cap == 100 and learnt
        await client.aclose()

        def no_total(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={"customers": [{"wallet_user_guid": GUID}]})

        client = _client(no_total)
        client.traits = ServerTraits(disabled_reading="exact")
        page = await client.list_customer_records(offset=0, limit=1)
        assert page.total == 2  # one row and "maybe more": paging stops on an empty page
        await client.aclose()

    asyncio.run(scenario())


def test_an_answer_without_customer_guid_is_not_carried_on(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, json={"guid": GUID, "customer_guid": ""})
        return httpx.Response(200, json={"customers": [], "total": 0})

    async def scenario() -> None:
        from teller_app.platform import NewCustomer

        client = _client(handler)
        with pytest.raises(Unavailable, match="customer_guid"):
            await client.create_customer(NewCustomer(asset_code="UAH", asset_issuer="G",
                                                     login="x@y"))
        await client.aclose()

    asyncio.run(scenario())


def test_traits_store_is_per_profile_0600_and_forgets_another_server(tmp_path: Path) -> None:
    store = TraitsStore(tmp_path / "cfg" / "server-traits.json")
    profile = Profile(name="bank", base_url="https://a", counterparty_guid="cp")
    traits = ServerTraits(page_cap=100, ordering="ignored", bounds="exclusive")
    store.save(profile, traits)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.load(profile) == traits
    moved = profile.model_copy(update={"base_url": "https://b"})
    assert store.load(moved) == ServerTraits()
    assert ServerTraits.from_json({"page_cap": "x", "ordering": "sideways",
                                   "bounds": "inclusive"}) == ServerTraits(bounds="inclusive")


def test_sandbox_refuses_an_unknown_dialect(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "teller_app.sandbox", "--data",
                           str(tmp_path), "--dialect", "null-lists,nope"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unknown dialect 'nope'" in done.stderr
    bad = tmp_path / "d.json"
    bad.write_text('{"dialects": "all"}', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "teller_app.sandbox", "--data",
                           str(tmp_path), "--dialect-file", str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
