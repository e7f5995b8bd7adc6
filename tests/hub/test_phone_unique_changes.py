"""One customer per phone number on a change too (review: only a create was checked): the
approval of a change of a customer's phone onto a number another DCM customer took since
filing is refused (the request waits), a resumed execution ends "not applied", and the
Mode-B proxy refuses a direct update onto one (409 ``phone_taken``, with the hub's audit
row). The holder is named only
where everybody told may act in the holder's branch. A number nobody else holds, or the
customer's own, still goes through. Real sandbox and hub, SQLite and PostgreSQL; every
number is new (the sandbox is shared)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import shared_hubs
from fe_helpers import ADMIN, new_customer, password_of, read_customer, wait_for
from hub_proc import HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import CustomerUpdate, PasswordLogin, PlatformClient
from teller_app.platform.customer_lookups import customers_by_phone
from teller_app.platform.hub_models import PHONE_TAKEN
from teller_app.platform.models import Customer
from tests.phones import unused_phone

shared, main_hub = shared_hubs.fixtures("phone-changes")


def phone() -> str:
    return unused_phone()


def _approve(hub: HubProc, headers: dict[str, str], req: dict[str, Any]) -> dict[str, Any]:
    with hub.client() as c:
        r = c.post(f"/api/v1/requests/{req['id']}/approve", headers=headers,
                   json={"sha256": req["sha256"], "comment": "ok", "desk_id": "sup-desk"})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _holder(result: str) -> dict[str, Any]:
    assert result.startswith(PHONE_TAKEN), result
    named: dict[str, Any] = json.loads(result[len(PHONE_TAKEN):])
    return named


def _people(sandbox: SandboxProcess) -> tuple[str, str, str]:
    """(a Kyiv holder's number, a Lviv holder's number, another Kyiv customer B)."""
    kyiv, lviv = branches(sandbox)[:2]
    p1, p3 = phone(), phone()
    new_customer(sandbox, kyiv, phone_number=p1)
    new_customer(sandbox, lviv, phone_number=p3)
    return p1, p3, new_customer(sandbox, kyiv, phone_number=phone())


def _try_approve(hub: HubProc, headers: dict[str, str], req: dict[str, Any]) -> httpx.Response:
    with hub.client() as c:
        return c.post(f"/api/v1/requests/{req['id']}/approve", headers=headers,
                      json={"sha256": req["sha256"], "comment": "ok", "desk_id": "sup-desk"})


def test_an_approval_onto_a_number_taken_since_filing_is_refused_and_waits(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    """The probe: A (P1), B (P2); B's phone → P1 approved was "applied", both on P1. Filing
    onto a held number is refused now (test_phone_unique_filing); one taken after filing is
    refused at the approval (409 ``phone_taken``): nothing decided or written, the request
    waits for its approver to reject it (or approve it once the number is free)."""
    _, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    kyiv, lviv = branches(sandbox)[:2]
    b = new_customer(sandbox, kyiv, phone_number=phone())
    p1, p3 = phone(), phone()
    p2 = read_customer(sandbox, b).phone_number
    req = shared_hubs.file_change(main_hub, teller, b, {"phone_number": p1}, "new phone")
    other = shared_hubs.file_change(main_hub, teller, b, {"phone_number": p3}, "new phone")
    holder = new_customer(sandbox, kyiv, phone_number=p1)
    new_customer(sandbox, lviv, phone_number=p3)
    r = _try_approve(main_hub, sup, req)
    assert r.status_code == 409 and r.json()["code"] == "phone_taken", r.text
    assert r.json()["holder"] == {"login": read_customer(sandbox, holder).login,
                                  "wallet_user_guid": holder}
    # held in another branch: refused the same, the holder not named (not theirs to see)
    r = _try_approve(main_hub, sup, other)
    assert r.status_code == 409 and "holder" not in r.json(), r.text
    assert read_customer(sandbox, b).phone_number == p2  # nothing written
    waiting = _get(main_hub, sup, req["id"])
    assert (waiting["state"], waiting["checker"]) == ("pending", None), waiting
    with main_hub.client() as c:
        trail = c.get("/api/v1/audit", headers=sup, params={
            "action": "decision_refused", "limit": 1000}).json()["entries"]
        refused = [e["detail"]["refusal"] for e in trail if e["entity"] == f"request:{req['id']}"]
        assert refused == ["phone_taken"], trail
        r = c.post(f"/api/v1/requests/{req['id']}/reject", headers=sup,
                   json={"comment": "the number is another customer's", "sha256": req["sha256"]})
    assert r.status_code == 200 and r.json()["state"] == "rejected", r.text

    free = phone()  # a number nobody holds still applies
    req = shared_hubs.file_change(main_hub, teller, b, {"phone_number": free}, "new phone")
    assert _approve(main_hub, sup, req)["state"] == "applied"
    assert read_customer(sandbox, b).phone_number == free


def _holder_of(sandbox: SandboxProcess, number: str) -> Customer:
    """The one DCM customer holding ``number``."""
    async def run() -> list[Customer]:
        async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid, auth=PasswordLogin(
                ADMIN, password_of(sandbox, ADMIN))) as c:
            return await customers_by_phone(c, number)
    found = asyncio.run(run())
    assert len(found) == 1, found
    return found[0]


@pytest.mark.slow
def test_a_resumed_execution_checks_the_number_before_the_put(
        main_hub: HubProc, shared: dict[str, str], sandbox: SandboxProcess,
        tmp_path: Path) -> None:
    """Approved while the number was free, the hub dies before the PUT; another customer
    takes the number meanwhile; the restarted hub's executor reads DCM and writes nothing."""
    _, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    kyiv = branches(sandbox)[0]
    b, wanted = new_customer(sandbox, kyiv, phone_number=phone()), phone()
    before = read_customer(sandbox, b).phone_number
    req = shared_hubs.file_change(main_hub, teller, b, {"phone_number": wanted}, "new phone")
    crashing = shared_hubs.start(tmp_path / "a", sandbox, shared,
                                 TELLER_HUB_TEST_CRASH_AFTER_DECISION="1")
    shared_hubs.approve_and_crash(crashing, sup, req)
    taker = new_customer(sandbox, kyiv, phone_number=wanted)
    restarted = shared_hubs.start(tmp_path / "b", sandbox, shared,
                                  TELLER_HUB_EXECUTION_STALE_S="0")
    try:
        done = wait_for(lambda: (s := _get(main_hub, sup, req["id"]))["state"] != "approved"
                        and s, timeout=60)
    finally:
        assert restarted.stop() == 0, restarted.log()[-3000:]
    assert done["state"] == "failed", done
    assert _holder(done["result"])["wallet_user_guid"] == taker
    assert read_customer(sandbox, b).phone_number == before


