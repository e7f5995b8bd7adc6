"""One customer per phone number when a change is filed (review: a request onto a held number
went to a supervisor and failed only at the executor): filing it, and asking the policy about
it before a Save, are refused at once (409 ``phone_taken``, the secret issue's body, the
hub's limited audit row), unless the bank turned the rule off; a retry of a request filed
while the number was free is still answered as filed. A create on its way (another login's
fresh secret) holds the number for a change too — at filing and at the Mode-B proxy — until
DCM has that login (then DCM's own number decides). Real sandbox and hub, SQLite and
PostgreSQL; every number is new (the sandbox is shared)."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import httpx
import shared_hubs
from fe_helpers import ADMIN, new_customer, password_of, read_customer
from hub_proc import HubProc, add_employee, branches, sign_in
from test_phone_unique_changes import _put, phone

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import NewCustomer, PasswordLogin, PlatformClient

shared, main_hub = shared_hubs.fixtures("phone-filing")


def _file(hub: HubProc, headers: dict[str, str], guid: str, number: str,
          request_id: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"kind": "customer_update", "customer_guid": guid,
                            "change": {"phone_number": number}, "reason": "new phone",
                            "desk_id": "teller-desk"}
    if request_id:
        body["id"] = request_id
    with hub.client() as c:
        return c.post("/api/v1/requests", headers=headers, json=body)


def _mine(hub: HubProc, headers: dict[str, str], guid: str) -> list[dict[str, Any]]:
    with hub.client() as c:
        r = c.get("/api/v1/requests", headers=headers,
                  params={"mine": True, "customer_guid": guid})
    assert r.status_code == 200, r.text
    return list(r.json()["requests"])


def _refusal_rows(hub: HubProc, headers: dict[str, str], guid: str) -> list[dict[str, Any]]:
    with hub.client() as c:
        trail = c.get("/api/v1/audit", headers=headers, params={
            "action": "request_refused", "limit": 1000}).json()["entries"]
    return [e for e in trail if e["entity"] == f"customer:{guid}"]


def test_a_change_filed_onto_a_held_number_is_refused_at_once(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    _, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    kyiv, lviv = branches(sandbox)[:2]
    held, elsewhere = phone(), phone()
    holder = new_customer(sandbox, kyiv, phone_number=held)
    new_customer(sandbox, lviv, phone_number=elsewhere)
    b = new_customer(sandbox, kyiv, phone_number=phone())

    r = _file(main_hub, teller, b, "0" + held[4:])  # typed nationally
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "phone_taken"
    assert r.json()["holder"] == {"login": read_customer(sandbox, holder).login,
                                  "wallet_user_guid": holder}  # the teller's own branch
    assert _file(main_hub, teller, b, held).status_code == 409  # the same refusal again
    r = _file(main_hub, teller, b, elsewhere)
    assert r.status_code == 409 and "holder" not in r.json(), r.text  # not theirs to see
    assert _mine(main_hub, teller, b) == []  # nothing went to a supervisor

    rows = _refusal_rows(main_hub, sup, b)
    # one row a refusal, the same one again within a minute adds none; no number in them
    assert len(rows) == 1 and rows[0]["detail"] == {
        "kind": "customer_update", "customer_guid": b, "refusal": "phone_taken",
        "attempt": "file", "desk_id": "teller-desk"}, rows
    assert held[4:] not in str(rows) and elsewhere[4:] not in str(rows)

    free, rid = phone(), str(uuid.uuid4())  # a number nobody holds is filed
    assert _file(main_hub, teller, b, free, rid).status_code == 201
    assert [q["change"] for q in _mine(main_hub, teller, b)] == [{"phone_number": free}]
    new_customer(sandbox, kyiv, phone_number=free)  # taken before a lost answer's retry:
    again = _file(main_hub, teller, b, free, rid)  # answered as filed, not refused
    assert again.status_code == 200 and again.json()["id"] == rid, again.text


def _held_number(hub: HubProc, sandbox: SandboxProcess) -> tuple[dict[str, str], str, str]:
    """(the shared teller's headers, a number another Kyiv customer holds, a Kyiv customer b
    with a number of its own)."""
    _, teller, _ = shared_hubs.teller_and_supervisor(hub, sandbox)
    kyiv = branches(sandbox)[0]
    held = phone()
    new_customer(sandbox, kyiv, phone_number=held)
    return teller, held, new_customer(sandbox, kyiv, phone_number=phone())


def test_the_policy_s_answer_before_a_save_refuses_a_held_number(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    """The desk asks the policy before every maker's Save: the form marks the phone there."""
    teller, held, b = _held_number(main_hub, sandbox)
    own = read_customer(sandbox, b).phone_number

    def evaluate(number: str) -> httpx.Response:
        with main_hub.client() as c:
            return c.post("/api/v1/policy/evaluate", headers=teller, json={
                "kind": "customer_update", "customer_guid": b,
                "change": {"phone_number": number}})

    r = evaluate(held)
    assert r.status_code == 409 and r.json()["code"] == "phone_taken", r.text
    assert evaluate(phone()).json()["needs_approval"] is True  # a free number: asked
    assert evaluate(own).status_code == 200  # its own number


