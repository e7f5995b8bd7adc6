"""What a desk may put into the hub's audit (SQLite and PostgreSQL): only the desk's own
actions (a desk row never reads as a hub's decision, execution, request, policy change, alert
or security event), never a desk id that reads "hub" (full-width, zero-width), and a
client_id names one employee's entry (another's reuse is refused, not answered with the
first's seq). The read-only Auditor reads the whole trail and verifies it. Real hub (and the
sandbox for the DCM Auditor) over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fe_helpers import dcm_employee, platform_session, platform_token
from hub_proc import add_employee, sign_in
from staffed_hub import Staffed, staffed_hub

from teller_app.core.audit import AuditAction, make_entry
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import audit as hub_audit

World = Staffed


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with staffed_hub(tmp_path_factory.mktemp("audit-desk"), sandbox, hub_db,
                     TELLER_HUB_WATCH="0") as w:
        yield w


def _post(w: World, headers: dict[str, str], desk_id: str,
          *entries: dict[str, Any]) -> httpx.Response:
    return w.http.post("/api/v1/audit", headers=headers,
                       json={"desk_id": desk_id, "entries": list(entries)})


def _entry(seq: int, w: World) -> dict[str, Any]:
    r = w.http.get("/api/v1/audit", headers=w.admin, params={"after_seq": seq - 1, "limit": 1})
    return dict(r.json()["entries"][0])


def test_a_desk_cannot_write_the_hubs_own_actions(world: World) -> None:
    accepted = []
    for action in hub_audit.HUB_ONLY_ACTIONS:  # decision, execution, request, policy, alert…
        r = _post(world, world.teller, "desk-1", {"action": action, "entity": "request:x"})
        if action in hub_audit.LEGACY_DESK_ACTIONS:
            # an older desk's copy of its request or decision: kept, but as the desk's "other"
            assert r.status_code == 200, r.text
            stored = _entry(r.json()["appended"][0]["seq"], world)
            assert (stored["action"], stored["detail"]["event"]) == ("other", action)
        elif r.status_code != 422:
            accepted.append((action, r.status_code))
    assert not accepted


def test_a_desk_id_that_reads_hub_is_refused(world: World) -> None:
    accepted = []
    for desk_id in ("ｈｕｂ", "ＨＵＢ", "hub\u200b", "\u200bhub", "h\u00adub", "\u2068hub",
                    " Hub "):
        r = _post(world, world.teller, desk_id, {"action": "sign_in"})
        if r.status_code != 422:
            accepted.append((desk_id, r.status_code))
    assert not accepted


def test_every_desk_action_is_accepted_and_stored_as_shown(world: World) -> None:
    """What the desk's outbox sends for each of its actions goes in (a refused one would
    hold the outbox back); a desk id in a compatibility form is stored as it reads."""
    w = world
    wire = [make_entry(action, customer_guid="c-1", request_id="r-1").wire()
            for action in AuditAction.ALL]
    r = _post(w, w.sup, "ｄｅｓｋ-7", *wire)
    assert r.status_code == 200, r.text
    stored = [_entry(a["seq"], w) for a in r.json()["appended"]]
    assert {e["desk_id"] for e in stored} == {"desk-7"}
    decisions = [e for e in stored if e["detail"].get("event") in ("approval", "rejection")]
    assert len(decisions) == 2 and {e["action"] for e in decisions} == {"other"}


def test_a_client_id_is_one_employees_entry(world: World) -> None:
    w = world
    client_id = "outbox-" + uuid.uuid4().hex
    theirs = {"action": "edit", "entity": "customer:c-9", "client_id": client_id,
              "detail": {"fields": ["phone"]}}
    first = _post(w, w.sup, "desk-s", theirs)
    assert first.status_code == 200, first.text
    stored = first.json()["appended"][0]
    # the teller reuses the supervisor's client_id for an entry of their own: refused, and
    # neither answered with the supervisor's seq nor silently dropped
    forged = _post(w, w.teller, "desk-t", {**theirs, "entity": "customer:c-10",
                                           "detail": {"fields": ["name"]}})
    assert forged.status_code == 409 and forged.json()["code"] == "client_id_taken", forged.text
    assert "seq" not in forged.text and stored["hash"] not in forged.text
    # the very same entry, resent by whoever signed in at that desk since: the stored one
    again = _post(w, w.teller, "desk-s", theirs)
    assert again.status_code == 200 and again.json()["appended"][0] == stored
    # the supervisor's own resend: the stored one, as ever
    assert _post(w, w.sup, "desk-s", theirs).json()["appended"][0] == stored
    assert _entry(stored["seq"], w)["actor"] == w.sup_email


def test_the_auditor_reads_the_whole_trail_and_verifies_it(world: World,
                                                          sandbox: SandboxProcess) -> None:
    w = world
    b1_teller = sign_in(w.http, add_employee(w.http, w.hub, roles=["Teller"],
                                             branch_guid=w.b1))
    mark = "customer:aud-" + uuid.uuid4().hex[:8]
    assert _post(w, b1_teller, "desk-b1", {"action": "edit", "entity": mark}).status_code == 200
    email, password = dcm_employee(sandbox, ["Auditor"], w.b0)
    auditor = platform_session(w.http, platform_token(sandbox, email, password))
    r = w.http.get("/api/v1/audit", headers=auditor, params={"limit": 1000})
    assert r.status_code == 200, r.text
    seen = r.json()["entries"]
    assert mark in [e["entity"] for e in seen]  # another branch's teller's entry
    assert {e["desk_id"] for e in seen} >= {"hub", "desk-b1"}
    verdict = w.http.get("/api/v1/audit/verify", headers=auditor)
    assert verdict.status_code == 200 and verdict.json()["ok"] is True, verdict.text
    # reading is all: the Auditor still writes nothing at the hub
    assert w.http.post("/api/v1/tills/open", headers=auditor, json={
        "till_code": "T-aud", "counts": {"note_100": 1}}).status_code == 403
