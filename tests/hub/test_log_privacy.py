"""The hub's log at ``TELLER_HUB_LOG_LEVEL=debug`` carries no SQL with its parameters (the
database drivers and SQLAlchemy stay at WARNING): no employee's argon2 hash, no customer's
login; the access log names the route's template, never a path with a login in it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from hub_proc import HubProc, add_employee, branches, hub_env, sign_in, start_hub

from teller_app.core.embedded_sandbox import SandboxProcess


@pytest.fixture(scope="module")
def debug_hub(hub_db: str | None, sandbox: SandboxProcess,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    env = {**hub_env(sandbox, hub_db), "TELLER_HUB_LOG_LEVEL": "debug"}
    proc = start_hub(tmp_path_factory.mktemp("debug-hub"), env)
    yield proc
    assert proc.stop() == 0, proc.log()[-2000:]


def test_debug_log_has_no_hashes_nor_logins(debug_hub: HubProc,
                                            sandbox: SandboxProcess) -> None:
    hub = debug_hub
    login = f"login.{uuid.uuid4().hex[:10]}@example.ua"
    with hub.client() as http:
        email = add_employee(http, hub, roles=["Teller"], branch_guid=branches(sandbox)[0])
        headers = sign_in(http, email)
        r = http.post("/api/v1/admin/secrets/import",
                      headers={"Authorization": f"Bearer {hub.admin_token}"},
                      json={"items": [{"external_id": login,
                                       "branch_guid": branches(sandbox)[0]}]})
        assert r.status_code == 200, r.text
        asked = http.get(f"/api/v1/secrets/{login}", headers=headers)
        assert asked.status_code in (200, 404), asked.text
    text = hub.log()
    lines = [json.loads(ln) for ln in text.splitlines() if ln.startswith("{")]
    assert any(ln["level"] == "debug" for ln in lines)  # the level is really debug
    assert "$argon2" not in text
    assert login not in text
    assert not [ln for ln in lines if ln["logger"].split(".")[0] in
                ("sqlalchemy", "aiosqlite", "asyncpg") and ln["level"] in ("debug", "info")]
    access = [ln for ln in lines if ln["logger"] == "teller_hub.access"]
    assert {"method": "GET", "path": "/api/v1/secrets/{external_id}",
            "status": asked.status_code}.items() <= next(
        ln for ln in access if ln["path"].startswith("/api/v1/secrets/")).items()
    with hub.client() as http:
        assert http.get(f"/no/such/{login}").status_code == 404
    unmatched = [json.loads(ln) for ln in hub.log().splitlines() if ln.startswith("{")][-20:]
    assert any(ln.get("path") == "(no route)" and ln.get("status") == 404 for ln in unmatched)
    assert login not in hub.log()
