"""The one-customer-per-number rule is no oracle over the bank's phone numbers (review: any
writer could ask the secret issue, or the check before a Save, whether a number is held, at
will, the refusal rows capped): an employee's phone number checks are limited a minute
(``phone_checks_per_minute``, 20 by default). Past it: 429 ``phone_checks_throttled`` with
``retry_after``, nothing done, one audit row a minute (no number); other employees, and
what asks about no number, go on. A check the hub could not run (DCM unreadable: 503
``phone_check_unavailable``) does not count. Real sandbox and hub, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from fe_helpers import new_customer
from hub_proc import HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.settings import PHONE_CHECKS_PER_MINUTE_DEFAULT
from tests.phones import unused_phone

LIMIT = PHONE_CHECKS_PER_MINUTE_DEFAULT


def login() -> str:
    return f"pl.{uuid.uuid4().hex[:10]}@example.ua"


def phone() -> str:
    return unused_phone()


def _secret(http: httpx.Client, who: dict[str, str], branch: str, ext: str,
            number: str | None) -> httpx.Response:
    body: dict[str, Any] = {"external_id": ext, "branch_guid": branch}
    if number is not None:
        body["phone"] = number
    return http.post("/api/v1/secrets", headers=who, json=body)


def _evaluate(http: httpx.Client, who: dict[str, str], guid: str,
              change: dict[str, Any]) -> httpx.Response:
    return http.post("/api/v1/policy/evaluate", headers=who, json={
        "kind": "customer_update", "customer_guid": guid, "change": change})


def _throttle_rows(http: httpx.Client, who: dict[str, str], actor: str) -> list[Any]:
    rows: list[Any] = []
    for action in ("secret_refused", "request_refused"):
        rows += http.get("/api/v1/audit", headers=who, params={
            "action": action, "actor": actor, "limit": 1000}).json()["entries"]
    return [r for r in rows if r["detail"].get("refusal") == "phone_checks_throttled"]


def _throttled(r: httpx.Response) -> None:
    assert r.status_code == 429, r.text
    body = r.json()
    assert body["code"] == "phone_checks_throttled"
    assert 1 <= body["retry_after"] <= 60
    assert r.headers["Retry-After"] == str(body["retry_after"])


def test_an_employee_s_phone_checks_are_limited_a_minute(
        http: httpx.Client, hub: HubProc, sandbox: SandboxProcess) -> None:
    kyiv = branches(sandbox)[0]
    prober_email = add_employee(http, hub, branch_guid=kyiv)
    prober = sign_in(http, prober_email)
    other = sign_in(http, add_employee(http, hub, branch_guid=kyiv))
    customer = new_customer(sandbox, kyiv, phone_number=phone())
    issued = [login() for _ in range(LIMIT)]
    for ext in issued:  # the secret issue of a create asks about its number
        assert _secret(http, prober, kyiv, ext, phone()).status_code == 200
    refused = login()
    _throttled(_secret(http, prober, kyiv, refused, phone()))
    # nothing done: no secret, and the check before a Save shares the count
    assert http.get(f"/api/v1/secrets/{refused}", headers=prober).json() == {"exists": False}
    _throttled(_evaluate(http, prober, customer, {"phone_number": phone()}))
    _throttled(http.post("/api/v1/requests", headers=prober, json={
        "kind": "customer_update", "customer_guid": customer,
        "change": {"phone_number": phone()}, "reason": "probe"}))
    # what asks about no number is heard: reads, a change of a name, a secret without phone
    assert http.get(f"/api/v1/secrets/{issued[0]}", headers=prober).json() == {"exists": True}
    assert http.get("/api/v1/policy", headers=prober).status_code == 200
    r = _evaluate(http, prober, customer, {"name": "Олена"})
    assert r.status_code == 200, r.text
    assert _secret(http, prober, kyiv, login(), None).status_code == 200
    # another employee's checks are their own
    assert _secret(http, other, kyiv, login(), phone()).status_code == 200
    r = _evaluate(http, other, customer, {"phone_number": phone()})
    assert r.status_code == 200, r.text
    # one audit row for the minute, naming no number
    rows = _throttle_rows(http, prober, prober_email)
    assert len(rows) == 1, rows
    assert rows[0]["action"] == "secret_refused" and rows[0]["branch_guid"] == kyiv
    assert rows[0]["detail"] == {"external_id": refused, "refusal": "phone_checks_throttled"}


def test_a_burst_of_checks_at_once_passes_the_limit_only(
        http: httpx.Client, hub: HubProc, sandbox: SandboxProcess) -> None:
    kyiv = branches(sandbox)[0]
    who = sign_in(http, add_employee(http, hub, branch_guid=kyiv))

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=hub.base_url, timeout=60) as c:
            return list(await asyncio.gather(*[
                c.post("/api/v1/secrets", headers=who, json={
                    "external_id": login(), "branch_guid": kyiv, "phone": phone()})
                for _ in range(LIMIT + 10)]))

    codes = sorted(r.status_code for r in asyncio.run(burst()))
    assert codes == [200] * LIMIT + [429] * 10, codes



def test_a_number_dcm_could_not_check_is_a_503_with_its_code_and_costs_nothing(
        blind_hub: HubProc, sandbox: SandboxProcess) -> None:
    kyiv = branches(sandbox)[0]
    with blind_hub.client() as http:
        who = sign_in(http, add_employee(http, blind_hub, branch_guid=kyiv))
        for _ in range(LIMIT + 1):  # none counted: never a 429
            r = _secret(http, who, kyiv, login(), phone())
            assert r.status_code == 503, r.text
            assert r.json()["code"] == "phone_check_unavailable"
