"""Mode A: a change made on DCM directly, around the hub, of a field the policy judges
(a new phone number, a branch move) raises an "unapproved change" alert like a disable does;
a customer moved on DCM directly takes their secret along (the watcher reconciles it).
A snapshot taken before a field was watched never reads as a change of it. Real sandbox and
hub (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fe_db import execute, scalar
from fe_helpers import ADMIN, new_customer, put_customer, read_customer, start_fe_hub, wait_for
from hub_proc import DcmSigner, HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess

LVIV_TELLER = "teller.lviv@demo.bank"


@pytest.fixture(scope="module")
def hub(hub_db: str | None, sandbox: SandboxProcess,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    proc = start_fe_hub(tmp_path_factory.mktemp("watch-fields"), sandbox, hub_db)
    yield proc
    assert proc.stop() == 0, proc.log()[-3000:]


def _known(hub: HubProc, guid: str) -> bool:
    return bool(scalar(hub, "SELECT COUNT(*) FROM customer_snapshots WHERE customer_guid = :g",
                       g=guid))


def _alert_fields(hub: HubProc, guid: str) -> Any:
    detail = scalar(hub, "SELECT detail FROM alerts WHERE customer_guid = :g", g=guid)
    return None if detail is None else json.loads(detail)


def test_a_new_phone_made_around_the_hub_is_alerted(hub: HubProc,
                                                    sandbox: SandboxProcess) -> None:
    guid = new_customer(sandbox, branches(sandbox)[0])
    wait_for(lambda: _known(hub, guid), timeout=30)
    put_customer(sandbox, ADMIN, guid, phone_number="+380671234567")
    detail = wait_for(lambda: _alert_fields(hub, guid), timeout=30)
    assert "phone_number" in detail["reasons"] and "phone_number" in detail["fields"]


def test_a_move_made_around_the_hub_is_alerted_and_the_secret_follows(
        hub: HubProc, http: httpx.Client, sandbox: SandboxProcess, dcm: DcmSigner) -> None:
    kyiv, lviv = branches(sandbox)[:2]
    guid = new_customer(sandbox, kyiv)
    login = read_customer(sandbox, guid).login
    teller = sign_in(http, add_employee(http, hub, branch_guid=kyiv))
    issued = http.post("/api/v1/secrets", json={"external_id": login, "branch_guid": kyiv},
                       headers=teller)
    assert issued.status_code == 200, issued.text
    wait_for(lambda: _known(hub, guid), timeout=30)

    def key_for_lviv() -> int:
        return http.get("/key", headers={"X-Session-ID": dcm.token(LVIV_TELLER, login)}
                        ).status_code

    assert key_for_lviv() == 401
    put_customer(sandbox, ADMIN, guid, branch_guid=lviv)
    detail = wait_for(lambda: _alert_fields(hub, guid), timeout=30)
    assert "branch_move" in detail["reasons"], detail
    wait_for(lambda: key_for_lviv() == 200, timeout=30)


def test_a_snapshot_without_the_new_fields_is_no_change(hub: HubProc,
                                                        sandbox: SandboxProcess) -> None:
    """A hub upgraded with snapshots of the four old fields only: the next read of a
    customer stores the new fields and raises nothing."""
    guid = new_customer(sandbox, branches(sandbox)[0])
    wait_for(lambda: _known(hub, guid), timeout=30)
    old = {"is_disabled": False, "status": "active", "kyc_level": 2,
           "balance_allowed": "1000"}
    execute(hub, "UPDATE customer_snapshots SET fields = :f WHERE customer_guid = :g",
            f=json.dumps(old), g=guid)
    put_customer(sandbox, ADMIN, guid, name=f"Марта {uuid.uuid4().hex[:4]}")  # read again
    wait_for(lambda: "phone_number" in json.loads(str(scalar(
        hub, "SELECT fields FROM customer_snapshots WHERE customer_guid = :g", g=guid))),
        timeout=30)
    assert _alert_fields(hub, guid) is None


def test_a_limit_changed_around_the_hub_is_alerted_with_its_currency(
        hub: HubProc, sandbox: SandboxProcess) -> None:
    """The alert names the customer's balance currency with the limit's amounts, so a desk
    words them in it and not in a hryvnia the customer may not have."""
    asset = sandbox.manifest["asset"]
    guid = new_customer(sandbox, branches(sandbox)[0], balance_asset_code=asset["code"],
                        balance_asset_issuer=asset["issuer"])
    code = read_customer(sandbox, guid).balance_asset_code
    assert code == asset["code"]
    wait_for(lambda: _known(hub, guid), timeout=30)
    put_customer(sandbox, ADMIN, guid, balance_allowed=5000)
    detail = wait_for(lambda: _alert_fields(hub, guid), timeout=30)
    limit = detail["fields"]["balance_allowed"]
    assert limit == {"before": "1000", "after": "5000", "balance_asset_code": code}, detail
