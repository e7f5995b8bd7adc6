"""The same vault count id sent several times at once (a desk's re-send racing the request
whose answer it lost): one count is recorded, every answer names it, one audit entry, and
its co-sign moves the vault once. On PostgreSQL every request has done its vault work and
waits on the audit chain's lock before any commits (``test_till_vault_races.at_once``);
SQLite runs one writer at a time by itself. A different branch's count under a taken id is
refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from hub_proc import add_employee, sign_in
from staffed_hub import Staffed, staffed_hub
from test_till_vault_races import at_once

from teller_app.core.embedded_sandbox import SandboxProcess


@pytest.fixture(scope="module")
def staff(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Staffed]:
    with staffed_hub(tmp_path_factory.mktemp("vault-count-id-race"), sandbox, hub_db) as s:
        yield s


def test_one_count_id_sent_at_once_records_one_count(staff: Staffed) -> None:
    b = staff.b1
    sup, second = (sign_in(staff.http, add_employee(
        staff.http, staff.hub, roles=["Supervisor"], branch_guid=b)) for _ in range(2))
    cid = str(uuid.uuid4())
    body = {"count_id": cid, "branch_guid": b, "counts": {"note_1000": 7},
            "reason": "opening stock"}  # 7 000.00 against an empty vault: it waits

    async def put(client: httpx.AsyncClient) -> httpx.Response:
        return await client.put("/api/v1/vault", headers=sup, json=body)

    answers = at_once(staff.hub, [put] * 4)
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert {a.json()["count"]["id"] for a in answers} == {cid}
    pos = staff.http.get("/api/v1/cash/position", headers=sup,
                         params={"branch_guid": b}).json()
    assert [c["id"] for c in pos["pending_vault_counts"]] == [cid]
    entries = staff.http.get("/api/v1/audit", headers=staff.admin,
                             params={"action": "till", "limit": 1000}).json()["entries"]
    assert sum(1 for e in entries if e["detail"].get("count_id") == cid
               and "vault_count" in e["detail"]) == 1
    r = staff.http.post(f"/api/v1/vault/counts/{cid}/cosign", headers=second)
    assert r.status_code == 200, r.text
    assert r.json()["vault"] == "7000.00"  # moved once
    # the id is taken: another branch's count under it is refused, nothing recorded there
    r = staff.http.put("/api/v1/vault", headers=staff.sup,
                       json={**body, "branch_guid": staff.b0})
    assert r.status_code == 409, r.text
    pos0 = staff.http.get("/api/v1/cash/position", headers=staff.sup,
                          params={"branch_guid": staff.b0}).json()
    assert pos0["pending_vault_counts"] == []