def _get(hub: HubProc, headers: dict[str, str], rid: str) -> dict[str, Any]:
    with hub.client() as c:
        r = c.get(f"/api/v1/requests/{rid}", headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _put(hub: HubProc, sandbox: SandboxProcess, headers: dict[str, str], guid: str,
         number: str) -> httpx.Response:
    with hub.client() as c:
        return c.put(f"/dcm/api/v1/counterparty/{sandbox.counterparty_guid}/customers/{guid}",
                     json=CustomerUpdate(phone_number=number).wire(), headers=headers)


def test_a_direct_update_through_the_proxy_onto_a_held_number_is_refused(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    """Mode B: a supervisor writes directly (no approval needed), still under the rule."""
    _, _, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    p1, p3, b = _people(sandbox)
    p2 = read_customer(sandbox, b).phone_number
    holder = _holder_of(sandbox, p1)
    r = _put(main_hub, sandbox, sup, b, p1)
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "phone_taken"
    assert r.json()["holder"] == {"login": holder.login,
                                  "wallet_user_guid": holder.wallet_user_guid}
    r = _put(main_hub, sandbox, sup, b, "0" + p3[4:])  # another branch's, typed nationally
    assert r.status_code == 409 and r.json()["code"] == "phone_taken", r.text
    assert "holder" not in r.json()
    assert read_customer(sandbox, b).phone_number == p2  # nothing sent to DCM

    with main_hub.client() as c:
        trail = c.get("/api/v1/audit", headers=sup, params={
            "action": "proxy_write", "limit": 1000}).json()["entries"]
    rows = [e for e in trail if e["entity"] == f"customer:{b}"]
    # the same refusal again within a minute adds no row (a flood adds a bounded number)
    assert [e["detail"]["event"] for e in rows] == ["refused"], rows
    assert rows[0]["detail"]["refusal"] == "phone_taken" and p1[4:] not in str(rows)

    assert _put(main_hub, sandbox, sup, b, p2).status_code == 200  # its own number
    free = phone()
    r = _put(main_hub, sandbox, sup, b, free)
    assert r.status_code == 200, r.text
    assert read_customer(sandbox, b).phone_number == free


def test_the_rule_applies_to_head_office_too_and_names_the_holder(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    """Head office may act in every branch: told who holds another branch's number."""
    _, p3, b = _people(sandbox)
    with main_hub.client() as http:
        head = sign_in(http, add_employee(http, main_hub, roles=["Administrator"],
                                          head_office=True))
    r = _put(main_hub, sandbox, head, b, p3)
    assert r.status_code == 409 and r.json()["holder"]["wallet_user_guid"] == \
        _holder_of(sandbox, p3).wallet_user_guid, r.text


def test_direct_updates_through_the_proxy_count_as_phone_checks(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    """Mode B: a direct PUT onto a new number asks the rule who holds it, as a Save's check
    does, so it counts against the employee's checks a minute (each one that finds the
    number free also changes it: a dearer probe). Past the limit: 429, nothing sent."""
    from teller_app.hub.settings import PHONE_CHECKS_PER_MINUTE_DEFAULT as LIMIT

    _, _, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    _, _, b = _people(sandbox)
    for _ in range(LIMIT):
        r = _put(main_hub, sandbox, sup, b, phone())
        assert r.status_code == 200, r.text
    kept = read_customer(sandbox, b).phone_number
    r = _put(main_hub, sandbox, sup, b, phone())
    assert r.status_code == 429, r.text
    assert r.json()["code"] == "phone_checks_throttled" and 1 <= r.json()["retry_after"] <= 60
    assert r.headers["Retry-After"] == str(r.json()["retry_after"])
    assert read_customer(sandbox, b).phone_number == kept  # nothing sent to DCM
    with main_hub.client() as c:  # a change that asks about no number still goes
        r = c.put(f"/dcm/api/v1/counterparty/{sandbox.counterparty_guid}/customers/{b}",
                  json=CustomerUpdate(name="Оксана").wire(), headers=sup)
        assert r.status_code == 200, r.text
        trail = c.get("/api/v1/audit", headers=sup, params={
            "action": "proxy_write", "limit": 1000}).json()["entries"]
    rows = [e for e in trail if e["detail"].get("refusal") == "phone_checks_throttled"]
    assert len(rows) == 1 and rows[0]["entity"] == f"customer:{b}", rows
