"""A cash draft's payment read on DCM, but not the accounts it moves money between (what
tells whether it is cash, whose and in which branch): the hub cannot decide anything on it,
so it answers 503 ``dcm_unreadable`` (it was an Internal Server Error) and does nothing — at
``/cash/authorize``, ``/cash/void`` and a ``cash_confirm`` filing. Counting a confirmed
payment the hub authorized (an operation, a till's reconciliation) needs no account read.
DCM is the real sandbox behind a TCP proxy that drops the account reads only while ``cut``;
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from staffed_hub import Staffed, staffed_hub
from till_helpers import confirm, customer, draft

from teller_app.core.embedded_sandbox import SandboxProcess
from tests.loopback_proxy import Flow, LoopbackProxy

DESK = "desk-unread-accounts"
ACCOUNTS_READ = re.compile(rb"^GET \S*/accounts\?\S* HTTP/1\.[01]\r\n")


class AccountReadCutter(LoopbackProxy):
    """The hub's DCM link; while ``cut``, a read of the account list gets no answer (its
    connection is dropped), everything else goes through."""

    cut = False

    def __init__(self, upstream_url: str) -> None:
        super().__init__(int(httpx.URL(upstream_url).port or 80), name="account-read-cutter")

    async def forward(self, data: bytes, dst: asyncio.StreamWriter, flow: Flow) -> None:
        if self.cut and flow.up and ACCOUNTS_READ.match(data):
            dst.transport.abort()
            return
        await super().forward(data, dst, flow)


@dataclass
class World(Staffed):
    sandbox: SandboxProcess
    proxy: AccountReadCutter

    def post(self, path: str, **body: Any) -> httpx.Response:
        return self.http.post(path, headers={**self.teller, "X-Desk-ID": DESK}, json=body)


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with (contextlib.closing(AccountReadCutter(sandbox.base_url).start()) as proxy,
          staffed_hub(tmp_path_factory.mktemp("unread-accounts-hub"), sandbox, hub_db,
                      TELLER_HUB_WATCH="0", TELLER_HUB_DCM_URL=proxy.url) as staff):
        w = World(**staff.fields(), sandbox=sandbox, proxy=proxy)
        w.open_till("T-unread", {"note_500": 200}, DESK)
        yield w


def _unreadable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "dcm_unreadable", r.text


def _authorized(w: World, account: str, amount: str = "100.00") -> str:
    guid = draft(w.sandbox, w.b0, account, amount)
    r = w.post("/api/v1/cash/authorize", payment_guid=guid)
    assert r.status_code == 200 and r.json()["decision"] == "allow", r.text
    return guid


@contextlib.contextmanager
def accounts_unread(w: World) -> Iterator[None]:
    w.proxy.cut = True
    try:
        yield
    finally:
        w.proxy.cut = False


def test_authorize_of_a_draft_whose_accounts_cannot_be_read_is_503_and_records_nothing(
        world: World) -> None:
    w = world
    guid = draft(w.sandbox, w.b0, customer(w.sandbox, w.b0)[1], "100.00")
    with accounts_unread(w):
        _unreadable(w.post("/api/v1/cash/authorize", payment_guid=guid))
    r = w.http.get("/api/v1/cash/authorizations", headers=w.teller,
                   params={"payment_guid": [guid]})
    assert r.status_code == 200 and r.json()["authorizations"] == [], r.text
    r = w.post("/api/v1/cash/authorize", payment_guid=guid)  # read again: decided
    assert r.status_code == 200 and r.json()["decision"] == "allow", r.text


def test_void_of_a_draft_whose_accounts_cannot_be_read_is_503_and_voids_nothing(
        world: World) -> None:
    w = world
    guid = _authorized(w, customer(w.sandbox, w.b0)[1])
    with accounts_unread(w):
        _unreadable(w.post("/api/v1/cash/void", payment_guid=guid, reason="mistake",
                           desk_id=DESK))
    r = w.http.get("/api/v1/cash/voids", headers=w.teller, params={"payment_guid": [guid]})
    assert r.status_code == 200 and r.json()["voids"] == [], r.text
    r = w.post("/api/v1/cash/void", payment_guid=guid, reason="mistake", desk_id=DESK)
    assert r.status_code == 200, r.text


def test_counting_a_confirmed_operation_needs_no_account_read(world: World) -> None:
    """A confirmed payment the hub authorized on the till counts by that authorization
    (checked against DCM's payment), not by reading its accounts again: what DCM shows of
    them now (another branch, an account unreadable) never takes the cash out of the till."""
    w = world
    guid = _authorized(w, customer(w.sandbox, w.b0)[1])
    confirm(w.sandbox, w.b0, guid)
    with accounts_unread(w):
        r = w.post("/api/v1/tills/current/operations", payment_guid=guid)
    assert r.status_code == 200 and r.json()["counted"] is True, r.text


def test_reconciling_a_till_needs_no_account_read(world: World) -> None:
    """``/tills/current`` counts what DCM confirmed since, by the hub's authorizations, with
    the account reads cut."""
    w = world
    guid = _authorized(w, customer(w.sandbox, w.b0)[1])
    confirm(w.sandbox, w.b0, guid)
    with accounts_unread(w):
        r = w.http.get("/api/v1/tills/current", headers=w.teller)
    assert r.status_code == 200, r.text
    r = w.post("/api/v1/tills/current/operations", payment_guid=guid)
    assert r.status_code == 200 and r.json()["counted"] is False, r.text  # reconciled


def test_a_cash_confirm_filing_while_accounts_cannot_be_read_is_503_and_files_nothing(
        world: World) -> None:
    w = world
    cust, account = customer(w.sandbox, w.b0)
    guid = _authorized(w, account)
    with accounts_unread(w):
        _unreadable(w.post("/api/v1/requests", kind="cash_confirm", customer_guid=cust,
                           reason="cash", change={"payment_guid": guid, "amount": "100.00",
                                                  "branch_guid": w.b0}))
    listed = w.http.get("/api/v1/requests", headers=w.teller, params={"mine": True})
    assert listed.status_code == 200, listed.text
    assert [r for r in listed.json()["requests"] if r["customer_guid"] == cust] == []
