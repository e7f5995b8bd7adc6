"""The cash watcher (Mode A's detective control for cash): a teller who creates a cash
deposit and confirms it on DCM with their own platform session, never asking the hub, is
reported to the branch's supervisors live (``alert.unapproved_cash``, an alert row and an
audit entry) exactly once, however many passes re-read it; a deposit the hub authorized
raises nothing; an over-threshold one confirmed past the hub is reported once, by the
watcher or by the till that counts it, whichever comes first. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fe_db import scalar
from fe_helpers import (
    ADMIN,
    SseReader,
    TillWorld,
    dcm_employee,
    password_of,
    till_world,
    wait_for,
)
from hub_proc import sign_in
from till_helpers import _run, customer, draft
from watcher_helpers import watch_pass

from teller_app.core.cash import find_processing_account
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import PasswordLogin, PlatformClient
from teller_app.platform.models import NewPayment

ALERT = "alert.unapproved_cash"


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TillWorld]:
    with till_world(tmp_path_factory.mktemp("cash-watch-hub"), sandbox, hub_db) as w:
        yield w


def _teller_deposit(sandbox: SandboxProcess, email: str, password: str, branch: str,
                    account: str, amount: str) -> str:
    """A DCM teller's own session creates a cash-in (category 04) and confirms it: the hub
    is never asked."""
    async def run() -> str:
        asset = sandbox.manifest["asset"]
        async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                                  auth=PasswordLogin(email, password)) as c:
            cats = {x.name: x.guid for x in await c.list_categories()}
            guid = await c.create_payment(NewPayment(
                amount=Decimal(amount), asset_code=asset["code"], asset_issuer=asset["issuer"],
                category_guid=cats["04"], purpose="past the hub",
                sender_id=await find_processing_account(c, branch), receiver_id=account),
                branch_guid=branch)
            await c.confirm_payment(guid, branch_guid=branch)
            return guid
    return _run(run())


def _alert_rows(w: TillWorld, guid: str) -> int:
    return int(scalar(w.hub, "SELECT COUNT(*) FROM alerts WHERE detail LIKE :p",
                      p=f'%"payment_guid": "{guid}"%'))


def _events(http: httpx.Client, sup: dict[str, str], guid: str) -> list[dict[str, Any]]:
    r = http.get("/api/v1/events/list", headers=sup, params={"after": 0, "limit": 500})
    assert r.status_code == 200, r.text
    return [e for e in r.json()["events"] if e["kind"] == ALERT and e["payment_guid"] == guid]


def _cursor(w: TillWorld) -> str:
    return str(scalar(w.hub, "SELECT cursor FROM leases WHERE name = 'cash_watcher'"))


def _updated_at(sandbox: SandboxProcess, guid: str) -> datetime:
    async def run() -> datetime:
        async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                                  auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN))) as c:
            updated = (await c.get_payment(guid, False)).updated_at
            assert updated is not None
            return updated
    return _run(run())


def _fresh_pass(w: TillWorld, sandbox: SandboxProcess) -> tuple[set[str], int]:
    """One pass of a new cash watcher (empty memory) as the lease's holder, beside the
    hub's own: (payments it examined, alerts it raised)."""
    return watch_pass(w.hub, sandbox)


