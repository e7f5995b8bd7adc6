"""Mode A: a supervisor's direct DCM edit gives customer B the number customer A holds: the
hub never saw it, the watcher's next pass raises one alert of reason ``phone_duplicate`` on B
naming A (same branch), and later passes do not repeat it. With the policy's
``unique_phone`` off such a number raises nothing. Real sandbox and hub (SQLite and
PostgreSQL); every number is new (the sandbox is shared)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import shared_hubs
import sqlalchemy as sa
from fe_db import db_url, scalar
from fe_helpers import new_customer, put_customer, read_customer, start_fe_hub, wait_for
from hub_proc import HubProc, branches
from sqlalchemy.ext.asyncio import create_async_engine

from teller_app.core.embedded_sandbox import SandboxProcess
from tests.phones import unused_phone

SUPERVISOR = "supervisor.kyiv@demo.bank"  # branch 0's, with their own DCM session


@pytest.fixture(scope="module")
def hub(hub_db: str | None, sandbox: SandboxProcess,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    proc = start_fe_hub(tmp_path_factory.mktemp("watch-phones"), sandbox, hub_db)
    yield proc
    assert proc.stop() == 0, proc.log()[-3000:]


def phone() -> str:
    return unused_phone()


def _duplicates(hub: HubProc, guid: str) -> list[dict[str, Any]]:
    """The details of ``guid``'s alerts of reason ``phone_duplicate``."""
    async def run() -> list[str]:
        engine = create_async_engine(db_url(hub))
        try:
            async with engine.connect() as conn:
                return [str(r[0]) for r in (await conn.execute(sa.text(
                    "SELECT detail FROM alerts WHERE customer_guid = :g"), {"g": guid})).all()]
        finally:
            await engine.dispose()
    found = [json.loads(text) for text in asyncio.run(run())]
    return [d for d in found if "phone_duplicate" in d.get("reasons", [])]


def _known(hub: HubProc, guid: str) -> bool:
    return bool(scalar(hub, "SELECT COUNT(*) FROM customer_snapshots WHERE customer_guid = :g",
                       g=guid))


def _passed(hub: HubProc, sandbox: SandboxProcess, guid: str) -> None:
    """Wait until a watcher pass that read ``guid`` as DCM has it now has ended (its cursor
    saved at or after the customer's last update)."""
    stamp = read_customer(sandbox, guid).updated_at
    assert stamp is not None

    def done() -> bool:
        cursor = scalar(hub, "SELECT cursor FROM leases WHERE name = 'watcher'")
        return cursor is not None and datetime.fromisoformat(str(cursor)) >= stamp
    wait_for(done, timeout=30)


def _pair(hub: HubProc, sandbox: SandboxProcess) -> tuple[str, str, str]:
    """(A, A's number, B): two customers of branch 0 with their own numbers, seen by the
    watcher."""
    kyiv = branches(sandbox)[0]
    held = phone()
    a = new_customer(sandbox, kyiv, phone_number=held)
    b = new_customer(sandbox, kyiv, phone_number=phone())
    wait_for(lambda: _known(hub, a) and _known(hub, b), timeout=30)
    return a, held, b


def test_a_direct_edit_onto_a_held_number_is_alerted_once(
        hub: HubProc, sandbox: SandboxProcess) -> None:
    a, held, b = _pair(hub, sandbox)
    assert _duplicates(hub, a) == [] and _duplicates(hub, b) == []
    put_customer(sandbox, SUPERVISOR, b, phone_number=held)

    found = wait_for(lambda: _duplicates(hub, b), timeout=30)
    assert len(found) == 1, found
    assert found[0]["fields"]["phone_holder"] == {
        "login": read_customer(sandbox, a).login, "wallet_user_guid": a}
    assert found[0]["login"] == read_customer(sandbox, b).login
    assert held not in json.dumps(found[0])  # the number itself is not in the alert

    # later passes read B again (another field; the cursor re-reads its newest row too)
    put_customer(sandbox, SUPERVISOR, b, name=f"Ірина {uuid.uuid4().hex[:4]}")
    _passed(hub, sandbox, b)
    put_customer(sandbox, SUPERVISOR, b, surname=f"Коваль {uuid.uuid4().hex[:4]}")
    _passed(hub, sandbox, b)
    assert len(_duplicates(hub, b)) == 1
    assert _duplicates(hub, a) == []  # A kept their number: nothing new about A


def test_shared_phones_allowed_by_the_policy_raise_nothing(
        hub: HubProc, sandbox: SandboxProcess) -> None:
    a, held, b = _pair(hub, sandbox)
    _, teller, _ = shared_hubs.teller_and_supervisor(hub, sandbox)
    it = {"Authorization": f"Bearer {hub.admin_token}"}
    with hub.client() as c:
        got = c.get("/api/v1/policy", headers=teller).json()["policy"]
        r = c.put("/api/v1/policy", headers=it, json={**got, "unique_phone": False},
                  params={"reason": "family phones"})
        assert r.status_code == 200, r.text
        try:
            put_customer(sandbox, SUPERVISOR, b, phone_number=held)
            _passed(hub, sandbox, b)
        finally:
            r = c.put("/api/v1/policy", headers=it, json=got, params={"reason": "restore"})
            assert r.status_code == 200, r.text
    put_customer(sandbox, SUPERVISOR, b, name=f"Ірина {uuid.uuid4().hex[:4]}")
    _passed(hub, sandbox, b)  # read again with the rule back on: accepted back then
    assert _duplicates(hub, b) == [] and _duplicates(hub, a) == []
