"""Desks and hubs of different releases (real hub processes, SQLite and PostgreSQL): every
answer names the hub's API and ``GET /api/v1/version`` says it without a sign-in; the desk
says its API on every request; a hub that allows no desk this old refuses its writes with
426 ``desk_too_old`` (the desk's ``DeskTooOld``) but still signs it in and out, answers its
reads, and takes IT's admin calls."""

from __future__ import annotations

import asyncio
import base64
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_proc import (
    PASSWORD,
    HubProc,
    add_employee,
    database_admin_token,
    database_master_key,
    sign_in,
    start_hub,
)
from migrated_db import fresh_database
from skewed_hub import start_skewed_hub

import teller_app
from teller_app.platform.api_version import DESK_API
from teller_app.platform.errors import DeskTooOld
from teller_app.platform.hub_client import HubClient


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _env(db_url: str) -> dict[str, str]:
    return {"TELLER_HUB_DATABASE_URL": db_url, "TELLER_HUB_LOG_LEVEL": "info",
            "TELLER_HUB_MASTER_KEY": base64.b64encode(database_master_key(db_url)).decode(),
            "TELLER_HUB_ADMIN_TOKEN": database_admin_token(db_url),
            "TELLER_HUB_OPENAPI_DOCS": "1"}


def _entries() -> list[dict[str, Any]]:
    return [{"action": "other", "entity": "version-test", "client_id": uuid.uuid4().hex}]


def _append(http: httpx.Client, who: dict[str, str], **headers: str | bytes
            ) -> httpx.Response:
    return http.post("/api/v1/audit", headers={**who, **headers},
                     json={"desk_id": "desk-v", "entries": _entries()})


def _write(http: httpx.Client, who: dict[str, str], **headers: str | bytes
           ) -> httpx.Response:
    """A desk's write the gate applies to: a customer's secret (the first step of a create)."""
    return http.post("/api/v1/secrets", headers={**who, **headers},
                     json={"external_id": f"v.{uuid.uuid4().hex[:10]}@example.ua"})


def test_every_answer_names_the_hub_api_and_version_needs_no_sign_in(
        db_url: str, tmp_path: Path) -> None:
    hub = start_hub(tmp_path / "hub", _env(db_url))
    try:
        with hub.client() as http:
            version = http.get("/api/v1/version")
            assert version.status_code == 200
            assert version.json() == {"api": 1, "min_desk_api": 0,
                                      "hub": teller_app.__version__}
            answers = [version, http.get("/healthz"), http.get("/readyz"),
                       http.get("/api/v1/me"),  # 401
                       http.get("/api/v1/nowhere"),  # 404
                       http.post("/api/v1/sessions", json={"mode": "?"})]  # 422
            assert [r.status_code for r in answers[3:]] == [401, 404, 422]
            assert all(r.headers.get("X-Teller-Hub-Api") == "1" for r in answers)
            # today's hub takes every desk's writes, one that says no API (API 0) included
            who = sign_in(http, add_employee(http, hub, head_office=True))
            assert _append(http, who).status_code == 200
            assert _write(http, who).status_code == 200
    finally:
        assert hub.stop() == 0


def test_an_older_desk_signs_in_but_its_writes_are_refused(db_url: str,
                                                           tmp_path: Path) -> None:
    hub = start_skewed_hub(tmp_path / "newer", _env(db_url), min_desk_api=DESK_API + 1)
    try:
        with hub.client() as http:
            assert http.get("/api/v1/version").json()["min_desk_api"] == DESK_API + 1
            email = add_employee(http, hub, head_office=True)  # IT's admin call: no desk
            who = sign_in(http, email)  # sign-in is heard, so the desk can be told
            for said in ({}, {"X-Teller-Desk-Api": str(DESK_API)},
                         {"X-Teller-Desk-Api": "not a number"},
                         {"X-Teller-Desk-Api": b"\xb2"}):  # "²": a digit to str.isdigit
                refused = _write(http, who, **said)
                assert refused.status_code == 426, refused.text
                assert refused.json()["code"] == "desk_too_old"
                assert refused.headers["X-Teller-Hub-Api"] == "1"
            assert _write(http, who, **{"X-Teller-Desk-Api": str(DESK_API + 1)}
                          ).status_code == 200
            # its audit outbox still goes (what it wrote straight to DCM is recorded)
            assert _append(http, who).status_code == 200
            assert http.get("/api/v1/me", headers=who).status_code == 200  # reads are open
            documented = http.get("/openapi.json").json()["paths"]
            assert "426" in documented["/api/v1/secrets"]["post"]["responses"]
            assert "426" not in documented["/api/v1/audit"]["post"]["responses"]
            assert "426" not in documented["/api/v1/sessions"]["post"]["responses"]
            assert "426" not in documented["/api/v1/admin/employees"]["post"]["responses"]
            assert http.delete("/api/v1/sessions", headers=who).status_code == 200
        assert asyncio.run(_the_desk_is_told(hub, email)) == DESK_API + 1
    finally:
        assert hub.stop() == 0


async def _the_desk_is_told(hub: HubProc, email: str) -> int:
    """This desk's own client: it signs in, reads the version, and a write raises
    ``DeskTooOld`` (nothing retried, nothing done)."""
    async with HubClient(hub.base_url) as desk:
        await desk.open_password_session(email, PASSWORD)
        version = await desk.version()
        assert version.refuses_this_desk and not version.newer_than_desk
        with pytest.raises(DeskTooOld) as refused:
            await desk.issue_secret(f"v.{uuid.uuid4().hex[:10]}@example.ua", None)
        assert refused.value.reason == "desk_too_old" and refused.value.source == "hub"
        await desk.append_audit(_entries(), desk_id="desk-v")  # its record still goes
        await desk.close_session()
        return version.min_desk_api


def test_the_desk_says_its_api_on_every_request(db_url: str, tmp_path: Path) -> None:
    """A hub that takes this desk's API and nothing older: the desk's writes go through, the
    same write without the header does not."""
    hub = start_skewed_hub(tmp_path / "exact", _env(db_url), min_desk_api=DESK_API)
    try:
        with hub.client() as http:
            email = add_employee(http, hub, head_office=True)
            assert _write(http, sign_in(http, email)).status_code == 426

        async def desk_writes() -> int:
            async with HubClient(hub.base_url) as desk:
                assert desk._http._client.headers["User-Agent"] == \
                    f"Teller/{teller_app.__version__}"
                await desk.open_password_session(email, PASSWORD)
                issued = await desk.issue_secret(f"v.{uuid.uuid4().hex[:10]}@example.ua", None)
                await desk.close_session()
                return int(issued.created)
        assert asyncio.run(desk_writes()) == 1
    finally:
        assert hub.stop() == 0
