"""A customer's secret follows the customer to another branch (SQLite and PostgreSQL; real
sandbox and hub over HTTP): moved through the Mode B proxy, the Auth Service lets the new
branch's staff act on it and no longer the old branch's; the four-eyes executor's hook
(``vault.follow_branch_change``) does the same from any process, whose cached owner is
trusted for ``OWNER_TTL_S`` only."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from fe_helpers import password_of, start_fe_hub, wait_for
from hub_proc import DcmSigner, HubProc, add_employee, branches, sign_in
from migrated_db import run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import vault
from teller_app.platform import CustomerUpdate, NewCustomer, PasswordLogin, PlatformClient

KYIV_TELLER, LVIV_TELLER = "teller.kyiv@demo.bank", "teller.lviv@demo.bank"


@pytest.fixture(scope="module")
def hub(hub_db: str | None, sandbox: SandboxProcess,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    proc = start_fe_hub(tmp_path_factory.mktemp("secret-moves"), sandbox, hub_db,
                        TELLER_HUB_WATCH="0")
    yield proc
    assert proc.stop() == 0, proc.log()[-3000:]


def _dcm_customer(sandbox: SandboxProcess, branch: str) -> tuple[str, str]:
    """A new DCM customer of ``branch``: (GUID, login)."""
    login = f"mv.{uuid.uuid4().hex[:10]}@example.ua"

    async def run() -> str:
        asset = sandbox.manifest["asset"]
        admin = "admin@demo.bank"
        async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                                  auth=PasswordLogin(admin, password_of(sandbox, admin))) as c:
            created = await c.create_customer(NewCustomer(
                asset_code=asset["code"], asset_issuer=asset["issuer"], login=login,
                name="Марта", surname="Гнатюк", branch_guid=branch, kyc_level=2,
                balance_allowed=Decimal(1000), status="active"))
            return created.customer_guid

    return asyncio.run(run()), login


def _key_status(http: httpx.Client, dcm: DcmSigner, who: str, login: str) -> int:
    return http.get("/key", headers={"X-Session-ID": dcm.token(who, login)}).status_code


def _issued_in_kyiv(http: httpx.Client, hub: HubProc, kyiv: str, login: str) -> None:
    teller = sign_in(http, add_employee(http, hub, branch_guid=kyiv))
    r = http.post("/api/v1/secrets", json={"external_id": login, "branch_guid": kyiv},
                  headers=teller)
    assert r.status_code == 200 and r.json()["created"] is True, r.text


def test_a_move_through_the_proxy_takes_the_secret_along(
        hub: HubProc, http: httpx.Client, sandbox: SandboxProcess, dcm: DcmSigner) -> None:
    kyiv, lviv = branches(sandbox)[:2]
    guid, login = _dcm_customer(sandbox, kyiv)
    _issued_in_kyiv(http, hub, kyiv, login)
    assert _key_status(http, dcm, KYIV_TELLER, login) == 200  # now cached by the hub
    assert _key_status(http, dcm, LVIV_TELLER, login) == 401

    head = sign_in(http, add_employee(http, hub, roles=["Administrator"], head_office=True))
    # as the desk sends it: DCM's nullable wrapper (§3.4, CustomerUpdate.wire)
    moved = http.put(f"/dcm/api/v1/counterparty/{sandbox.counterparty_guid}/customers/{guid}",
                     json=CustomerUpdate(branch_guid=lviv).wire(), headers=head)
    assert moved.status_code == 200, moved.text

    # at once (this process forgets its cached owner), not after a cache's lifetime
    assert _key_status(http, dcm, LVIV_TELLER, login) == 200
    assert _key_status(http, dcm, KYIV_TELLER, login) == 401
    lviv_teller = sign_in(http, add_employee(http, hub, branch_guid=lviv))
    kyiv_teller = sign_in(http, add_employee(http, hub, branch_guid=kyiv))
    assert http.get(f"/api/v1/secrets/{login}", headers=lviv_teller).json() == {"exists": True}
    assert http.get(f"/api/v1/secrets/{login}", headers=kyiv_teller).json() == {"exists": False}


def test_a_name_change_leaves_the_secret_where_it_is(
        hub: HubProc, http: httpx.Client, sandbox: SandboxProcess, dcm: DcmSigner) -> None:
    kyiv = branches(sandbox)[0]
    guid, login = _dcm_customer(sandbox, kyiv)
    _issued_in_kyiv(http, hub, kyiv, login)
    head = sign_in(http, add_employee(http, hub, roles=["Administrator"], head_office=True))
    renamed = http.put(f"/dcm/api/v1/counterparty/{sandbox.counterparty_guid}/customers/{guid}",
                       json={"name": "Марія"}, headers=head)
    assert renamed.status_code == 200, renamed.text
    assert _key_status(http, dcm, KYIV_TELLER, login) == 200
    assert _key_status(http, dcm, LVIV_TELLER, login) == 401


def _engine_url(hub: HubProc, hub_db: str | None) -> str:
    return hub_db or f"sqlite+aiosqlite:///{hub.data_dir / 'hub.db'}"


def test_the_executors_hook_moves_it_and_other_processes_follow(
        hub: HubProc, http: httpx.Client, sandbox: SandboxProcess, dcm: DcmSigner,
        hub_db: str | None) -> None:
    """What ``Executor._finish`` calls once an approved ``customer_update`` is on DCM. Run
    here from another process (this test's), like a second hub's executor: the serving hub
    must not answer from its cached owner for long."""
    kyiv, lviv = branches(sandbox)[:2]
    login = f"ex.{uuid.uuid4().hex[:10]}@example.ua"
    _issued_in_kyiv(http, hub, kyiv, login)
    assert _key_status(http, dcm, KYIV_TELLER, login) == 200  # cached by the serving hub
    results: list[bool] = []

    async def move(engine: AsyncEngine) -> None:
        results.append(await vault.follow_branch_change(engine, login, {"name": "Ніна"}))
        results.append(await vault.follow_branch_change(
            engine, login, {"branch_guid": lviv, "name": "Ніна"}))
        results.append(await vault.follow_branch_change(engine, login, {"branch_guid": lviv}))
        results.append(await vault.follow_branch_change(engine, None, {"branch_guid": kyiv}))
        results.append(await vault.set_branch(engine, f"keykeeper:{kyiv}", lviv))

    run_on_engine(_engine_url(hub, hub_db), move)
    assert results == [False, True, False, False, False]  # once; key keepers never move
    wait_for(lambda: _key_status(http, dcm, LVIV_TELLER, login) == 200,
             timeout=vault.OWNER_TTL_S + 5)
    assert _key_status(http, dcm, KYIV_TELLER, login) == 401

    async def back(engine: AsyncEngine) -> None:  # a reconcile's batch (one moves back)
        results.append(bool(await vault.follow_customers(
            engine, [(login, kyiv), ("nobody@example.ua", lviv), ("", lviv)])))

    run_on_engine(_engine_url(hub, hub_db), back)
    assert results[-1] is True
    wait_for(lambda: _key_status(http, dcm, KYIV_TELLER, login) == 200,
             timeout=vault.OWNER_TTL_S + 5)


def test_an_approved_branch_move_takes_the_secret_along(
        hub: HubProc, http: httpx.Client, sandbox: SandboxProcess, dcm: DcmSigner) -> None:
    """The four-eyes path: a Kyiv teller asks to move the customer to Lviv, a head-office
    Administrator approves, the hub applies it on DCM, and the secret moves with it."""
    kyiv, lviv = branches(sandbox)[:2]
    guid, login = _dcm_customer(sandbox, kyiv)
    _issued_in_kyiv(http, hub, kyiv, login)
    assert _key_status(http, dcm, LVIV_TELLER, login) == 401
    teller = sign_in(http, add_employee(http, hub, branch_guid=kyiv))
    filed = http.post("/api/v1/requests", headers=teller, json={
        "kind": "customer_update", "customer_guid": guid, "change": {"branch_guid": lviv},
        "reason": "moved to Lviv"})
    assert filed.status_code == 201, filed.text
    req = filed.json()
    head = sign_in(http, add_employee(http, hub, roles=["Administrator"], head_office=True))
    done = http.post(f"/api/v1/requests/{req['id']}/approve", headers=head,
                     json={"sha256": req["sha256"]})
    assert done.status_code == 200 and done.json()["state"] == "applied", done.text
    assert _key_status(http, dcm, LVIV_TELLER, login) == 200
    assert _key_status(http, dcm, KYIV_TELLER, login) == 401
