"""A four-eyes customer change filed before the hub kept the freeze snapshot (its ``before``
has no ``is_disabled``: filed by an older hub). If the customer is disabled when it is
approved, the hub cannot tell whether the change was judged before that freeze: it ends
"not applied" as for a freeze, nothing written. Not disabled, it still applies. Real hub over
HTTP on SQLite and PostgreSQL; the old request row is what an older hub stored."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import shared_hubs
from fe_db import execute
from fe_helpers import ADMIN, new_customer, put_customer, read_customer
from hub_proc import HubProc

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.customer_drift import STALE_PREFIX

shared, main_hub = shared_hubs.fixtures("freeze-unknown")


def _filed_by_an_older_hub(hub: HubProc, req: dict[str, Any]) -> None:
    """``before`` as a hub without the freeze snapshot stored it: the changed fields only."""
    before = {k: v for k, v in req["before"].items() if k != "is_disabled"}
    assert before and "is_disabled" in req["before"]
    execute(hub, "UPDATE commands SET before_json = :b WHERE id = :i",
            b=json.dumps(before), i=req["id"])


def _approve(hub: HubProc, headers: dict[str, str], req: dict[str, Any]) -> httpx.Response:
    with hub.client() as c:
        return c.post(f"/api/v1/requests/{req['id']}/approve", headers=headers,
                      json={"sha256": req["sha256"], "comment": "ok", "desk_id": "sup-desk"})


def _current(hub: HubProc, headers: dict[str, str], rid: str) -> dict[str, Any]:
    with hub.client() as c:
        r = c.get(f"/api/v1/requests/{rid}", headers=headers, params={"current": "true"})
    assert r.status_code == 200, r.text
    assert "is_disabled" not in r.json()["before"]
    return dict(r.json()["current"])


def test_an_old_request_is_not_applied_over_a_freeze_and_applies_without_one(
        main_hub: HubProc, sandbox: SandboxProcess) -> None:
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    frozen, free = new_customer(sandbox, b0), new_customer(sandbox, b0)  # allowed 1000 each
    stopped, applied = (
        shared_hubs.file_change(main_hub, teller, guid, {"balance_allowed": "5000"}, "salary")
        for guid in (frozen, free))
    _filed_by_an_older_hub(main_hub, stopped)
    _filed_by_an_older_hub(main_hub, applied)
    put_customer(sandbox, ADMIN, frozen, is_disabled=True)  # a fraud freeze meanwhile
    assert _current(main_hub, sup, stopped["id"]) == {"is_disabled": True}
    r = _approve(main_hub, sup, stopped)
    assert r.status_code == 200 and r.json()["state"] == "failed", r.text
    result = r.json()["result"]
    assert result.startswith(STALE_PREFIX), result
    assert json.loads(result[len(STALE_PREFIX):]) == {"is_disabled": {"was": None, "now": True}}
    on_dcm = read_customer(sandbox, frozen)
    assert on_dcm.balance_allowed == 1000 and on_dcm.is_disabled is True

    # the same old request on a customer not disabled: nothing to tell, it applies
    assert _current(main_hub, sup, applied["id"]) == {}
    r = _approve(main_hub, sup, applied)
    assert r.status_code == 200 and r.json()["state"] == "applied", r.text
    assert read_customer(sandbox, free).balance_allowed == Decimal(5000)