def test_the_bank_may_allow_shared_phones_for_changes_too(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    teller, held, b = _held_number(main_hub, sandbox)
    assert _file(main_hub, teller, b, held).status_code == 409  # the rule on (the default)
    it = {"Authorization": f"Bearer {main_hub.admin_token}"}
    with main_hub.client() as c:
        got = c.get("/api/v1/policy", headers=teller).json()["policy"]
        r = c.put("/api/v1/policy", headers=it, json={**got, "unique_phone": False},
                  params={"reason": "family phones"})
        assert r.status_code == 200, r.text
        try:
            assert _file(main_hub, teller, b, held).status_code == 201
        finally:
            r = c.put("/api/v1/policy", headers=it, json=got, params={"reason": "restore"})
            assert r.status_code == 200, r.text
    assert _file(main_hub, teller, b, held).status_code == 409


def _secret(hub: HubProc, headers: dict[str, str], branch: str, login: str,
            number: str) -> None:
    with hub.client() as c:
        r = c.post("/api/v1/secrets", headers=headers, json={
            "external_id": login, "branch_guid": branch, "phone": number})
    assert r.status_code == 200, r.text


def test_a_create_on_its_way_holds_the_number_for_a_change(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    """Another desk issued a new customer's secret moments ago (its POST on the way to DCM):
    a change onto that number is refused when filed and at the proxy, the maker's own
    create too (a second customer all the same)."""
    _, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    kyiv = branches(sandbox)[0]
    with main_hub.client() as http:
        colleague = sign_in(http, add_employee(http, main_hub, branch_guid=kyiv))
    b = new_customer(sandbox, kyiv, phone_number=phone())
    before = read_customer(sandbox, b).phone_number
    creating, number = f"new.{uuid.uuid4().hex[:10]}@example.ua", phone()
    _secret(main_hub, colleague, kyiv, creating, number)

    r = _file(main_hub, teller, b, number)
    assert r.status_code == 409, r.text
    assert r.json()["holder"] == {"login": creating, "wallet_user_guid": None}  # on its way
    r = _put(main_hub, sandbox, sup, b, number)  # Mode B, a supervisor's direct write
    assert r.status_code == 409 and r.json()["code"] == "phone_taken", r.text
    assert read_customer(sandbox, b).phone_number == before

    mine, own_number = f"new.{uuid.uuid4().hex[:10]}@example.ua", phone()
    _secret(main_hub, teller, kyiv, mine, own_number)
    assert _file(main_hub, teller, b, own_number).status_code == 409


def _create(sandbox: SandboxProcess, branch: str, login: str, number: str) -> str:
    async def run() -> str:
        asset = sandbox.manifest["asset"]
        async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid, auth=PasswordLogin(
                ADMIN, password_of(sandbox, ADMIN))) as c:
            created = await c.create_customer(NewCustomer(
                asset_code=asset["code"], asset_issuer=asset["issuer"], login=login,
                name="Ірина", surname="Коваль", branch_guid=branch, kyc_level=2,
                status="active", balance_allowed=Decimal(1000), phone_number=number))
            return created.customer_guid
    return asyncio.run(run())


def test_a_create_that_reached_dcm_is_judged_by_its_number_there(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    """A fresh secret whose login DCM has is no longer on its way: its customer holds the
    number DCM has (the customer's own secret, or a create whose number changed since)."""
    _, teller, _ = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    kyiv = branches(sandbox)[0]
    with main_hub.client() as http:
        colleague = sign_in(http, add_employee(http, main_hub, branch_guid=kyiv))
    login, typed, landed_with = f"new.{uuid.uuid4().hex[:10]}@example.ua", phone(), phone()
    _secret(main_hub, colleague, kyiv, login, typed)
    created = _create(sandbox, kyiv, login, landed_with)  # its number corrected at DCM
    b = new_customer(sandbox, kyiv, phone_number=phone())
    assert _file(main_hub, teller, b, typed).status_code == 201  # nobody holds it now
    assert _file(main_hub, teller, created, typed).status_code == 201  # its own secret
    r = _file(main_hub, teller, b, landed_with)  # held on DCM by that customer
    assert r.status_code == 409 and r.json()["holder"]["wallet_user_guid"] == created, r.text
