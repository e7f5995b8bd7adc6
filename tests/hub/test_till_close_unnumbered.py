"""A rolling upgrade to revision 0008: a hub process still running the older code closes a
till without a ``close_seq`` (NULL). That close is the till's last one: the next opening
compares with it and the branch position shows it, and a close numbered after it still
comes after it. Real hub over HTTP, SQLite and PostgreSQL; the old process's close is
written to the database as that process writes it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fe_db import execute
from fe_helpers import start_fe_hub
from hub_proc import HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess

# what a process older than revision 0008 writes when it closes a till (no close_seq)
OLD_CLOSE = (
    "INSERT INTO tills (id, till_code, branch_guid, teller, state, opened_at, open_counts, "
    "open_minor, prev_close_minor, desk_id, lease_until, version, closed_at, close_counts, "
    "close_minor, expected_minor, over_short_minor, close_reason, active_key, active_teller) "
    "VALUES (:id, :code, :branch, :teller, 'closed', :opened, :counts, :minor, :prev, 'old', "
    "0, 1, :closed, :counts, :minor, :minor, 0, '', NULL, NULL)")


@pytest.fixture(scope="module")
def hub(hub_db: str | None, sandbox: SandboxProcess,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    proc = start_fe_hub(tmp_path_factory.mktemp("till-unnumbered"), sandbox, hub_db)
    yield proc
    assert proc.stop() == 0, proc.log()[-3000:]


def test_a_close_made_by_an_older_process_is_the_last_close(
        hub: HubProc, http: httpx.Client, sandbox: SandboxProcess) -> None:
    b0 = branches(sandbox)[0]
    teller_email = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
    teller = sign_in(http, teller_email)
    sup = sign_in(http, add_employee(http, hub, roles=["Supervisor"], branch_guid=b0))

    def post(path: str, who: dict[str, str], **body: Any) -> dict[str, Any]:
        r = http.post(path, headers={**who, "X-Desk-ID": "desk"}, json=body)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def closed_here() -> list[tuple[str, str]]:
        r = http.get("/api/v1/cash/position", headers=sup)
        assert r.status_code == 200, r.text
        return [(t["id"], t["counted"]) for t in r.json()["closed_tills"]
                if t["till_code"] == "T-old"]

    first = post("/api/v1/tills/open", teller, till_code="T-old", counts={"note_100": 1})
    post(f"/api/v1/tills/{first['id']}/cosign", sup)  # a first opening is co-signed
    post("/api/v1/tills/current/close", teller, counts={"note_100": 1})  # close_seq 1, 100.00
    closed_at = int(http.get(f"/api/v1/tills/{first['id']}/report",
                             headers=teller).json()["closed_at"]) - 60
    execute(hub, "UPDATE tills SET closed_at = :t WHERE id = :i", t=closed_at, i=first["id"])
    # a minute later the older process opened the till and closed it with 300.00
    execute(hub, OLD_CLOSE, id="00000000-0000-4000-8000-0000000000a1", code="T-old",
            branch=b0, teller=teller_email, opened=closed_at + 20, prev=10000,
            counts=json.dumps({"note_100": 3}), minor=30000, closed=closed_at + 30)
    assert closed_here() == [("00000000-0000-4000-8000-0000000000a1", "300.00")]

    second = post("/api/v1/tills/open", teller, till_code="T-old", counts={"note_100": 3})
    assert (second["previous_close"], second["state"]) == ("300.00", "open")
    post("/api/v1/tills/current/close", teller, counts={"note_100": 3})  # numbered after it
    assert closed_here() == [(second["id"], "300.00")]
    third = post("/api/v1/tills/open", teller, till_code="T-old", counts={"note_100": 3})
    assert (third["previous_close"], third["state"]) == ("300.00", "open")
    post("/api/v1/tills/current/close", teller, counts={"note_100": 3})
