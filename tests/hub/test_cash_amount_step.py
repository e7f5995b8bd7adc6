"""Cash through a till goes in whole steps of its smallest coin (0.10 UAH): the hub refuses any
other amount (422 ``cash_amount_step``) at ``/cash/authorize``, ``/cash/preview`` and the
Mode-B proxy's confirm, records nothing of it, and a till never expects an amount no count can
equal. The threshold's edge stays where it was: 10000.00 is the teller's, 10000.10 asks.
Real sandbox and hub, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fe_db import execute, scalar
from staffed_hub import Staffed, staffed_hub
from till_helpers import customer, draft, status

from teller_app.core.embedded_sandbox import SandboxProcess

OPEN = {"note_100": 5}
STEP = "cash_amount_step"
AUTHORIZED = "SELECT COUNT(*) FROM cash_authorizations WHERE payment_guid = :p"


@dataclass
class World(Staffed):
    cp: str

    def post(self, path: str, headers: dict[str, str], **body: Any) -> httpx.Response:
        return self.http.post(path, headers={**headers, "X-Desk-ID": "desk-S"}, json=body)


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with staffed_hub(tmp_path_factory.mktemp("cash-step-hub"), sandbox, hub_db,
                     TELLER_HUB_WATCH="0") as staff:
        w = World(**staff.fields(), cp=sandbox.counterparty_guid)
        w.open_till("T-step", OPEN, "desk-S")
        yield w


def _refused_for_step(r: httpx.Response, below: str, above: str) -> None:
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == STEP and "steps of 0.10" in body["error"], body
    assert (body["step"], body["below"], body["above"]) == ("0.10", below, above), body


def test_authorize_refuses_an_amount_no_till_can_count(world: World,
                                                       sandbox: SandboxProcess) -> None:
    w = world
    _, account = customer(sandbox, w.b0)
    odd = draft(sandbox, w.b0, account, "75.55")
    for purpose in ("check", "confirm"):
        r = w.post("/api/v1/cash/authorize", w.teller, payment_guid=odd, purpose=purpose)
        _refused_for_step(r, "75.50", "75.60")
    assert scalar(w.hub, AUTHORIZED, p=odd) == 0  # nothing recorded: no till owes it
    tiny = draft(sandbox, w.b0, account, "0.05")  # below the first step: 0.10 named alone
    r = w.post("/api/v1/cash/authorize", w.teller, payment_guid=tiny)
    _refused_for_step(r, "0.00", "0.10")
    whole = draft(sandbox, w.b0, account, "75.50")
    r = w.post("/api/v1/cash/authorize", w.teller, payment_guid=whole)
    assert r.status_code == 200 and r.json()["decision"] == "allow", r.text


def test_preview_refuses_it_and_the_threshold_edge_moves_by_a_step(world: World) -> None:
    w = world
    r = w.post("/api/v1/cash/preview", w.teller, kind="deposit", amount="10000.01")
    _refused_for_step(r, "10000.00", "10000.10")
    r = w.post("/api/v1/cash/preview", w.teller, kind="withdrawal", amount="0.05")
    _refused_for_step(r, "0.00", "0.10")
    r = w.post("/api/v1/cash/preview", w.teller, kind="deposit", amount="10000.00")
    assert r.status_code == 200 and r.json()["decision"] == "allow", r.text
    r = w.post("/api/v1/cash/preview", w.teller, kind="deposit", amount="10000.10")
    assert r.status_code == 200 and r.json()["decision"] == "needs_approval", r.text
    assert r.json()["reasons"] == ["over_threshold"]


def test_the_proxy_never_confirms_an_amount_no_till_can_count(world: World,
                                                              sandbox: SandboxProcess) -> None:
    """A draft off the step authorized before the hub knew the step (its row written as such
    a hub wrote it): a supervisor's confirm through ``/dcm`` is refused, the draft stays."""
    w = world
    _, account = customer(sandbox, w.b0)
    whole = draft(sandbox, w.b0, account, "20.00")
    r = w.post("/api/v1/cash/authorize", w.teller, payment_guid=whole)
    assert r.status_code == 200 and r.json()["decision"] == "allow", r.text
    odd = draft(sandbox, w.b0, account, "20.25")
    execute(w.hub, "INSERT INTO cash_authorizations (payment_guid, teller, till_id, "
            "branch_guid, customer_guid, kind, amount_minor, decision, reasons, day, "
            "created_at) SELECT :odd, teller, till_id, branch_guid, customer_guid, kind, 2025, "
            "decision, reasons, day, created_at FROM cash_authorizations "
            "WHERE payment_guid = :whole", odd=odd, whole=whole)
    r = w.http.post(f"/dcm/api/v1/counterparty/{w.cp}/branch/{w.b0}/payments/confirm",
                    headers=w.sup, json={"payment_guid": odd})
    _refused_for_step(r, "20.20", "20.30")
    assert status(sandbox, odd) == "CREATED"


def test_a_vault_transfer_goes_in_the_same_steps(world: World) -> None:
    """Cash between the drawer and the vault is counted in coins too: 0.05 is refused,
    nothing filed; 0.10 is filed."""
    w = world
    path = "/api/v1/tills/current/transfers"
    for direction in ("to_vault", "to_till"):
        r = w.post(path, w.teller, direction=direction, amount="0.05")
        _refused_for_step(r, "0.00", "0.10")
    r = w.post(path, w.teller, direction="to_vault", amount="0.10")
    assert r.status_code == 200, r.text