@pytest.mark.slow
def test_direct_confirm_alerts_the_supervisor_once(world: TillWorld,
                                                   sandbox: SandboxProcess) -> None:
    w = world
    email, password = dcm_employee(sandbox, ["Teller"], w.b0)
    _, account = customer(sandbox, w.b0)
    with w.hub.client() as http:
        sup = sign_in(http, w.sup)
        stream = SseReader(w.hub.base_url, sup)
        try:
            sneaky = _teller_deposit(sandbox, email, password, w.b0, account, "25000.00")
            event = stream.wait(lambda e: e["kind"] == ALERT and e["payment_guid"] == sneaky,
                                timeout=30)
        finally:
            stream.close()
        assert event["reasons"] == ["not_authorized"] and event["amount"] == "25000.00"
        assert event["kind"] == ALERT and event["fields"]["amount"]["after"] == "25000.00"
        trail = http.get("/api/v1/audit", headers=sup, params={"limit": 1000}).json()
        assert [e["actor"] for e in trail["entries"] if e["action"] == "alert"
                and e["entity"] == f"payment:{sneaky}"] == ["teller-hub"]
        listed = http.get("/api/v1/alerts", headers=sup).json()["alerts"]
        assert [a["amount"] for a in listed if a.get("payment_guid") == sneaky] == ["25000.00"]
        # later passes re-read it (their window trails the newest payment by minutes): the
        # pass that reported a second bypass started at or before the first one's update
        later = _teller_deposit(sandbox, email, password, w.b0, account, "10.00")
        wait_for(lambda: _alert_rows(w, later) == 1, timeout=30)
        assert datetime.fromisoformat(_cursor(w)) <= _updated_at(sandbox, sneaky)
        assert _alert_rows(w, sneaky) == 1
        # another process taking over, with nothing in memory, reads both again: no alert
        examined, raised = _fresh_pass(w, sandbox)
        assert {sneaky, later} <= examined and raised == 0
        assert _alert_rows(w, sneaky) == 1 and _alert_rows(w, later) == 1
        assert len(_events(http, sup, sneaky)) == 1 and len(_events(http, sup, later)) == 1


def _authorize(http: httpx.Client, teller: dict[str, str], guid: str) -> dict[str, Any]:
    r = http.post("/api/v1/cash/authorize", headers={**teller, "X-Desk-ID": "desk-watch"},
                  json={"payment_guid": guid})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _confirm_as(sandbox: SandboxProcess, email: str, password: str, branch: str,
                guid: str) -> None:
    async def run() -> None:
        async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                                  auth=PasswordLogin(email, password)) as c:
            await c.confirm_payment(guid, branch_guid=branch)
    _run(run())


@pytest.mark.slow
def test_authorized_is_quiet_and_an_unapproved_one_alerts_once(
        world: TillWorld, sandbox: SandboxProcess) -> None:
    w = world
    email, password = dcm_employee(sandbox, ["Teller"], w.b0)
    _, account = customer(sandbox, w.b0)
    with w.hub.client() as http:
        teller, sup = sign_in(http, w.teller), sign_in(http, w.sup)
        desk = {**teller, "X-Desk-ID": "desk-watch"}
        r = http.post("/api/v1/tills/open", headers=desk,
                      json={"till_code": "T-watch", "counts": {"note_500": 2}})
        assert r.status_code == 200, r.text
        if r.json()["state"] == "cosign":
            r = http.post(f"/api/v1/tills/{r.json()['id']}/cosign", headers=sup)
            assert r.status_code == 200, r.text
        # under the threshold, authorized by the hub, then confirmed: nothing to report
        fine = draft(sandbox, w.b0, account, "120.00")
        assert _authorize(http, teller, fine)["decision"] == "allow"
        _confirm_as(sandbox, email, password, w.b0, fine)
        # over it: the hub said "needs_approval", the desk confirmed on DCM anyway
        big = draft(sandbox, w.b0, account, "30000.00")
        said = _authorize(http, teller, big)
        assert said["decision"] == "needs_approval" and "over_threshold" in said["reasons"]
        _confirm_as(sandbox, email, password, w.b0, big)
        # the watcher reports it before any till counts it
        wait_for(lambda: _alert_rows(w, big) == 1, timeout=30)
        alert = next(a for a in http.get("/api/v1/alerts", headers=sup).json()["alerts"]
                     if a.get("payment_guid") == big)
        assert alert["teller"] == w.teller and "over_threshold" in alert["reasons"]
        # the till counts both now: no second alert for the big one (one per payment)
        r = http.get("/api/v1/tills/current", headers=teller)
        assert r.status_code == 200 and r.json()["expected"] == "31120.00", r.text
        # the fine one was confirmed before the big one: a pass that saw the big one saw it
        assert _alert_rows(w, fine) == 0 and _alert_rows(w, big) == 1
        assert _events(http, sup, fine) == [] and len(_events(http, sup, big)) == 1
