"""Mode B: a supervisor's confirmation of a cash draft through the hub's DCM proxy is
forwarded only when the hub controlled the draft (authorized at ``/cash/authorize``, not
voided, over-threshold only with an approved request). Real sandbox and hub, SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fe_db import scalar
from staffed_hub import Staffed, staffed_hub
from till_helpers import customer, draft, status

from teller_app.core.embedded_sandbox import SandboxProcess

OPEN = {"note_100": 5}


@dataclass
class World(Staffed):
    cp: str

    def post(self, path: str, headers: dict[str, str], **body: Any) -> httpx.Response:
        return self.http.post(path, headers={**headers, "X-Desk-ID": "desk-P"}, json=body)

    def confirm_through_proxy(self, payment_guid: str) -> httpx.Response:
        return self.http.post(
            f"/dcm/api/v1/counterparty/{self.cp}/branch/{self.b0}/payments/confirm",
            headers=self.sup, json={"payment_guid": payment_guid})


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with staffed_hub(tmp_path_factory.mktemp("proxy-cash-hub"), sandbox, hub_db,
                     TELLER_HUB_WATCH="0") as staff:
        w = World(**staff.fields(), cp=sandbox.counterparty_guid)
        w.open_till("T-proxy", OPEN, "desk-P")
        yield w


def _authorize(w: World, guid: str) -> str:
    r = w.post("/api/v1/cash/authorize", w.teller, payment_guid=guid)
    assert r.status_code == 200, r.text
    return str(r.json()["decision"])


def test_a_draft_the_hub_authorized_is_confirmed(world: World,
                                                 sandbox: SandboxProcess) -> None:
    w = world
    _, account = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "100.00")
    assert _authorize(w, guid) == "allow"
    asked = "SELECT confirm_asked_at FROM cash_authorizations WHERE payment_guid = :p"
    assert scalar(w.hub, asked, p=guid) is None  # only checked so far
    r = w.confirm_through_proxy(guid)
    assert r.status_code == 200, r.text
    assert status(sandbox, guid) == "CONFIRMED"
    # the proxy notes the confirm itself (a desk that never said "confirm" too): a till
    # close in the meantime leaves the draft alone for the grace
    assert scalar(w.hub, asked, p=guid) is not None


def test_a_draft_never_authorized_is_refused(world: World, sandbox: SandboxProcess) -> None:
    w = world
    _, account = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "100.00")
    r = w.confirm_through_proxy(guid)
    assert r.status_code == 403 and "not_authorized" in r.json()["error"], r.text
    assert status(sandbox, guid) == "CREATED"


def test_a_voided_draft_is_refused(world: World, sandbox: SandboxProcess) -> None:
    w = world
    _, account = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "50.00")
    assert _authorize(w, guid) == "allow"
    r = w.post("/api/v1/cash/void", w.teller, payment_guid=guid, reason="wrong amount")
    assert r.status_code == 200, r.text
    r = w.confirm_through_proxy(guid)
    assert r.status_code == 403 and "voided" in r.json()["error"], r.text
    assert status(sandbox, guid) == "CREATED"


def test_an_over_threshold_draft_needs_its_approved_request(world: World,
                                                            sandbox: SandboxProcess) -> None:
    w = world
    _, account = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "15000.00")
    assert _authorize(w, guid) == "needs_approval"
    r = w.confirm_through_proxy(guid)
    assert r.status_code == 403 and "over_threshold" in r.json()["error"], r.text
    assert status(sandbox, guid) == "CREATED"
