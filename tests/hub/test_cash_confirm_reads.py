"""How many times the hub reads DCM to confirm cash: the draft (payment, its accounts) and
its customer (the status that may stop cash, a withdrawal's payer login) are read once per
confirm — by an approved request's execution (Mode B with the bank key, Mode A with the
approver's platform session) and by the Mode-B proxy's confirm. The reads are counted by a
TCP proxy in front of DCM (real sockets; the hub's watcher is off). SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fe_helpers import platform_session, platform_token
from staffed_hub import Staffed, staffed_hub
from till_helpers import confirm, customer, draft, status

from teller_app.core.embedded_sandbox import SandboxProcess
from tests.loopback_proxy import Flow, LoopbackProxy

DESK = "desk-reads"
MODE_A_SUPERVISOR = "supervisor.kyiv@demo.bank"  # the sandbox's, in branch 0
REQUEST_LINE = re.compile(rb"^(GET|POST|PUT|PATCH|DELETE) (\S+) HTTP/1\.[01]\r\n")


class CountingProxy(LoopbackProxy):
    """Forwards to DCM and notes each request's method and path (the hub sends one request
    a chunk's start on a connection: no pipelining)."""

    def __init__(self, upstream_url: str) -> None:
        port = int(httpx.URL(upstream_url).port or 80)
        super().__init__(port, name="counting-proxy")
        self._lock = threading.Lock()
        self._seen: list[tuple[str, str]] = []

    async def forward(self, data: bytes, dst: asyncio.StreamWriter, flow: Flow) -> None:
        found = REQUEST_LINE.match(data) if flow.up else None
        if found is not None:
            with self._lock:
                self._seen.append((found[1].decode(), found[2].decode()))
        await super().forward(data, dst, flow)

    def take(self) -> list[tuple[str, str]]:
        with self._lock:
            seen, self._seen = self._seen, []
        return seen


def reads_of(seen: list[tuple[str, str]], payment: str, cust: str,
             account: str) -> dict[str, int]:
    """How often ``seen`` read this draft's payment, the accounts it moves money between and
    its customer (a client's one-time probes of how DCM filters name none of them)."""
    reads = [path for method, path in seen if method == "GET"]
    return {"payment": sum(f"/payments/{payment}" in r for r in reads),
            "accounts": sum("/accounts" in r and account in r for r in reads),
            "customer": sum("/customers?" in r and cust in r for r in reads)}


@dataclass
class World(Staffed):
    sandbox: SandboxProcess
    proxy: CountingProxy

    def post(self, path: str, who: dict[str, str], **body: Any) -> httpx.Response:
        return self.http.post(path, headers={**who, "X-Desk-ID": DESK}, json=body)

    def authorized(self, account: str, amount: str, kind: str) -> str:
        guid = draft(self.sandbox, self.b0, account, amount, kind=kind)
        r = self.post("/api/v1/cash/authorize", self.teller, payment_guid=guid)
        assert r.status_code == 200, r.text
        assert r.json()["decision"] in ("allow", "needs_approval"), r.text
        return guid

    def filed(self, cust: str, guid: str, amount: str) -> dict[str, Any]:
        r = self.post("/api/v1/requests", self.teller, kind="cash_confirm", customer_guid=cust,
                      reason="cash", change={"payment_guid": guid, "amount": amount,
                                             "branch_guid": self.b0})
        assert r.status_code == 201, r.text
        return dict(r.json())


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with (closing(CountingProxy(sandbox.base_url).start()) as proxy,
          staffed_hub(tmp_path_factory.mktemp("cash-reads-hub"), sandbox, hub_db,
                      TELLER_HUB_WATCH="0", TELLER_HUB_DCM_URL=proxy.url) as staff):
        w = World(**staff.fields(), sandbox=sandbox, proxy=proxy)
        w.open_till("T-reads", {"note_500": 200}, DESK)
        yield w


def _funded(w: World) -> tuple[str, str]:
    """(customer, account) holding 20 000.00 (confirmed on DCM directly: the watcher is off)."""
    cust, account = customer(w.sandbox, w.b0)
    confirm(w.sandbox, w.b0, draft(w.sandbox, w.b0, account, "20000.00"))
    return cust, account


ONCE = {"payment": 1, "accounts": 1, "customer": 1}


@pytest.mark.parametrize("kind", ["deposit", "withdrawal"])
def test_an_approved_confirm_reads_the_draft_once_mode_b(world: World, kind: str) -> None:
    """The bank key's execution: a withdrawal's payer login is the customer read for its
    status (it was read again, and the payment twice)."""
    w = world
    cust, account = _funded(w)
    guid = w.authorized(account, "12000.00", kind)
    req = w.filed(cust, guid, "12000.00")
    w.proxy.take()
    done = w.post(f"/api/v1/requests/{req['id']}/approve", w.sup, sha256=req["sha256"])
    seen = w.proxy.take()
    assert done.status_code == 200 and done.json()["state"] == "applied", done.text
    assert status(w.sandbox, guid) == "CONFIRMED"
    assert reads_of(seen, guid, cust, account) == ONCE, seen


@pytest.mark.parametrize("kind", ["deposit", "withdrawal"])
def test_an_approved_confirm_reads_the_draft_once_mode_a(world: World, kind: str) -> None:
    """The approver's platform session: the payment was read twice (status, then amount)."""
    w = world
    cust, account = _funded(w)
    guid = w.authorized(account, "12000.00", kind)
    req = w.filed(cust, guid, "12000.00")
    token = platform_token(w.sandbox, MODE_A_SUPERVISOR)
    sup = platform_session(w.http, token)
    w.proxy.take()
    done = w.post(f"/api/v1/requests/{req['id']}/approve", sup, sha256=req["sha256"],
                  session_token=token)
    seen = w.proxy.take()
    assert done.status_code == 200 and done.json()["state"] == "applied", done.text
    assert status(w.sandbox, guid) == "CONFIRMED"
    assert reads_of(seen, guid, cust, account) == ONCE, seen


@pytest.mark.parametrize("kind", ["deposit", "withdrawal"])
def test_a_proxied_confirm_reads_the_draft_once(world: World, kind: str) -> None:
    """Mode B's ``/dcm`` confirm: the payment is read once, and the payer check and the cash
    check both judge that row (it was read twice: by the payer check in the employee's name,
    then by the cash check); the cash check takes the customer's status from the row the
    payer check read (a withdrawal's payer is the customer); a deposit's is read once."""
    w = world
    cust, account = _funded(w)
    guid = w.authorized(account, "100.00", kind)
    w.proxy.take()
    r = w.http.post(f"/dcm/api/v1/counterparty/{w.sandbox.counterparty_guid}/branch/{w.b0}"
                    "/payments/confirm", headers=w.sup, json={"payment_guid": guid})
    seen = w.proxy.take()
    assert r.status_code == 200, r.text
    assert status(w.sandbox, guid) == "CONFIRMED"
    assert reads_of(seen, guid, cust, account) == ONCE, seen
