"""Helpers for the four-eyes tests: DCM (sandbox) access with the real platform client, and a
hub with the bank key (Mode B execution) and a fast watcher."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from hub_proc import PASSWORD, HubProc, add_employee, branches, hub_env, start_hub
from till_open import open_cosigned

from teller_app.core.cash import CashService, find_processing_account
from teller_app.core.till import TillService
from teller_app.core.till_cash import HubCash
from teller_app.platform import CustomerUpdate, NewCustomer, PasswordLogin, PlatformClient
from teller_app.platform.hub_client import HubClient
from teller_app.platform.models import Customer

ADMIN = "admin@demo.bank"


def password_of(sandbox: Any, email: str) -> str:
    return str(next(e["password"] for e in sandbox.manifest["employees"] if e["email"] == email))


def fe_env(sandbox: Any, db_url: str | None, **extra: str) -> dict[str, str]:
    bank = sandbox.manifest["bank_jwt"]
    env = hub_env(sandbox, db_url)
    env.update({"TELLER_HUB_BANK_KEY_FILE": str(bank["private_key_pem"]),
                "TELLER_HUB_BANK_KEY_KID": str(bank["kid"]),
                "TELLER_HUB_WATCH": "1", "TELLER_HUB_WATCH_INTERVAL_S": "0.3",
                "TELLER_HUB_RESUME_INTERVAL_S": "0.5"})
    env.update(extra)
    return env


def start_fe_hub(data_dir: Path, sandbox: Any, db_url: str | None, **extra: str) -> HubProc:
    return start_hub(data_dir, fe_env(sandbox, db_url, **extra))


def _client(sandbox: Any, email: str = ADMIN, password: str | None = None) -> PlatformClient:
    return PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                          auth=PasswordLogin(email, password or password_of(sandbox, email)))


def new_customer(sandbox: Any, branch_guid: str, **fields: Any) -> str:
    async def run() -> str:
        asset = sandbox.manifest["asset"]
        async with _client(sandbox) as c:
            created = await c.create_customer(NewCustomer(
                asset_code=asset["code"], asset_issuer=asset["issuer"],
                login="fe" + uuid.uuid4().hex[:10], name="Ірина", surname="Коваль",
                branch_guid=branch_guid, kyc_level=2, balance_allowed=Decimal(1000),
                status="active", **fields))
            return created.customer_guid
    return asyncio.run(run())


def read_customer(sandbox: Any, guid: str) -> Customer:
    async def run() -> Customer:
        async with _client(sandbox) as c:
            return await c.get_customer(guid)
    return asyncio.run(run())


def put_customer(sandbox: Any, email: str, guid: str, password: str | None = None,
                 **fields: Any) -> None:
    """A direct DCM change by ``email`` (Mode A teller with customers PUT)."""
    async def run() -> None:
        async with _client(sandbox, email, password) as c:
            await c.update_customer(guid, CustomerUpdate(**fields))
    asyncio.run(run())


def platform_token(sandbox: Any, email: str, password: str | None = None) -> str:
    async def run() -> str:
        async with _client(sandbox, email, password) as c:
            assert c.session_token
            return c.session_token
    return asyncio.run(run())


def platform_session(http: httpx.Client, token: str) -> dict[str, str]:
    """A hub session for a DCM session (Mode A). A new DCM employee shows in the hub's
    directory at its next refresh (at most one per 2 s on a miss), so 401 is retried."""
    def attempt() -> httpx.Response | None:
        r = http.post("/api/v1/sessions", json={"mode": "platform", "session_token": token})
        assert r.status_code in (200, 401), r.text
        return r if r.status_code == 200 else None
    r = wait_for(attempt, timeout=15, interval=0.5)
    return {"Authorization": f"Bearer {r.json()['token']}"}


def wait_for(check: Callable[[], Any], timeout: float = 15.0, interval: float = 0.05) -> Any:
    """Poll a condition (another process's state) until it holds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


class SseReader:
    """Reads ``GET /api/v1/events`` in a thread; ``events`` grows as they arrive."""

    def __init__(self, base_url: str, headers: dict[str, str],
                 last_event_id: int | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.arrived: list[float] = []
        self.ready = threading.Event()
        self.ready_frame: dict[str, Any] = {}  # the ready event's data, and its "id:" line
        self.changed = threading.Condition()
        self._stop = False
        hdrs = dict(headers)
        if last_event_id is not None:
            hdrs["Last-Event-ID"] = str(last_event_id)
        self._client = httpx.Client(base_url=base_url, timeout=httpx.Timeout(10, read=None))
        self._thread = threading.Thread(target=self._run, args=(hdrs,), daemon=True)
        self._thread.start()
        assert self.ready.wait(10), "event stream did not open"

    def _run(self, headers: dict[str, str]) -> None:
        kind, frame_id = "", None
        try:
            with self._client.stream("GET", "/api/v1/events", headers=headers) as resp:
                assert resp.status_code == 200
                for line in resp.iter_lines():
                    if self._stop:
                        return
                    if not line:  # a frame ends
                        kind, frame_id = "", None
                    elif line.startswith("event:"):
                        kind = line[6:].strip()
                    elif line.startswith("id:"):
                        frame_id = line[3:].strip()
                    elif line.startswith("data:"):
                        data = json.loads(line[5:].strip())
                        if kind == "ready":
                            self.ready_frame = {"data": data, "id": frame_id}
                            self.ready.set()
                            continue
                        with self.changed:
                            self.events.append(data)
                            self.arrived.append(time.perf_counter())
                            self.changed.notify_all()
        except (httpx.HTTPError, RuntimeError):
            return

    def wait(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 10.0
             ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for ev in self.events:
                    if pred(ev):
                        return ev
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no such event; got {[e['kind'] for e in self.events]}")
                self.changed.wait(left)

    def close(self) -> None:
        self._stop = True
        self._client.close()


def cash_draft(sandbox: Any, amount: str) -> tuple[str, str]:
    """A cash-in draft (branch 0 till → a new customer): (customer guid, payment guid)."""
    from teller_app.platform import NewPayment, PaymentStatus

    async def run() -> tuple[str, str]:
        kyiv = sandbox.manifest["branches"][0]
        asset = sandbox.manifest["asset"]
        async with _client(sandbox) as c:
            created = await c.create_customer(NewCustomer(
                asset_code=asset["code"], asset_issuer=asset["issuer"],
                login="fc" + uuid.uuid4().hex[:10], branch_guid=kyiv["guid"],
                balance_allowed=Decimal(100000)))
            guid = await c.create_payment(NewPayment(
                amount=Decimal(amount), asset_code=asset["code"], asset_issuer=asset["issuer"],
                sender_id=kyiv["processing_account_guid"],
                receiver_id=created.wallet_account_guid, purpose="cash in"),
                branch_guid=kyiv["guid"])
            assert (await c.get_payment(guid)).status is PaymentStatus.CREATED
            return created.customer_guid, guid
    return asyncio.run(run())


def payment_status(sandbox: Any, guid: str) -> str:
    async def run() -> str:
        async with _client(sandbox) as c:
            return str((await c.get_payment(guid)).status)
    return asyncio.run(run())


def dcm_employee(sandbox: Any, roles: list[str], branch_guid: str) -> tuple[str, str]:
    """A new DCM employee (created by the sandbox's administrator): (e-mail, password)."""
    email = f"fe.{uuid.uuid4().hex[:8]}@demo.bank"
    password = "pw-" + uuid.uuid4().hex
    r = httpx.post(f"{sandbox.base_url}/api/v1/counterparty/{sandbox.counterparty_guid}/employees",
                   headers={"Authorization": f"bearer {platform_token(sandbox, ADMIN)}"},
                   json={"email": email, "password": password, "roles": roles,
                         "branch_guid": branch_guid, "name": "Read", "surname": "Only"},
                   timeout=10)
    assert r.status_code == 200, r.text
    return email, password


@dataclass
class TillWorld:
    """A four-eyes hub on the shared sandbox with one teller and one supervisor of branch 0."""
    hub: HubProc
    b0: str
    teller: str
    sup: str


@contextmanager
def till_world(data_dir: Path, sandbox: Any, db_url: str | None,
               teller_name: str | None = None) -> Iterator[TillWorld]:
    hub = start_fe_hub(data_dir, sandbox, db_url)
    b0 = branches(sandbox)[0]
    try:
        with hub.client() as http:
            if teller_name is None:
                teller = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
            else:  # a known display name (the inbox shows it)
                teller = f"teller-{uuid.uuid4().hex[:8]}@bank.test"
                r = http.post("/api/v1/admin/employees",
                              headers={"Authorization": f"Bearer {hub.admin_token}"},
                              json={"email": teller, "name": teller_name,
                                    "password": PASSWORD, "roles": ["Teller"],
                                    "branch_guid": b0})
                assert r.status_code == 200, r.text
            sup = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
            yield TillWorld(hub, b0, teller, sup)
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]


@dataclass
class CashDesk:
    """A teller's open till and the cash service on it, gated by the hub."""

    till: TillService
    gate: HubCash
    service: CashService


async def open_cash_desk(dcm: PlatformClient, branch: str, teller_hub: HubClient,
                         sup_hub: HubClient, code: str, desk: str) -> CashDesk:
    """Open till ``code`` on ``desk`` (the supervisor co-signs a first opening)."""
    till = TillService(teller_hub, desk)
    await open_cosigned(till, sup_hub, code, {"note_100": 1})
    gate = HubCash(teller_hub, till)
    service = CashService(dcm, branch, await find_processing_account(dcm, branch),
                          Decimal(10000), policy=gate, gate=gate)
    return CashDesk(till, gate, service)
