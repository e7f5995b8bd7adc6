"""The watcher's phone duplicate check when DCM refuses the look-up: the pass's other work
goes on (the "changed without approval" alert, the snapshot), the number is judged by the
next pass that can read DCM, once. Watcher passes run here, in-process, on a real hub's
database (its own watcher off) and the real sandbox behind a proxy that breaks the phone
look-ups on demand (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any, cast

import pytest
import sqlalchemy as sa
from fe_db import db_url
from fe_helpers import (
    ADMIN,
    new_customer,
    password_of,
    put_customer,
    read_customer,
    start_fe_hub,
)
from hub_proc import HubProc, branches
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import create_async_engine

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import policy
from teller_app.hub.dcm_reader import Reader
from teller_app.hub.phone_watch import PhonePass
from teller_app.hub.settings import HubSettings
from teller_app.hub.state import HubState
from teller_app.hub.watcher import LeaseLost, Watcher
from tests.loopback_proxy import Flow, LoopbackProxy
from tests.phones import unused_phone


class PhoneLookupBreaker(LoopbackProxy):
    """Forwards to DCM; a customer list asking for ``phone_numbers`` is, while ``broken`` is
    "drop", never answered (the connection closes: DCM did not answer), and while it is
    "refuse", asks for more rows than DCM allows, so DCM refuses it (400)."""

    broken = ""

    async def forward(self, data: bytes, dst: asyncio.StreamWriter, flow: Flow) -> None:
        line = data.split(b"\r\n", 1)[0]
        if flow.up and b"phone_numbers" in line:
            if self.broken == "drop":
                dst.close()
                return
            if self.broken == "refuse":
                data = data.replace(b"limit=20", b"limit=5000", 1)
        await super().forward(data, dst, flow)


@pytest.fixture(scope="module")
def hub(hub_db: str | None, sandbox: SandboxProcess,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    proc = start_fe_hub(tmp_path_factory.mktemp("watch-phone-fails"), sandbox, hub_db,
                        TELLER_HUB_WATCH="0")
    yield proc
    assert proc.stop() == 0, proc.log()[-3000:]


def phone() -> str:
    return unused_phone()


async def _alerts(engine: Any, guid: str) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.text(
            "SELECT detail FROM alerts WHERE customer_guid = :g ORDER BY id"), {"g": guid})).all()
    return [json.loads(r[0]) for r in rows]


def test_a_failed_look_up_is_judged_by_the_next_pass(hub: HubProc,
                                                     sandbox: SandboxProcess) -> None:
    kyiv = branches(sandbox)[0]
    held = phone()
    a = new_customer(sandbox, kyiv, phone_number=held)
    b = new_customer(sandbox, kyiv, phone_number=phone())
    proxy = PhoneLookupBreaker(int(sandbox.base_url.rsplit(":", 1)[1]))
    proxy.start()

    async def run() -> None:
        async with _watching(hub, sandbox, proxy.url) as (engine, watcher):
            await watcher.tick()  # the first sweep: every number there predates the check
            # a direct edit onto A's number (the helper runs its own loop: another thread)
            await asyncio.to_thread(put_customer, sandbox, ADMIN, b, phone_number=held)
            proxy.broken = "drop"
            await watcher.tick()
            got = await _alerts(engine, b)
            assert [d["reasons"] for d in got] == [["phone_number"]], got  # the other work
            proxy.broken = ""
            await watcher.tick()
            got = await _alerts(engine, b)
            assert [d["reasons"] for d in got] == [["phone_number"], ["phone_duplicate"]], got
            assert got[1]["fields"]["phone_holder"]["wallet_user_guid"] == a
            await watcher.tick()
            assert len(await _alerts(engine, b)) == 2  # not again

    try:
        asyncio.run(run())
    finally:
        proxy.close()
    assert read_customer(sandbox, b).phone_number == held


@contextlib.asynccontextmanager
async def _watching(hub: HubProc, sandbox: SandboxProcess,
                    dcm_url: str) -> AsyncIterator[tuple[Any, Watcher]]:
    """(the hub's database engine, a watcher of its own reading DCM at ``dcm_url``)."""
    engine = create_async_engine(db_url(hub))
    settings = HubSettings(dcm_url=dcm_url, dcm_counterparty=sandbox.counterparty_guid,
                           dcm_tech_login=ADMIN,
                           dcm_tech_password=SecretStr(password_of(sandbox, ADMIN)))
    state = cast(HubState, SimpleNamespace(settings=settings, engine=engine,
                                           sealed_cache=None))
    reader = Reader(state)
    watcher = Watcher(state, reader)
    try:
        yield engine, watcher
    finally:
        await watcher.release()  # the module's next watcher takes the lease at once
        await reader.close()
        await engine.dispose()


def test_a_look_up_dcm_refuses_is_not_tried_again(hub: HubProc,
                                                  sandbox: SandboxProcess) -> None:
    """DCM refusing the look-up of one number (an answer, not an outage) leaves that number
    unjudged (logged) and holds nobody else back: no pass asks for it again."""
    kyiv = branches(sandbox)[0]
    held = phone()
    new_customer(sandbox, kyiv, phone_number=held)
    b = new_customer(sandbox, kyiv, phone_number=phone())
    proxy = PhoneLookupBreaker(int(sandbox.base_url.rsplit(":", 1)[1]))
    proxy.start()

    async def run() -> None:
        async with _watching(hub, sandbox, proxy.url) as (engine, watcher):
            await watcher.tick()
            await asyncio.to_thread(put_customer, sandbox, ADMIN, b, phone_number=held)
            proxy.broken = "refuse"
            await watcher.tick()
            proxy.broken = ""
            await watcher.tick()
            got = await _alerts(engine, b)
            assert [d["reasons"] for d in got] == [["phone_number"]], got

    try:
        asyncio.run(run())
    finally:
        proxy.close()


def test_a_pass_that_lost_its_lease_writes_nothing(hub: HubProc,
                                                   sandbox: SandboxProcess) -> None:
    """Another process took the lease while this pass read DCM (a slow DCM): the page's
    alerts and snapshots are left to it, or both would raise the same alerts."""
    kyiv = branches(sandbox)[0]
    held = phone()
    new_customer(sandbox, kyiv, phone_number=held)
    b = new_customer(sandbox, kyiv, phone_number=phone())

    async def run() -> None:
        async with _watching(hub, sandbox, sandbox.base_url) as (engine, watcher):
            await watcher.tick()
            await asyncio.to_thread(put_customer, sandbox, ADMIN, b, phone_number=held)
            async with engine.begin() as conn:  # taken by another process meanwhile
                await conn.execute(sa.text(
                    "UPDATE leases SET holder = 'another-process' WHERE name = 'watcher'"))
            changed = await asyncio.to_thread(read_customer, sandbox, b)
            pol = (await policy.load(engine))[0]
            phones = PhonePass(watcher.reader, pol.unique_phone, None)
            with pytest.raises(LeaseLost):
                await watcher._check_page([changed], pol, phones)
            assert await _alerts(engine, b) == []
            async with engine.begin() as conn:  # the lease back to whoever takes it next
                await conn.execute(sa.text(
                    "UPDATE leases SET expires_at = 0 WHERE name = 'watcher'"))

    asyncio.run(run())
