"""PlatformClient against the sandbox over real HTTP: every method, both auth modes,
re-login after expiry, each error class, paging and incremental sync."""

from __future__ import annotations

import socket
import uuid
from decimal import Decimal

import pytest
from sandbox_helpers import (
    admin_client,
    bank_jwt_auth,
    expire_session,
    new_customer,
    password_client,
)

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import (
    AuthError,
    Conflict,
    CustomerUpdate,
    NewLimit,
    NewPayment,
    NotFound,
    PasswordLogin,
    PaymentStatus,
    PermissionDenied,
    PlatformClient,
    RetryPolicy,
    Unavailable,
    ValidationError,
)
from teller_app.platform.payment_filters import PaymentFilters

pytestmark = pytest.mark.asyncio


async def test_whoami_branch_and_head_office(sandbox: SandboxProcess) -> None:
    kyiv = sandbox.manifest["branches"][0]
    async with password_client(sandbox) as client:
        me = await client.whoami()
        assert me.email == sandbox.employee("Teller")["email"]
        assert me.branch_guid == kyiv["guid"] and "Teller" in me.roles and not me.is_disabled
        assert client.session_token
    async with admin_client(sandbox) as client:
        me = await client.whoami()
        assert me.branch_guid is None and "Administrator" in me.roles


async def test_customer_lifecycle(sandbox: SandboxProcess) -> None:
    async with password_client(sandbox) as client:
        new = new_customer(sandbox, kyc_level=1, segment=None)
        created = await client.create_customer(new)
        assert created.customer_guid and created.wallet_account_guid == created.guid
        asset = created.assets[0]
        assert asset.code == sandbox.manifest["asset"]["code"] and asset.minor_unit == 2
        assert isinstance(asset.balance, Decimal)

        found = await client.find_customer_by_login(new.login or "")
        assert found is not None and found.wallet_user_guid == created.customer_guid
        assert await client.find_customer_by_login("no-such-" + uuid.uuid4().hex) is None
        page = await client.list_customers(search_string=new.login, limit=5)
        assert any(c.wallet_user_guid == created.customer_guid for c in page.customers)
        page = await client.list_customers(logins=[new.login or ""],
                                           branch_guids=[sandbox.manifest["branches"][0]["guid"]])
        assert [c.wallet_user_guid for c in page.customers] == [created.customer_guid]

        before = await client.get_customer(created.customer_guid)
        assert before.name == "Тарас" and before.kyc_level == 1
        await client.update_customer(created.customer_guid,
                                     CustomerUpdate(name="Іван", phone_number="+380671112233"))
        after = await client.get_customer(created.customer_guid)
        assert after.name == "Іван" and after.surname == "Шевченко"  # partial update
        assert after.phone_number == "+380671112233"
        assert after.updated_at and before.updated_at and after.updated_at >= before.updated_at

        accounts = await client.get_customer_accounts(created.customer_guid)
        assert [a.wallet_account_guid for a in accounts] == [created.wallet_account_guid]
        detail = await client.get_account(created.wallet_account_guid)
        assert detail.assets and detail.assets[0].balance == Decimal("0.00")
        listed = await client.list_accounts(search_string=created.customer_guid)
        assert any(a.wallet_account_guid == created.wallet_account_guid for a in listed.accounts)

        with pytest.raises(Conflict):
            await client.create_customer(new_customer(sandbox, login=new.login))
        with pytest.raises(NotFound):
            await client.get_customer(str(uuid.uuid4()))


