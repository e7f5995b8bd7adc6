"""The hub's execution of an approved ``cash_confirm`` sends its confirm, DCM applies it, and
the answer is lost on the way back (a 502 from a gateway in front of DCM): the hub reads DCM,
finds the draft CONFIRMED and ends the request "applied (found on DCM after no answer)", not
"applied". The cash watcher trusts only "applied" (the hub's own confirm answered, right after
its status check): the confirm DCM applied may be a desk's, so a customer blocked afterwards
is still reported (``customer_blocked``). Real hub (its own watcher off: the passes are the
test's) and sandbox, SQLite and PostgreSQL; the hub's DCM link is a TCP proxy that loses the
answer to one payment's confirm."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from cash_watching import Watching, approved_cash_confirm, run_watching
from staffed_hub import Staffed, staffed_hub
from till_helpers import customer, draft, set_customer_status, status

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import commands
from tests.loopback_proxy import Flow, LoopbackProxy

DESK = "desk-watch-no-answer"
REQUEST_STARTS = (b"GET ", b"HEAD ", b"POST ", b"PUT ", b"PATCH ", b"DELETE ")
BAD_GATEWAY = (b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\n"
               b"Content-Length: 25\r\nConnection: close\r\n\r\n{\"error\": \"bad gateway\"}\n")


class ConfirmAnswerLoser(LoopbackProxy):
    """The hub's DCM link. The confirm naming ``lose_answer_to``'s payment goes to DCM (which
    applies it); DCM's answer is replaced by a 502 and the connection closed (once, ``lost``
    set). Everything else goes through."""

    def __init__(self, upstream_url: str) -> None:
        super().__init__(int(httpx.URL(upstream_url).port or 80), name="confirm-answer-loser")
        self.target = b""
        self.lost = threading.Event()

    def lose_answer_to(self, payment_guid: str) -> None:
        self.target = payment_guid.encode()

    async def forward(self, data: bytes, dst: asyncio.StreamWriter, flow: Flow) -> None:
        shared = flow.shared
        if flow.up:
            if data.startswith(REQUEST_STARTS):  # a new request on this connection
                line = data.split(b"\r\n", 1)[0]
                shared["confirm"] = line.startswith(b"POST ") and b"/payments/confirm " in line
                shared["lose"] = False
            # the payment's GUID is in the body: in this chunk or a later one
            if shared.get("confirm") and self.target and self.target in data:
                shared["lose"], self.target = True, b""
        elif shared.get("lose"):  # DCM answered, so applied it: the hub gets a 502 instead
            if not self.lost.is_set():
                dst.write(BAD_GATEWAY)
                await dst.drain()
                dst.close()
                self.lost.set()
            return
        await super().forward(data, dst, flow)


@dataclass
class World(Staffed):
    sandbox: SandboxProcess
    proxy: ConfirmAnswerLoser


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with (contextlib.closing(ConfirmAnswerLoser(sandbox.base_url).start()) as proxy,
          staffed_hub(tmp_path_factory.mktemp("watch-no-answer-hub"), sandbox, hub_db,
                      TELLER_HUB_WATCH="0", TELLER_HUB_DCM_URL=proxy.url) as staff):
        w = World(**staff.fields(), sandbox=sandbox, proxy=proxy)
        w.open_till("T-no-answer", {"note_500": 2}, DESK)
        yield w


@pytest.mark.slow
def test_cash_confirmed_after_no_answer_is_reported_for_a_later_block(world: World) -> None:
    """The hub cannot tell its confirm from a desk's that landed first (the answer that
    would say so never came): a block read after it is the supervisor's to judge."""
    w = world
    cust, account = customer(w.sandbox, w.b0)

    async def body(watching: Watching) -> None:
        watcher = watching.watcher()
        await watcher.tick()  # the cursor starts (a first run examines nothing before it)
        guid = draft(w.sandbox, w.b0, account, "15000.00")
        w.proxy.lose_answer_to(guid)
        done = approved_cash_confirm(w.http, w.teller, w.sup, DESK, w.b0, cust, guid,
                                     "15000.00")
        assert w.proxy.lost.is_set()  # DCM applied it, the hub got a 502
        assert status(w.sandbox, guid) == "CONFIRMED"
        assert done["state"] == "applied", done
        assert done["result"] == commands.FOUND_CONFIRMED_AFTER_NO_ANSWER, done
        set_customer_status(w.sandbox, cust, "blocked")
        await watcher.tick()
        found = await watching.alert(guid)
        assert found is not None and found["reasons"] == ["customer_blocked"], found
        assert found["customer_status"] == "blocked"

    run_watching(w.hub, w.sandbox, body)
