"""A payment the Mode-B proxy forwards names its customer in the hub's own audit rows when
the hub knows it from its rows (a cash draft it authorized): the supervisor's trail no longer
guesses it from other rows. Real sandbox and hub, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from staffed_hub import Staffed, staffed_hub
from till_helpers import customer, draft, status

from teller_app.core.embedded_sandbox import SandboxProcess


@dataclass
class World(Staffed):
    cp: str


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with staffed_hub(tmp_path_factory.mktemp("proxy-audit-customer-hub"), sandbox, hub_db,
                     TELLER_HUB_WATCH="0") as staff:
        w = World(**staff.fields(), cp=sandbox.counterparty_guid)
        w.open_till("T-proxy-audit", {"note_100": 5}, "desk-PA")
        yield w


def test_a_proxied_cash_confirm_names_its_customer(world: World,
                                                   sandbox: SandboxProcess) -> None:
    w = world
    cust, account = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "100.00")
    r = w.http.post("/api/v1/cash/authorize", headers={**w.teller, "X-Desk-ID": "desk-PA"},
                    json={"payment_guid": guid})
    assert r.status_code == 200 and r.json()["decision"] == "allow", r.text
    r = w.http.post(f"/dcm/api/v1/counterparty/{w.cp}/branch/{w.b0}/payments/confirm",
                    headers=w.sup, json={"payment_guid": guid})
    assert r.status_code == 200, r.text
    assert status(sandbox, guid) == "CONFIRMED"
    entries = w.http.get("/api/v1/audit", headers=w.sup,
                         params={"limit": 1000}).json()["entries"]
    rows = [e for e in entries if e["action"] == "proxy_write"
            and e["detail"].get("target_guid") == guid]
    assert {e["detail"]["event"] for e in rows} == {"sent", "answered"}, rows
    assert all(e["detail"].get("customer_guid") == cust for e in rows), rows
