"""Risky customer fields in the approval policy (audit finding: a phone number, a branch
move, KYC up and the segment were outside it). Defaults: a new phone number (where one-time
codes go) and a move to another branch need a second person; KYC up and a segment change are
options. Judged against DCM's values, so an unchanged field asks nothing. Runs on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fe_helpers import new_customer, read_customer
from staffed_hub import Staffed, staffed_hub

from teller_app.core.embedded_sandbox import SandboxProcess
from tests.phones import unused_phone


class World(Staffed):
    def reasons(self, guid: str, change: dict[str, Any]) -> list[str]:
        r = self.http.post("/api/v1/policy/evaluate", headers=self.teller, json={
            "kind": "customer_update", "change": change, "customer_guid": guid})
        assert r.status_code == 200, r.text
        return list(r.json()["reasons"])


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with staffed_hub(tmp_path_factory.mktemp("risky-hub"), sandbox, hub_db) as staff:
        yield World(**staff.fields())


def test_phone_and_branch_need_approval_by_default(world: World,
                                                   sandbox: SandboxProcess) -> None:
    w = world
    policy = w.http.get("/api/v1/policy", headers=w.teller).json()["policy"]
    assert (policy["phone_number"], policy["branch_move"]) == (True, True)
    assert (policy["kyc_up"], policy["segment"]) == (False, False)
    guid = new_customer(sandbox, w.b0)
    now = read_customer(sandbox, guid)
    new_sim = unused_phone()  # a number of its own (shared sandbox)
    assert w.reasons(guid, {"phone_number": new_sim}) == ["phone_number"]
    assert w.reasons(guid, {"phone_number": now.phone_number}) == []  # unchanged
    assert w.reasons(guid, {"branch_guid": w.b1}) == ["branch_move"]
    assert w.reasons(guid, {"branch_guid": w.b0}) == []
    assert w.reasons(guid, {"kyc_level": now.kyc_level + 3}) == []  # option, off
    assert w.reasons(guid, {"segment": "vip"}) == []
    # Mode B: the proxy refuses the teller's own PUT of a new phone number or branch
    path = f"/dcm/api/v1/counterparty/{sandbox.counterparty_guid}/customers/{guid}"
    for body in ({"phone_number": new_sim}, {"branch_guid": w.b1}):
        r = w.http.put(path, headers=w.teller, json=body)
        assert r.status_code == 403, r.text
    after = read_customer(sandbox, guid)
    assert (after.phone_number, after.branch_guid) == (now.phone_number, now.branch_guid)
    r = w.http.post("/api/v1/requests", headers=w.teller, json={
        "kind": "customer_update", "customer_guid": guid, "reason": "new SIM",
        "change": {"phone_number": new_sim}})
    assert r.status_code == 201 and r.json()["policy_reasons"] == ["phone_number"], r.text
    assert r.json()["before"]["phone_number"] == now.phone_number
    done = w.http.post(f"/api/v1/requests/{r.json()['id']}/approve", headers=w.sup,
                       json={"sha256": r.json()["sha256"]})
    assert done.status_code == 200 and done.json()["state"] == "applied", done.text
    assert read_customer(sandbox, guid).phone_number == new_sim


def test_kyc_up_and_segment_when_turned_on(world: World, sandbox: SandboxProcess) -> None:
    w = world
    got = w.http.get("/api/v1/policy", headers=w.teller).json()["policy"]
    r = w.http.put("/api/v1/policy", headers=w.admin,
                   json={**got, "kyc_up": True, "segment": True})
    assert r.status_code == 200, r.text  # stricter: at once
    try:
        guid = new_customer(sandbox, w.b0)
        now = read_customer(sandbox, guid)
        assert w.reasons(guid, {"kyc_level": now.kyc_level + 3}) == ["kyc_up"]
        assert w.reasons(guid, {"kyc_level": now.kyc_level}) == []
        other = "vip" if now.segment.strip().lower() != "vip" else "retail"
        assert w.reasons(guid, {"segment": other}) == ["segment"]
        assert w.reasons(guid, {"segment": now.segment}) == []
    finally:
        back = w.http.put("/api/v1/policy", json=got,  # relaxes: IT's break glass
                          headers={"Authorization": f"Bearer {w.hub.admin_token}"})
        assert back.status_code == 200, back.text


def test_a_limit_is_kept_with_its_currency_at_filing(world: World,
                                                     sandbox: SandboxProcess) -> None:
    """The approver reads a limit's old value in its own currency ("1 000 UAH → 500 USD"),
    so a request for the limit alone keeps the currency it had at filing too."""
    w = world
    guid = new_customer(sandbox, w.b0)
    now = read_customer(sandbox, guid)
    r = w.http.post("/api/v1/requests", headers=w.teller, json={
        "kind": "customer_update", "customer_guid": guid, "reason": "a higher limit",
        "change": {"balance_allowed": "150000.50"}})
    assert r.status_code == 201, r.text
    before = r.json()["before"]
    assert "balance_allowed" in before
    assert before["balance_asset_code"] == now.balance_asset_code, before
