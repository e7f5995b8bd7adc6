"""A four-eyes customer change is applied only onto the customer it was judged against: a field
another desk changed after the request was filed (or a freeze meanwhile) ends the request
"failed", nothing written, the maker told by the usual event; the approver sees what moved
before deciding (``GET /requests/{id}?current=true``). At approval (before any decision) and
in the executor right before the PUT (a resumed execution here). Audit scenarios S2/S2b.
Runs on SQLite and PostgreSQL (``hub_db``)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import shared_hubs
from fe_helpers import ADMIN, SseReader, new_customer, put_customer, read_customer, wait_for
from hub_proc import HubProc, branches

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.customer_drift import STALE_PREFIX
from tests.phones import unused_phone

shared, main_hub = shared_hubs.fixtures("stale")
OLD = WANTED = OTHER = ""


@pytest.fixture(autouse=True)
def _own_numbers() -> None:
    """Numbers of each test's own: the sandbox is shared, a test leaves its customer on
    WANTED, and a change onto a number another customer holds is refused when filed (one
    customer per phone number)."""
    global OLD, WANTED, OTHER  # the tests read them as constants
    OLD, WANTED, OTHER = (unused_phone() for _ in range(3))


def _get(hub: HubProc, headers: dict[str, str], rid: str, **params: Any) -> dict[str, Any]:
    with hub.client() as c:
        r = c.get(f"/api/v1/requests/{rid}", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _approve(hub: HubProc, headers: dict[str, str], req: dict[str, Any]) -> httpx.Response:
    with hub.client() as c:
        return c.post(f"/api/v1/requests/{req['id']}/approve", headers=headers,
                      json={"sha256": req["sha256"], "comment": "ok", "desk_id": "sup-desk"})


def _moved(result: str) -> dict[str, Any]:
    assert result.startswith(STALE_PREFIX), result
    moved: dict[str, Any] = json.loads(result[len(STALE_PREFIX):])
    return moved


def _trail(hub: HubProc, headers: dict[str, str], rid: str) -> list[dict[str, Any]]:
    with hub.client() as c:
        entries = c.get("/api/v1/audit", headers=headers, params={"limit": 1000}).json()
    return [e for e in entries["entries"] if e["entity"] == f"request:{rid}"]


def test_phone_changed_by_another_desk_is_not_overwritten(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    """S2: filed OLD → WANTED; a checker sets OTHER directly; the approver is shown OTHER and
    the approval applies nothing (it was applied blindly before)."""
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    guid = new_customer(sandbox, b0, phone_number=OLD)
    req = shared_hubs.file_change(main_hub, teller, guid, {"phone_number": WANTED}, "new phone")
    assert req["before"]["phone_number"] == OLD and req["before"]["is_disabled"] is False
    assert _get(main_hub, sup, req["id"], current="true")["current"] == {}
    put_customer(sandbox, ADMIN, guid, phone_number=OTHER)  # another desk, directly
    assert _get(main_hub, sup, req["id"], current="true")["current"] == {"phone_number": OTHER}
    assert _get(main_hub, sup, req["id"]).get("current") is None  # only when asked: a DCM read
    maker_stream = SseReader(main_hub.base_url, teller)
    try:
        r = _approve(main_hub, sup, req)
        assert r.status_code == 200, r.text
        done = r.json()
        assert done["state"] == "failed" and done["execution_started_at"] is None
        assert _moved(done["result"]) == {"phone_number": {"was": OLD, "now": OTHER}}
        told = maker_stream.wait(lambda e: e["kind"] == "request.failed"
                                 and e["request_id"] == req["id"])
        assert told["result"] == done["result"]
    finally:
        maker_stream.close()
    assert read_customer(sandbox, guid).phone_number == OTHER  # the other desk's change stays
    trail = _trail(main_hub, sup, req["id"])
    assert [e["action"] for e in trail] == ["request", "execution"]  # never "decision"
    assert trail[1]["detail"]["state"] == "failed" and trail[1]["detail"]["approved"] is False
    assert trail[1]["detail"]["desk_id"] == "sup-desk"
    again = _approve(main_hub, sup, req)
    assert again.status_code == 409 and "already failed" in again.text


def test_limit_raise_stopped_by_a_fraud_freeze(main_hub: HubProc,
                                               sandbox: SandboxProcess) -> None:
    """S2b: filed 1000 → 5000; a checker lowers it to 0 and disables the customer."""
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    guid = new_customer(sandbox, b0)  # balance_allowed 1000
    req = shared_hubs.file_change(main_hub, teller, guid, {"balance_allowed": "5000"}, "salary")
    put_customer(sandbox, ADMIN, guid, balance_allowed=Decimal(0))
    put_customer(sandbox, ADMIN, guid, is_disabled=True)
    shown = _get(main_hub, sup, req["id"], current="true")["current"]
    assert Decimal(shown["balance_allowed"]) == 0 and shown["is_disabled"] is True
    r = _approve(main_hub, sup, req)
    assert r.status_code == 200 and r.json()["state"] == "failed", r.text
    moved = _moved(r.json()["result"])
    assert Decimal(moved["balance_allowed"]["was"]) == 1000
    assert Decimal(moved["balance_allowed"]["now"]) == 0
    assert moved["is_disabled"] == {"was": False, "now": True}
    on_dcm = read_customer(sandbox, guid)
    assert on_dcm.balance_allowed == 0 and on_dcm.is_disabled is True


def test_freeze_alone_stops_a_pending_change(main_hub: HubProc,
                                             sandbox: SandboxProcess) -> None:
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    guid = new_customer(sandbox, b0)
    req = shared_hubs.file_change(main_hub, teller, guid, {"balance_allowed": "5000"}, "salary")
    put_customer(sandbox, ADMIN, guid, is_disabled=True)
    assert _get(main_hub, sup, req["id"], current="true")["current"] == {"is_disabled": True}
    r = _approve(main_hub, sup, req)
    assert r.status_code == 200 and r.json()["state"] == "failed", r.text
    assert _moved(r.json()["result"]) == {"is_disabled": {"was": False, "now": True}}
    assert read_customer(sandbox, guid).balance_allowed == 1000


def test_other_fields_or_the_same_value_meanwhile_still_apply(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    """Nothing is lost when another desk changed other fields, or set the wanted value."""
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    guid = new_customer(sandbox, b0, phone_number=OLD)
    req = shared_hubs.file_change(main_hub, teller, guid,
                                  {"phone_number": WANTED, "kyc_level": 1}, "new phone")
    put_customer(sandbox, ADMIN, guid, surname="Іншенко", phone_number=WANTED)
    assert _get(main_hub, sup, req["id"], current="true")["current"] == {}
    r = _approve(main_hub, sup, req)
    assert r.status_code == 200 and r.json()["state"] == "applied", r.text
    on_dcm = read_customer(sandbox, guid)
    assert (on_dcm.phone_number, on_dcm.kyc_level, on_dcm.surname) == (WANTED, 1, "Іншенко")


def test_a_customer_moved_to_another_branch_is_never_changed_by_the_old_one(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    """Filed in branch 0, the customer moved to branch 1 directly: branch 0's supervisor (who
    may no longer read the customer, and whom branch 1 never sees) approves, and nothing is
    applied, the request ends unapplied naming only the branch (a new phone number on
    another branch's customer went through before)."""
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    b1 = branches(sandbox)[1]
    guid = new_customer(sandbox, b0, phone_number=OLD)
    req = shared_hubs.file_change(main_hub, teller, guid, {"phone_number": WANTED}, "new phone")
    put_customer(sandbox, ADMIN, guid, branch_guid=b1, surname="Переведенко")
    assert _get(main_hub, sup, req["id"], current="true")["current"] == {"branch_guid": b1}
    r = _approve(main_hub, sup, req)
    assert r.status_code == 200 and r.json()["state"] == "failed", r.text
    # only the branch is said: the surname changed there is branch 1's to see
    assert _moved(r.json()["result"]) == {"branch_guid": {"was": b0, "now": b1}}
    on_dcm = read_customer(sandbox, guid)
    assert (on_dcm.branch_guid, on_dcm.phone_number) == (b1, OLD)


def test_a_move_with_a_new_number_is_not_applied_once_someone_else_moved_it(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    """Filed in branch 0: move to branch 1 with a new phone number. Someone else moved the
    customer to branch 1 first: branch 0's approval writes nothing (the number would have
    gone onto branch 1's customer, judged by branch 0)."""
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    b1 = branches(sandbox)[1]
    guid = new_customer(sandbox, b0, phone_number=OLD)
    req = shared_hubs.file_change(main_hub, teller, guid,
                                  {"branch_guid": b1, "phone_number": WANTED}, "moving")
    put_customer(sandbox, ADMIN, guid, branch_guid=b1)
    r = _approve(main_hub, sup, req)
    assert r.status_code == 200 and r.json()["state"] == "failed", r.text
    assert _moved(r.json()["result"]) == {"branch_guid": {"was": b0, "now": b1}}
    assert read_customer(sandbox, guid).phone_number == OLD


@pytest.mark.slow
def test_resumed_execution_checks_the_customer_before_the_put(
        main_hub: HubProc, shared: dict[str, str], sandbox: SandboxProcess,
        tmp_path: Path) -> None:
    """Approved (the customer unchanged then), the hub dies before the PUT; another desk
    changes the phone; the restarted hub's executor reads it and writes nothing."""
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    guid = new_customer(sandbox, b0, phone_number=OLD)
    req = shared_hubs.file_change(main_hub, teller, guid, {"phone_number": WANTED}, "new phone")
    crashing = shared_hubs.start(tmp_path / "a", sandbox, shared,
                                 TELLER_HUB_TEST_CRASH_AFTER_DECISION="1")
    shared_hubs.approve_and_crash(crashing, sup, req)
    assert _get(main_hub, sup, req["id"])["state"] == "approved"
    put_customer(sandbox, ADMIN, guid, phone_number=OTHER)
    restarted = shared_hubs.start(tmp_path / "b", sandbox, shared,
                                  TELLER_HUB_EXECUTION_STALE_S="0")
    try:
        done = wait_for(lambda: (s := _get(main_hub, sup, req["id"]))["state"] != "approved"
                        and s)
        assert done["state"] == "failed", done
        assert _moved(done["result"]) == {"phone_number": {"was": OLD, "now": OTHER}}
        assert read_customer(sandbox, guid).phone_number == OTHER
        runs = shared_hubs.executions(main_hub, sup, req["id"])
        assert [e["detail"]["state"] for e in runs] == ["failed"]
    finally:
        assert restarted.stop() == 0


def test_a_limit_judged_in_one_currency_is_not_applied_in_another(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    """A limit asked alone keeps its currency at filing: another desk moving the customer to
    another currency meanwhile ends the approval "failed", nothing written (500 UAH approved
    must not become 500 USD)."""
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    guid = new_customer(sandbox, b0, phone_number=OLD)
    was = read_customer(sandbox, guid)
    req = shared_hubs.file_change(main_hub, teller, guid, {"balance_allowed": "500.00"},
                                  "a limit")
    other = "USD" if (was.balance_asset_code or "UAH") != "USD" else "EUR"
    put_customer(sandbox, ADMIN, guid, balance_asset_code=other)  # another desk, directly
    r = _approve(main_hub, sup, req)
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["state"] == "failed", done
    assert _moved(done["result"])["balance_asset_code"]["now"] == other
    after = read_customer(sandbox, guid)
    assert Decimal(after.balance_allowed or 0) == Decimal(was.balance_allowed or 0)
