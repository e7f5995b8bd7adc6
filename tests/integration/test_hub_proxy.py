"""Mode B through the hub: a modified desktop (plain HTTP to the proxy) cannot do what the
employee's role or branch forbids; what they may do works end to end (hub-minted JWTs)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hub_stack_helpers import branch_guid, hub_employee, password_of

from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.platform import (
    HubLogin,
    NewCustomer,
    NewPayment,
    PaymentStatus,
    PlatformClient,
)
from teller_app.platform.hub_client import HubClient

pytestmark = pytest.mark.slow


def _email(role: str) -> str:
    return f"{role}.{uuid.uuid4().hex[:8]}@hub.bank"


def _login(stack: EmbeddedStack, email: str, password: str) -> httpx.Client:
    assert stack.hub is not None
    resp = httpx.post(stack.hub.base_url + "/api/v1/sessions", timeout=10,
                      json={"mode": "password", "email": email, "password": password})
    assert resp.status_code == 200, resp.text
    token = resp.json()["token"]
    return httpx.Client(base_url=stack.hub.base_url + "/dcm/api/v1/counterparty/"
                        + stack.sandbox.counterparty_guid, timeout=20,
                        headers={"Authorization": f"Bearer {token}"})


def _as(stack: EmbeddedStack, roles: list[str], branch_index: int | None) -> httpx.Client:
    assert stack.hub is not None
    email = _email(roles[0].lower())
    password = hub_employee(stack.hub, stack.sandbox, email, roles, branch_index)
    return _login(stack, email, password)


def _customer_in(stack: EmbeddedStack, branch_index: int) -> dict[str, Any]:
    """A customer of that branch, read straight from the sandbox as its administrator."""
    sb = stack.sandbox
    http = httpx.Client(base_url=sb.base_url, timeout=20)
    flow = http.get("/kratos/self-service/login/api").json()
    csrf = next((n["attributes"].get("value") for n in flow["ui"]["nodes"]
                 if n["attributes"].get("name") == "csrf_token"), "")
    login = http.post("/kratos/self-service/login", params={"flow": flow["id"]},
                      data={"identifier": "admin@demo.bank", "method": "password",
                            "password": password_of(sb, "admin@demo.bank"),
                            "csrf_token": csrf})
    token = login.json()["session_token"]
    page = http.get(f"/api/v1/counterparty/{sb.counterparty_guid}/customers",
                    params={"branch_guids": branch_guid(sb, branch_index), "limit": 1},
                    headers={"Authorization": f"bearer {token}"}).json()
    return dict(page["customers"][0])


@pytest.fixture(scope="module")
def kyiv_teller(hub_stack: EmbeddedStack) -> httpx.Client:
    return _as(hub_stack, ["Teller"], 0)


def test_branch_teller_lists_only_their_branch(hub_stack, kyiv_teller) -> None:  # type: ignore[no-untyped-def]
    kyiv = branch_guid(hub_stack.sandbox, 0)
    page = kyiv_teller.get("/customers", params={"limit": 200}).json()
    assert page["customers"] and {c["branch_guid"] for c in page["customers"]} == {kyiv}
    lviv = branch_guid(hub_stack.sandbox, 1)
    refused = kyiv_teller.get("/customers", params={"branch_guids": lviv})
    assert refused.status_code == 403 and "branch" in refused.json()["error"]


def test_kyiv_teller_cannot_touch_a_lviv_customer(hub_stack, kyiv_teller) -> None:  # type: ignore[no-untyped-def]
    lviv_customer = _customer_in(hub_stack, 1)
    guid = lviv_customer["wallet_user_guid"]
    assert kyiv_teller.get(f"/customers/{guid}/accounts").status_code == 403
    put = kyiv_teller.put(f"/customers/{guid}", json={"status": "hacked"})
    assert put.status_code == 403
    assert _customer_in(hub_stack, 1)["status"] != "hacked"
    assert kyiv_teller.post(f"/customers/{guid}/accounts", json={}).status_code == 403
    limits = kyiv_teller.get("/limits/customer/payment", params={"customer_guid": guid})
    assert limits.status_code == 403


def test_kyiv_teller_cannot_create_in_lviv_or_move_a_customer_there(hub_stack, kyiv_teller) -> None:  # type: ignore[no-untyped-def]
    sb = hub_stack.sandbox
    asset = sb.manifest["asset"]
    body = {"asset_code": asset["code"], "asset_issuer": asset["issuer"],
            "login": "x" + uuid.uuid4().hex[:10], "branch_guid": branch_guid(sb, 1)}
    assert kyiv_teller.post("/customers", json=body).status_code == 403
    kyiv_customer = _customer_in(hub_stack, 0)
    moved = kyiv_teller.put(f"/customers/{kyiv_customer['wallet_user_guid']}",
                            json={"branch_guid": branch_guid(sb, 1)})
    assert moved.status_code == 403


def test_teller_role_cannot_confirm_or_set_limits(hub_stack, kyiv_teller) -> None:  # type: ignore[no-untyped-def]
    kyiv = branch_guid(hub_stack.sandbox, 0)
    confirm = kyiv_teller.post(f"/branch/{kyiv}/payments/confirm",
                               json={"payment_guid": str(uuid.uuid4())})
    assert confirm.status_code == 403 and "role" in confirm.json()["error"]
    limit = kyiv_teller.post("/limits/customer/payment", json={"customer_guid": "x"})
    assert limit.status_code == 403


def test_other_branch_paths_and_undesk_paths_are_refused(hub_stack, kyiv_teller) -> None:  # type: ignore[no-untyped-def]
    lviv = branch_guid(hub_stack.sandbox, 1)
    assert kyiv_teller.get(f"/branch/{lviv}/payments").status_code == 403
    assert kyiv_teller.get(f"/branch/{lviv}/accounts").status_code == 403
    listed = kyiv_teller.get("/accounts", params={"limit": 200})  # answered from Kyiv's list
    assert listed.status_code == 200
    rows = listed.json()[0]["accounts"] if isinstance(listed.json(), list) else \
        listed.json()["accounts"]
    assert rows and {r["branch_guid"] for r in rows} == {branch_guid(hub_stack.sandbox, 0)}
    assert kyiv_teller.post("/employees", json={"email": "x@y.z"}).status_code == 404
    assert kyiv_teller.post("/roles/users", json={}).status_code == 404
    dotted = kyiv_teller.get("/customers/%2e%2e/%2e%2e/other/customers")  # decoded by the hub
    assert dotted.status_code == 404
    other = kyiv_teller.get(kyiv_teller.base_url.join("../" + str(uuid.uuid4()) + "/customers"))
    assert other.status_code in (403, 404)


def test_head_office_administrator_reads_any_branch(hub_stack) -> None:  # type: ignore[no-untyped-def]
    admin = _as(hub_stack, ["Administrator"], None)
    guid = _customer_in(hub_stack, 1)["wallet_user_guid"]
    resp = admin.get(f"/customers/{guid}/accounts")
    assert resp.status_code == 200 and resp.json()


def test_proxy_needs_a_hub_password_session(hub_stack) -> None:  # type: ignore[no-untyped-def]
    assert hub_stack.hub is not None
    url = hub_stack.hub.base_url + "/dcm/api/v1/counterparty/" + \
        hub_stack.sandbox.counterparty_guid + "/customers"
    assert httpx.get(url, timeout=10).status_code == 401
    assert httpx.get(url, timeout=10, headers={"Authorization": "Bearer nope"}).status_code == 401


@pytest.mark.asyncio
async def test_mode_b_desk_client_creates_a_customer_through_the_hub(hub_stack) -> None:  # type: ignore[no-untyped-def]
    """PlatformClient with HubLogin: the hub mints the bank JWT; DCM calls the hub's Auth
    Service, which holds the secret the desk had issued first."""
    assert hub_stack.hub is not None
    sb = hub_stack.sandbox
    email = _email("teller")
    password = hub_employee(hub_stack.hub, sb, email, ["Teller"], 0)
    hub = HubClient(hub_stack.hub.base_url)
    auth = HubLogin(hub, email, password)
    asset = sb.manifest["asset"]
    login = "mb" + uuid.uuid4().hex[:10]
    async with PlatformClient(hub.base_url + "/dcm", sb.counterparty_guid, auth=auth) as client:
        assert auth.employee is not None and auth.employee.branch_guid == branch_guid(sb, 0)
        issued = await hub.issue_secret(login, branch_guid(sb, 0))
        assert issued.created
        created = await client.create_customer(NewCustomer(
            asset_code=asset["code"], asset_issuer=asset["issuer"], login=login,
            branch_guid=branch_guid(sb, 0)))
        found = await client.find_customer_by_login(login)
        assert found is not None and found.wallet_user_guid == created.customer_guid
    await hub.aclose()


@pytest.mark.asyncio
async def test_mode_b_supervisor_confirms_a_refund_with_the_key_keeper_token(hub_stack) -> None:  # type: ignore[no-untyped-def]
    """The hub reads the draft, names its payer (the branch's key keeper) in the sign-in
    token, and DCM (which checks flow/obj and asks the hub's Auth Service for that key)
    executes it. The same draft may not be confirmed by a teller. (A refund, category 51:
    uncategorised, processing → customer is cash, which needs the hub's till first.)"""
    assert hub_stack.hub is not None
    sb = hub_stack.sandbox
    kyiv = branch_guid(sb, 0)
    asset = sb.manifest["asset"]
    email = _email("supervisor")
    password = hub_employee(hub_stack.hub, sb, email, ["Supervisor"], 0)
    hub = HubClient(hub_stack.hub.base_url)
    async with PlatformClient(hub.base_url + "/dcm", sb.counterparty_guid,
                              auth=HubLogin(hub, email, password)) as client:
        login = "ci" + uuid.uuid4().hex[:10]
        await hub.issue_secret(login, kyiv)
        created = await client.create_customer(NewCustomer(
            asset_code=asset["code"], asset_issuer=asset["issuer"], login=login,
            branch_guid=kyiv))
        till = (await client.list_accounts(account_kinds=["processing"], branch_guid=kyiv))
        assert till.accounts
        refund = next(c.guid for c in await client.list_categories() if c.name == "51")
        draft = await client.create_payment(NewPayment(
            amount=Decimal("12.34"), asset_code=asset["code"], asset_issuer=asset["issuer"],
            sender_id=till.accounts[0].wallet_account_guid, category_guid=refund,
            receiver_id=created.wallet_account_guid), branch_guid=kyiv)
        teller = _as(hub_stack, ["Teller"], 0)
        refused = teller.post(f"/branch/{kyiv}/payments/confirm", json={"payment_guid": draft})
        assert refused.status_code == 403
        await client.confirm_payment(draft, branch_guid=kyiv)
        assert (await client.get_payment(draft)).status == PaymentStatus.CONFIRMED
    await hub.aclose()


def test_single_accounts_are_checked_by_their_owners_branch(hub_stack, kyiv_teller) -> None:  # type: ignore[no-untyped-def]
    sb = hub_stack.sandbox
    admin = _as(hub_stack, ["Administrator"], None)

    def first(branch_index: int, kind: str) -> str:
        page = admin.get(f"/branch/{branch_guid(sb, branch_index)}/accounts",
                         params={"account_kinds": kind, "limit": 1}).json()
        rows = page[0]["accounts"] if isinstance(page, list) else page["accounts"]
        return str(rows[0]["wallet_account_guid"])

    assert kyiv_teller.get(f"/accounts/{first(0, 'processing')}").status_code == 200
    assert kyiv_teller.get(f"/accounts/{first(1, 'processing')}").status_code == 403
    assert kyiv_teller.get(f"/accounts/{first(0, 'customer')}").status_code == 200
    assert kyiv_teller.get(f"/accounts/{first(1, 'customer')}").status_code == 403


def test_kyiv_teller_cannot_draft_a_payment_from_a_lviv_account(hub_stack, kyiv_teller) -> None:  # type: ignore[no-untyped-def]
    sb = hub_stack.sandbox
    admin = _as(hub_stack, ["Administrator"], None)
    page = admin.get(f"/branch/{branch_guid(sb, 1)}/accounts",
                     params={"account_kinds": "customer", "limit": 2}).json()
    rows = page[0]["accounts"] if isinstance(page, list) else page["accounts"]
    asset = sb.manifest["asset"]
    body = {"amount": "1.00", "asset_code": asset["code"], "asset_issuer": asset["issuer"],
            "sender_id": rows[0]["wallet_account_guid"],
            "receiver_id": rows[1]["wallet_account_guid"]}
    kyiv = branch_guid(sb, 0)
    assert kyiv_teller.post(f"/branch/{kyiv}/payments", json=body).status_code == 403
    assert kyiv_teller.post("/payments", json=body).status_code == 403  # sent as Kyiv's
    listed = kyiv_teller.get("/payments", params={"limit": 100})
    assert listed.status_code == 200
    assert all(kyiv in (p.get("sender_branch_guid"), p.get("receiver_branch_guid"))
               for p in listed.json()["payments"])
    no_sender = {k: v for k, v in body.items() if k != "sender_id"}
    assert kyiv_teller.post(f"/branch/{kyiv}/payments", json=no_sender).status_code == 403


def test_a_teller_cannot_skip_four_eyes_through_the_proxy(hub_stack) -> None:  # type: ignore[no-untyped-def]
    """Mode B: the desk files a sensitive edit as a request, but a teller's own HTTP client
    could PUT it through /dcm (signed with the bank's key). The proxy runs the bank's policy
    on a maker's update: disable, block, KYC down and a higher balance cap are refused, a
    plain edit goes through, and a supervisor (a checker) writes directly as in Mode A."""
    sb = hub_stack.sandbox
    teller, supervisor = _as(hub_stack, ["Teller"], 0), _as(hub_stack, ["Supervisor"], 0)
    asset = sb.manifest["asset"]
    login = "fe" + uuid.uuid4().hex[:10]
    assert hub_stack.hub is not None
    issued = httpx.post(hub_stack.hub.base_url + "/api/v1/secrets", timeout=10,
                        headers={"Authorization": teller.headers["Authorization"]},
                        json={"external_id": login, "branch_guid": branch_guid(sb, 0)})
    assert issued.status_code in (200, 201), issued.text
    created = teller.post("/customers", json={
        "asset_code": asset["code"], "asset_issuer": asset["issuer"], "login": login,
        "name": "Олена", "surname": "Бондар", "branch_guid": branch_guid(sb, 0),
        "kyc_level": 2, "balance_allowed": "1000", "status": "active"})
    assert created.status_code == 200, created.text
    guid = created.json()["customer_guid"]
    for change in ({"is_disabled": True}, {"status": "blocked"}, {"kyc_level": 0},
                   {"balance_allowed": "1000000"}):
        refused = teller.put(f"/customers/{guid}", json={**change, "wallet_user_guid": guid})
        assert refused.status_code == 403, (change, refused.text)
        assert "second person" in refused.json()["error"]
    after = teller.get("/customers", params={"wallet_user_guids": guid}).json()["customers"][0]
    assert (after["is_disabled"], after["status"], after["kyc_level"]) == (False, "active", 2)
    assert teller.put(f"/customers/{guid}", json={"name": "Ольга"}).status_code == 200
    assert supervisor.put(f"/customers/{guid}", json={"status": "blocked"}).status_code == 200
    after = teller.get("/customers", params={"wallet_user_guids": guid}).json()["customers"][0]
    assert (after["name"], after["status"]) == ("Ольга", "blocked")


def test_branch_filters_cannot_be_smuggled_past_the_proxy(hub_stack, kyiv_teller) -> None:  # type: ignore[no-untyped-def]
    """``branch_guids[]`` is the same filter to DCM as ``branch_guids``, and a customer named
    twice is refused: DCM acts on exactly the customer and branch the proxy checked."""
    kyiv, lviv = branch_guid(hub_stack.sandbox, 0), branch_guid(hub_stack.sandbox, 1)
    bracketed = kyiv_teller.get("/customers", params={"branch_guids[]": lviv, "limit": 200})
    assert bracketed.status_code == 403
    listed = kyiv_teller.get("/customers", params={"branch_guids": kyiv, "limit": 200}).json()
    assert {c["branch_guid"] for c in listed["customers"]} == {kyiv}
    own = _customer_in(hub_stack, 0)["wallet_user_guid"]
    other = _customer_in(hub_stack, 1)["wallet_user_guid"]
    twice = kyiv_teller.get("/limits/customer/payment",
                            params=[("customer_guid", own), ("customer_guid", other)])
    assert twice.status_code == 403 and "named once" in twice.json()["error"]
    assert kyiv_teller.get("/limits/customer/payment",
                           params={"customer_guid": own}).status_code == 200
