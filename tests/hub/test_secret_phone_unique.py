"""One customer per phone number (audit: the same person created twice, at one desk and at
two): the hub refuses a new customer's secret whose phone number is held — on DCM however it
was written, or by a create on its way at another desk — names the holder only to staff of
the holder's branch, lets the bank turn the rule off, and reuses a refused attempt's secret
with the new details. Real sandbox (as DCM) and hub, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fe_db import execute
from fe_helpers import new_customer
from hub_proc import DcmSigner, HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess
from tests.phones import unused_phone


def login() -> str:
    return f"ph.{uuid.uuid4().hex[:10]}@example.ua"


def phone() -> str:
    return unused_phone()


def secret(http: httpx.Client, who: dict[str, str], branch: str, ext: str, number: str,
           **profile: str) -> httpx.Response:
    return http.post("/api/v1/secrets", headers=who, json={
        "external_id": ext, "branch_guid": branch, "phone": number, **profile})


@pytest.fixture(scope="module")
def staff(hub: HubProc, sandbox: SandboxProcess) -> dict[str, dict[str, str]]:
    kyiv, lviv = branches(sandbox)[:2]
    with hub.client() as http:
        return {name: sign_in(http, add_employee(http, hub, branch_guid=branch))
                for name, branch in (("kyiv", kyiv), ("kyiv2", kyiv), ("lviv", lviv))}


def test_a_number_held_on_dcm_is_refused_however_it_was_typed(
        http: httpx.Client, sandbox: SandboxProcess, staff: dict[str, dict[str, str]]) -> None:
    kyiv, lviv = branches(sandbox)[:2]
    number = phone()
    guid = new_customer(sandbox, kyiv, phone_number=number)
    national = "0" + number[4:]  # "067..." as a teller types it
    refused_login = login()
    r = secret(http, staff["kyiv"], kyiv, refused_login, national)
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "phone_taken"
    assert body["holder"]["wallet_user_guid"] == guid  # same branch: named
    # the refusal is in the hub's trail: the login asked for, neither number nor holder
    trail = http.get("/api/v1/audit", headers=staff["kyiv"], params={
        "action": "secret_refused", "limit": 1000}).json()["entries"]
    row = next(e for e in trail if e["detail"].get("external_id") == refused_login)
    assert row["detail"] == {"external_id": refused_login, "refusal": "phone_taken",
                             "pending": False}
    assert row["branch_guid"] == kyiv and number[4:] not in str(row)
    r = secret(http, staff["lviv"], lviv, login(), number)
    assert r.status_code == 409 and r.json()["code"] == "phone_taken"
    assert "holder" not in r.json()  # another branch's customer is not named
    assert secret(http, staff["kyiv"], kyiv, login(), phone()).status_code == 200


def test_two_desks_creating_one_person_at_once_cannot_both_pass(
        hub: HubProc, sandbox: SandboxProcess, staff: dict[str, dict[str, str]]) -> None:
    kyiv = branches(sandbox)[0]
    number = phone()

    async def both() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=hub.base_url, timeout=30) as c:
            return list(await asyncio.gather(*[
                c.post("/api/v1/secrets", headers=staff[who], json={
                    "external_id": login(), "branch_guid": kyiv, "phone": number})
                for who in ("kyiv", "kyiv2")]))

    answers = asyncio.run(both())
    assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
    refused = next(r for r in answers if r.status_code == 409).json()
    assert refused["code"] == "phone_taken" and refused["holder"]["wallet_user_guid"] is None


def test_a_teller_retrying_under_another_login_is_not_their_own_duplicate(
        http: httpx.Client, sandbox: SandboxProcess, staff: dict[str, dict[str, str]]) -> None:
    kyiv = branches(sandbox)[0]
    number = phone()
    first, second = login(), login()
    assert secret(http, staff["kyiv"], kyiv, first, number).status_code == 200
    # DCM refused that create (say, the login); the same teller tries another login
    assert secret(http, staff["kyiv"], kyiv, second, number).status_code == 200
    r = secret(http, staff["kyiv2"], kyiv, login(), number)  # a colleague, moments later
    assert r.status_code == 409, r.text
    holder = r.json()["holder"]
    assert holder["login"] in (first, second) and holder["wallet_user_guid"] is None  # on its way


def test_a_retry_long_after_a_refused_create_counts_as_on_its_way(
        hub: HubProc, http: httpx.Client, sandbox: SandboxProcess,
        staff: dict[str, dict[str, str]]) -> None:
    """The secret of a create DCM refused is reused by the retry (review: it kept its first
    issue time, so a retry after 5 minutes was invisible to a colleague's check)."""
    kyiv = branches(sandbox)[0]
    first, number = login(), phone()
    assert secret(http, staff["kyiv"], kyiv, first, phone(), first_name="Olna").status_code \
        == 200
    execute(hub, "UPDATE customer_secrets SET created_at = created_at - 400 "
                 "WHERE external_id = :x", x=first)  # the first attempt, 6+ minutes ago
    assert secret(http, staff["kyiv"], kyiv, first, number,
                  first_name="Olena").status_code == 200  # the retry: the teller's details
    r = secret(http, staff["kyiv2"], kyiv, login(), number)  # a colleague, moments later
    assert r.status_code == 409 and r.json()["holder"]["login"] == first, r.text
    same, again = login(), phone()  # a retry with the same details is issued again too
    assert secret(http, staff["kyiv"], kyiv, same, again).status_code == 200
    execute(hub, "UPDATE customer_secrets SET created_at = created_at - 400 "
                 "WHERE external_id = :x", x=same)
    assert secret(http, staff["kyiv"], kyiv, same, again).status_code == 200
    r = secret(http, staff["kyiv2"], kyiv, login(), again)
    assert r.status_code == 409, r.text


def test_the_bank_may_allow_shared_phones(hub: HubProc, http: httpx.Client,
                                          sandbox: SandboxProcess,
                                          staff: dict[str, dict[str, str]]) -> None:
    kyiv = branches(sandbox)[0]
    number = phone()
    new_customer(sandbox, kyiv, phone_number=number)
    it = {"Authorization": f"Bearer {hub.admin_token}"}
    got: dict[str, Any] = http.get("/api/v1/policy", headers=staff["kyiv"]).json()["policy"]
    assert got["unique_phone"] is True  # on by default
    head = sign_in(http, add_employee(http, hub, roles=["Administrator"], head_office=True))
    r = http.put("/api/v1/policy", headers=head, json={**got, "unique_phone": False})
    assert r.status_code == 202 and "unique_phone" in r.json()["relaxes"], r.text  # 4 eyes
    r = http.put("/api/v1/policy", headers=it, json={**got, "unique_phone": False},
                 params={"reason": "family phones"})
    assert r.status_code == 200, r.text
    try:
        assert secret(http, staff["kyiv"], kyiv, login(), number).status_code == 200
    finally:
        r = http.put("/api/v1/policy", headers=it, json=got, params={"reason": "restore"})
        assert r.status_code == 200, r.text
    assert secret(http, staff["kyiv"], kyiv, login(), number).status_code == 409


@pytest.fixture()
def user_auth(http: httpx.Client, dcm: DcmSigner) -> Iterator[Any]:
    def read(ext: str) -> dict[str, Any]:
        r = http.get("/user_auth", headers={"X-Session-ID": dcm.token(
            "admin@demo.bank", ext, "sign-up")})
        assert r.status_code == 200, r.text
        return dict(r.json())
    yield read


def test_a_refused_create_leaves_a_secret_the_next_attempt_reuses_with_its_details(
        http: httpx.Client, sandbox: SandboxProcess, staff: dict[str, dict[str, str]],
        user_auth: Any) -> None:
    kyiv = branches(sandbox)[0]
    ext, typo, right = login(), phone(), phone()
    r = secret(http, staff["kyiv"], kyiv, ext, typo, first_name="Олна")
    assert r.status_code == 200 and r.json()["created"] is True
    before = user_auth(ext)  # DCM refused the create: the secret is still there
    r = secret(http, staff["kyiv"], kyiv, ext, right, first_name="Олена")
    assert r.status_code == 200 and r.json()["created"] is False
    after = user_auth(ext)
    assert after["key"] == before["key"]  # the same secret
    assert (after["phone"], after["first_name"]) == (right, "Олена")  # what DCM reads now
    # the typo'd number is free again: the earlier attempt no longer holds it
    assert secret(http, staff["kyiv2"], kyiv, login(), typo).status_code == 200


def test_an_existing_customers_profile_is_never_replaced(
        http: httpx.Client, sandbox: SandboxProcess, staff: dict[str, dict[str, str]],
        user_auth: Any) -> None:
    kyiv = branches(sandbox)[0]
    number = phone()
    guid = new_customer(sandbox, kyiv, phone_number=number)
    from fe_helpers import read_customer

    ext = read_customer(sandbox, guid).login
    assert secret(http, staff["kyiv"], kyiv, ext, number).status_code == 200
    r = secret(http, staff["kyiv"], kyiv, ext, phone(), first_name="Інша")
    assert r.status_code == 200 and r.json()["created"] is False
    assert user_auth(ext)["phone"] == number  # a new phone is a four-eyes change, not this