async def test_additional_account(sandbox: SandboxProcess) -> None:
    """End to end with the client: the first account is UAH, the additional one opens in the
    sandbox's second asset (EUR); a third is refused (one account per asset). Mode A and
    Mode B (whose sign-up token must name the customer's login)."""
    for auth in (None, bank_jwt_auth(sandbox)):
        client = password_client(sandbox) if auth is None else PlatformClient(
            sandbox.base_url, sandbox.counterparty_guid, auth=auth)
        async with client:
            created = await client.create_customer(new_customer(sandbox))
            guid = await client.create_customer_account(created.customer_guid)
            accounts = await client.get_customer_accounts(created.customer_guid)
            by_guid = {a.wallet_account_guid: a for a in accounts}
            assert set(by_guid) == {created.wallet_account_guid, guid}
            extra = by_guid[guid].asset("EUR")
            assert extra is not None and extra.stellar_code == "eEUR" and extra.minor_unit == 2
            assert by_guid[created.wallet_account_guid].asset("UAH") is not None
            with pytest.raises(ValidationError) as info:
                await client.create_customer_account(created.customer_guid)
            assert info.value.status_code == 400


async def test_branch_clear_and_set(sandbox: SandboxProcess) -> None:
    lviv = sandbox.manifest["branches"][1]["guid"]
    async with admin_client(sandbox) as client:
        created = await client.create_customer(new_customer(sandbox))
        await client.update_customer(created.customer_guid, CustomerUpdate(branch_guid=None))
        assert (await client.get_customer(created.customer_guid)).branch_guid is None
        await client.update_customer(created.customer_guid, CustomerUpdate(branch_guid=lviv))
        assert (await client.get_customer(created.customer_guid)).branch_guid == lviv


async def test_paging_and_incremental_sync(sandbox: SandboxProcess) -> None:
    async with admin_client(sandbox) as client:
        total = (await client.list_customers(limit=1)).total
        seen = [c.wallet_user_guid async for c in client.iter_customers(page_size=7)]
        assert len(seen) >= total and len(set(seen)) == len(seen)
        newest = max(c.updated_at for c in (await client.list_customers(
            limit=1, ordering="-updated_at")).customers if c.updated_at)
        created = await client.create_customer(new_customer(sandbox))
        changed = [c async for c in client.iter_customers(min_updated_at=newest, page_size=50)]
        assert created.customer_guid in {c.wallet_user_guid for c in changed}
        assert all(c.updated_at and c.updated_at >= newest for c in changed)
        assert len(changed) < len(seen) + 1
        stamps = [c.updated_at for c in changed]
        assert stamps == sorted(stamps)  # type: ignore[type-var]


async def test_reference_data(sandbox: SandboxProcess) -> None:
    kyiv = sandbox.manifest["branches"][0]
    async with admin_client(sandbox) as client:
        branches = await client.list_branches()
        assert {b.guid for b in branches} >= {b["guid"] for b in sandbox.manifest["branches"]}
        assert (await client.get_branch(kyiv["guid"])).name == kyiv["name"]
        roles = await client.list_roles()
        assert {"Administrator", "Teller", "Supervisor"} <= set(roles)
        segments = await client.list_segments()
        assert segments and all(s.name for s in segments)
        categories = await client.list_categories()
        assert {"02", "04"} <= {c.name for c in categories}
        staff = await client.list_employees(branch_guids=[kyiv["guid"]])
        assert staff.total >= 2
        assert all(e.branch_guid == kyiv["guid"] for e in staff.employees)
        with pytest.raises(NotFound):
            await client.get_branch(str(uuid.uuid4()))


