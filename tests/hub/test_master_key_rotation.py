"""Rotating the hub's master key: the new key seals, the retired one (``master_key_previous``)
still opens older secrets, ``teller-hub secrets rewrap`` moves every secret onto the new key
(idempotent, audited, never printing a key), and afterwards the new key alone serves every
secret the Bank Auth Service is asked for. Real hub processes, SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from hub_proc import (
    DcmSigner,
    HubProc,
    add_employee,
    branches,
    hub_cli,
    hub_env,
    sign_in,
    start_hub,
)

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.crypto import MasterKey
from teller_app.hub.settings import SettingsError

OTHER = bytes(range(1, 33))


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def _env(sandbox: SandboxProcess, hub_db: str | None, key: bytes,
         previous: bytes | None = None) -> dict[str, str]:
    env = hub_env(sandbox, hub_db, master_key=key)
    env["TELLER_HUB_MASTER_KEY_PREVIOUS"] = _b64(previous) if previous else ""
    return env


def _rewrap(data: Path, env: dict[str, str], *extra: str) -> tuple[int, dict[str, Any], str]:
    done = hub_cli("secrets", "rewrap", "--data", str(data), *extra, env=env)
    assert done.stdout.strip(), done.stderr
    return done.returncode, json.loads(done.stdout), done.stdout + done.stderr


def _keys(hub: HubProc, dcm: DcmSigner, exts: list[str]) -> list[Any]:
    with hub.client() as http:
        answers = [http.get("/key", headers={"X-Session-ID": dcm.token("teller.kyiv@demo.bank",
                                                                       ext)}) for ext in exts]
    return [a.json()["key"] if a.status_code == 200 else a.status_code for a in answers]


def _issue(hub: HubProc, sandbox: SandboxProcess, headers: dict[str, str], n: int) -> list[str]:
    exts = [f"rot.{uuid.uuid4().hex[:10]}@example.ua" for _ in range(n)]
    with hub.client() as http:
        for ext in exts:
            r = http.post("/api/v1/secrets", json={"external_id": ext,
                                                   "branch_guid": branches(sandbox)[0]},
                          headers=headers)
            assert r.status_code == 200 and r.json()["created"], r.text
    return exts


def test_rotation_rewraps_every_secret_onto_the_new_key(
        hub_db: str | None, sandbox: SandboxProcess, dcm: DcmSigner, tmp_path: Path) -> None:
    old, new = os.urandom(32), os.urandom(32)
    old_id, new_id = MasterKey(old).key_id, MasterKey(new).key_id
    data = tmp_path / "hub"

    first = start_hub(data, _env(sandbox, hub_db, old))
    try:
        with first.client() as http:
            teller = sign_in(http, add_employee(http, first, branch_guid=branches(sandbox)[0]))
            it = sign_in(http, add_employee(http, first, roles=["Administrator"],
                                            head_office=True))
        sealed_old = _issue(first, sandbox, teller, 3)
        keys = _keys(first, dcm, sealed_old)
        assert all(isinstance(k, str) and len(k) >= 43 for k in keys)
    finally:
        assert first.stop() == 0
    rc, counted, _ = _rewrap(data, _env(sandbox, hub_db, old), "--check")
    before = counted["by_key"][old_id]
    assert rc == 0 and before >= 3 and set(counted["by_key"]) == {old_id}

    # The new key alone does not open the old secrets: a rewrap says so and changes nothing.
    rc, report, text = _rewrap(data, _env(sandbox, hub_db, new))
    assert rc == 1 and report["rewrapped"] == 0 and report["unopened"] == before
    assert report["by_key"] == {old_id: before}
    for key in (old, new):
        assert _b64(key) not in text and key.hex() not in text

    # Phase 1 (every process learns the new key, still sealing with the old one) and phase 2
    # (sealing with the new key, the old one retired): each opens what the other sealed, so
    # a rolling restart never leaves a process that cannot open a secret.
    phase1 = start_hub(data, _env(sandbox, hub_db, old, previous=new))
    try:
        sealed_old += _issue(phase1, sandbox, teller, 1)
        keys += _keys(phase1, dcm, sealed_old[-1:])
        before += 1
    finally:
        assert phase1.stop() == 0
    phase2 = start_hub(data, _env(sandbox, hub_db, new, previous=old))
    try:
        assert _keys(phase2, dcm, sealed_old) == keys
        sealed_new = _issue(phase2, sandbox, teller, 1)
        new_keys = _keys(phase2, dcm, sealed_new)
    finally:
        assert phase2.stop() == 0
    rc, counted, _ = _rewrap(data, _env(sandbox, hub_db, new), "--check")
    assert rc == 1 and counted["by_key"] == {old_id: before, new_id: 1}
    back = start_hub(data, _env(sandbox, hub_db, old, previous=new))  # a phase-1 process
    try:
        assert _keys(back, dcm, sealed_new) == new_keys
    finally:
        assert back.stop() == 0

    rc, report, text = _rewrap(data, _env(sandbox, hub_db, new, previous=old))
    assert rc == 0 and report == {"key_id": new_id, "rewrapped": before, "unopened": 0,
                                  "by_key": {new_id: before + 1}}
    assert _b64(old) not in text and _b64(new) not in text
    rc, again, _ = _rewrap(data, _env(sandbox, hub_db, new, previous=old))
    assert rc == 0 and again["rewrapped"] == 0  # a second run finds nothing to do
    assert _rewrap(data, _env(sandbox, hub_db, new), "--check")[0] == 0

    # The retired key is gone from the settings: the new one alone serves every secret.
    last = start_hub(data, _env(sandbox, hub_db, new))
    try:
        assert _keys(last, dcm, sealed_old + sealed_new) == keys + new_keys
        with last.client() as http:
            entries = http.get("/api/v1/audit", headers=it,
                               params={"action": "policy"}).json()["entries"]
        done = [e for e in entries if e["entity"] == "master_key"]
        assert [e["detail"]["rewrapped"] for e in done][-2:] == [before, 0]
        assert all(_b64(k) not in json.dumps(done) for k in (old, new))
    finally:
        assert last.stop() == 0


def test_a_zeroed_key_is_refused_as_a_key() -> None:
    with pytest.raises(SettingsError, match="all zeros"):
        MasterKey(bytes(32))
    with pytest.raises(SettingsError, match="all zeros"):
        MasterKey(OTHER, [bytes(32)])
    assert MasterKey(OTHER, [OTHER]).retired_ids == ()  # the current key is not also retired
