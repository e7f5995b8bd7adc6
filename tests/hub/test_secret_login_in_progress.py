"""Two tellers creating two different people under one login at the same moment: the second
issue of the login's secret (``POST /api/v1/secrets``) must not replace the profile the first
desk's create is about to carry (DCM's /user_auth reads it). A fresh secret (``PENDING_S``)
is replaced only by the employee who issued it; another's is refused, 409
``login_in_progress``, nothing changed; older than that, it is reused as before. Over HTTP and
in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_proc import add_employee, branches, sign_in
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub import vault
from teller_app.hub.crypto import MasterKey
from teller_app.hub.db import customer_secrets
from teller_app.hub.models import SecretIn
from teller_app.hub.phone_holders import PENDING_S
from teller_app.hub.vault_records import customer_records
from tests.phones import unused_phone

ROUNDS = 3
CODE = "login_in_progress"


def test_two_desks_one_login_at_once_one_is_refused(hub: Any, http: httpx.Client, dcm: Any,
                                                     sandbox: Any) -> None:
    kyiv = branches(sandbox)[0]
    a = sign_in(http, add_employee(http, hub, roles=["Teller"], branch_guid=kyiv))
    b = sign_in(http, add_employee(http, hub, roles=["Teller"], branch_guid=kyiv))
    for _ in range(ROUNDS):
        login = f"same.{uuid.uuid4().hex[:8]}@example.ua"
        people = [{"external_id": login, "branch_guid": kyiv, "phone": unused_phone(),
                   "first_name": first, "last_name": last}
                  for first, last in (("Іван", "Петренко"), ("Петро", "Іваненко"))]

        async def both(people: list[dict[str, Any]] = people) -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=hub.base_url, timeout=30) as c:
                return list(await asyncio.gather(*[
                    c.post("/api/v1/secrets", headers=h, json=p)
                    for h, p in ((a, people[0]), (b, people[1]))]))

        answers = asyncio.run(both())
        codes = sorted(r.status_code for r in answers)
        assert codes == [200, 409], [r.text for r in answers]
        won = next(i for i, r in enumerate(answers) if r.status_code == 200)
        assert answers[won].json()["created"] is True
        assert answers[1 - won].json()["code"] == CODE, answers[1 - won].text
        profile = http.get("/user_auth", headers={"X-Session-ID": dcm.token(
            "admin@demo.bank", login, "sign-up")}).json()
        assert (profile["first_name"], profile["phone"]) == (
            people[won]["first_name"], people[won]["phone"]), profile
        # the one told 200 tries again with the same person: still its own, still 200
        again = http.post("/api/v1/secrets", headers=(a, b)[won], json=people[won])
        assert again.status_code == 200, again.text
    rows = {e["seq"]: e for who in (a, b) for e in http.get("/api/v1/audit", headers=who, params={
        "action": "secret_refused", "limit": 1000}).json()["entries"]}
    assert sum(e["detail"].get("refusal") == CODE for e in rows.values()) == ROUNDS, rows


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _person(login: str, first: str, phone: str) -> SecretIn:
    return SecretIn(external_id=login, branch_guid="kyiv", first_name=first, phone=phone)


async def _first_name(engine: AsyncEngine, master: MasterKey, login: str) -> str:
    async with engine.connect() as conn:
        found = next(await customer_records(conn, master, external_id=login))
    return str(found.profile["first_name"])


def test_the_store_replaces_only_the_issuers_or_an_older_profile(db_url: str) -> None:
    master = MasterKey(os.urandom(32))

    async def body(engine: AsyncEngine) -> None:
        login = "same.login"
        assert await vault.issue(engine, master, _person(login, "Іван", "+380661110001"),
                                 created_by="teller.a@bank", counterparty_guid="cp")
        with pytest.raises(vault.LoginInProgress):  # B, moments after A's issue
            await vault.replace_profile(engine, master, _person(login, "Петро", "+380661110002"),
                                        created_by="teller.b@bank", unique_phone=True)
        assert await _first_name(engine, master, login) == "Іван"
        # A's own retry with corrected details replaces it
        assert await vault.replace_profile(engine, master, _person(login, "Іванко",
                                                                   "+380661110001"),
                                           created_by="teller.a@bank", unique_phone=True)
        assert await _first_name(engine, master, login) == "Іванко"
        # B with the very details A's create carries: nothing to replace, nothing refused
        assert not await vault.replace_profile(engine, master, _person(login, "Іванко",
                                                                       "+380661110001"),
                                               created_by="teller.b@bank")
        async with engine.begin() as conn:  # A's create no longer on its way
            await conn.execute(customer_secrets.update().where(
                customer_secrets.c.external_id == login).values(
                    created_at=customer_secrets.c.created_at - PENDING_S - 1))
        assert await vault.replace_profile(engine, master, _person(login, "Петро",
                                                                   "+380661110002"),
                                           created_by="teller.b@bank", unique_phone=True)
        assert await _first_name(engine, master, login) == "Петро"

    run_on_engine(db_url, body)