async def test_cash_deposit_payment_and_limits(sandbox: SandboxProcess) -> None:
    kyiv = sandbox.manifest["branches"][0]
    asset = sandbox.manifest["asset"]
    async with password_client(sandbox, "Supervisor") as client:
        created = await client.create_customer(new_customer(sandbox))
        cats = {c.name: c.guid for c in await client.list_categories()}
        payment = NewPayment(amount=Decimal("150.25"), asset_code=asset["code"],
                             asset_issuer=asset["issuer"], category_guid=cats["04"],
                             sender_id=kyiv["processing_account_guid"],
                             receiver_id=created.wallet_account_guid, purpose="cash in")
        guid = await client.create_payment(payment, branch_guid=kyiv["guid"])
        draft = await client.get_payment(guid)
        assert draft.status is PaymentStatus.CREATED and draft.amount == Decimal("150.25")
        await client.confirm_payment(guid, branch_guid=kyiv["guid"])
        done = await client.get_payment(guid)
        assert done.status is PaymentStatus.CONFIRMED and done.stellar_hash
        acc = await client.get_account(created.wallet_account_guid)
        assert acc.assets[0].balance == Decimal("150.25")
        page = await client.list_payments(
            PaymentFilters(receiver_ids=[created.wallet_account_guid]), branch_guid=kyiv["guid"])
        assert [p.guid for p in page.payments] == [guid]
        everything = [p.guid async for p in client.iter_payments(page_size=3)]
        assert guid in everything and len(set(everything)) == len(everything)

        accounts = await client.get_customer_accounts(created.customer_guid)
        a = accounts[0].assets[0]
        limit = NewLimit(customer_guid=created.customer_guid,
                         account_type_guid=accounts[0].type or accounts[0].guid,
                         asset_code=a.stellar_code, asset_issuer=a.stellar_issuer,
                         max=Decimal("1000.10"), min=Decimal("0.99"))
        await client.set_customer_payment_limit(limit)
        limits = await client.get_customer_payment_limits(created.customer_guid)
        assert any(lim.max == Decimal("1000.10") for lim in limits)
        await client.set_customer_amount_limit(limit.model_copy(update={"min": None,
                                                                       "period": "day",
                                                                       "period_key": 1}))
        amounts = await client.get_customer_amount_limits(created.customer_guid)
        assert any("day" in lim.period for lim in amounts)


async def test_relogin_after_session_expiry(sandbox: SandboxProcess) -> None:
    async with password_client(sandbox) as client:
        await client.list_customers(limit=1)
        old = client.session_token
        expire_session(sandbox, old)
        await client.list_customers(limit=1)
        assert client.session_token and client.session_token != old


async def test_bank_jwt_mode(sandbox: SandboxProcess) -> None:
    auth = bank_jwt_auth(sandbox)
    async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid, auth=auth) as client:
        me = await client.whoami()
        assert me.email == auth.email
        created = await client.create_customer(new_customer(sandbox))
        got = await client.get_customer(created.customer_guid)
        assert got.login
        await client.update_customer(created.customer_guid, CustomerUpdate(surname="Franko"))
        assert (await client.get_customer(created.customer_guid)).surname == "Franko"


async def test_error_classes(sandbox: SandboxProcess) -> None:
    emp = sandbox.employee("Teller")
    bad = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                         auth=PasswordLogin(emp["email"], "wrong-password-123"))
    with pytest.raises(AuthError) as auth_info:
        await bad.login()
    assert "wrong-password-123" not in repr(auth_info.value)
    await bad.aclose()

    async with admin_client(sandbox) as admin:
        lviv_customer = await admin.create_customer(new_customer(sandbox, branch_index=1))
    async with password_client(sandbox) as kyiv_teller:
        with pytest.raises((PermissionDenied, NotFound)):
            await kyiv_teller.update_customer(lviv_customer.customer_guid,
                                              CustomerUpdate(name="x"))
        with pytest.raises(ValidationError) as info:
            await kyiv_teller.create_payment(NewPayment(
                amount=Decimal(1), asset_code="UAH", asset_issuer="G"))
        assert info.value.message
        with pytest.raises(NotFound):
            await kyiv_teller.get_payment(str(uuid.uuid4()))

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = PlatformClient(f"http://127.0.0.1:{port}", sandbox.counterparty_guid,
                          auth=PasswordLogin(emp["email"], emp["password"]),
                          retry=RetryPolicy(attempts=2, base_delay=0.0))
    with pytest.raises(Unavailable):
        await dead.login()
    await dead.aclose()
