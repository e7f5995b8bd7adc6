"""The watcher's phone duplicate check when DCM refuses the look-up: the pass's other work
goes on (the "changed without approval" alert, the snapshot), the number is judged by the
next pass that can read DCM, once. Watcher passes run here, in-process, on a real hub's
database (its own watcher off) and the real sandbox behind a proxy that breaks the phone
look-ups on demand (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Iterator
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
from teller_app.hub.dcm_reader import Reader
from teller_app.hub.settings import HubSettings
from teller_app.hub.state import HubState
from teller_app.hub.watcher import Watcher
from tests.loopback_proxy import Flow, LoopbackProxy


class PhoneLookupBreaker(LoopbackProxy):
    """Forwards to DCM; while ``broken``, a customer list asking for ``phone_numbers`` asks
    for more rows than DCM allows, so DCM refuses it (400)."""

    broken = False

    async def forward(self, data: bytes, dst: asyncio.StreamWriter, flow: Flow) -> None:
        line = data.split(b"\r\n", 1)[0]
        if flow.up and self.broken and b"phone_numbers" in line:
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
    return f"+38068{random.randrange(10**7):07d}"


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
        engine = create_async_engine(db_url(hub))
        settings = HubSettings(dcm_url=proxy.url, dcm_counterparty=sandbox.counterparty_guid,
                               dcm_tech_login=ADMIN,
                               dcm_tech_password=SecretStr(password_of(sandbox, ADMIN)))
        state = cast(HubState, SimpleNamespace(settings=settings, engine=engine,
                                               sealed_cache=None))
        reader = Reader(state)
        try:
            watcher = Watcher(state, reader)
            await watcher.tick()  # the first sweep: every number there predates the check
            # a direct edit onto A's number (the helper runs its own loop: another thread)
            await asyncio.to_thread(put_customer, sandbox, ADMIN, b, phone_number=held)
            proxy.broken = True
            await watcher.tick()
            got = await _alerts(engine, b)
            assert [d["reasons"] for d in got] == [["phone_number"]], got  # the other work
            proxy.broken = False
            await watcher.tick()
            got = await _alerts(engine, b)
            assert [d["reasons"] for d in got] == [["phone_number"], ["phone_duplicate"]], got
            assert got[1]["fields"]["phone_holder"]["wallet_user_guid"] == a
            await watcher.tick()
            assert len(await _alerts(engine, b)) == 2  # not again
        finally:
            await reader.close()
            await engine.dispose()

    try:
        asyncio.run(run())
    finally:
        proxy.close()
    assert read_customer(sandbox, b).phone_number == held
