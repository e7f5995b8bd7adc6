"""The embedded hub's master key and admin token live in the desk's OS keyring (a real Secret
Service, tests/core/conftest.py), never in a file: the real stack (sandbox + hub children),
a restart that reuses the key, the move of an older data dir's key file into the keyring,
and what happens when the keyring is gone."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest
from keyring.backends import fail

sys.path.insert(0, str(Path(__file__).parent.parent / "hub"))

from hub_proc import DcmSigner

from teller_app.core import embedded_keys
from teller_app.core.embedded_stack import EmbeddedStack, hub_dir, onboard, start_embedded

pytestmark = [pytest.mark.slow, pytest.mark.keyring]
ADMIN = "admin@demo.bank"


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELLER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TELLER_CONFIG_DIR", str(tmp_path / "config"))


def _started(data: Path) -> EmbeddedStack:
    stack = start_embedded(data)
    if stack.hub is None:
        stack.stop()
        raise AssertionError(stack.hub_problem)
    return stack


def _customer_secret(stack: EmbeddedStack) -> str:
    """The counterparty key keeper's secret, as DCM reads it from the hub (sealed with the
    master key; issued by the onboarding on the first start)."""
    assert stack.hub is not None
    asyncio.run(onboard(stack))
    token = DcmSigner.from_sandbox(stack.sandbox).token(
        ADMIN, f"keykeeper:{stack.sandbox.counterparty_guid}")
    r = httpx.get(stack.hub.base_url + "/key", headers={"X-Session-ID": token}, timeout=30)
    assert r.status_code == 200, r.text
    return str(r.json()["key"])


def _in_keyring(backend: Any, hub: Path) -> tuple[bytes, str]:
    service = json.loads((hub / "master.key.keyring").read_text())["keyring_service"]
    raw = base64.b64decode(backend.get_password(service, "master_key"))
    token = backend.get_password(service, "admin_token")
    assert len(raw) == 32 and token
    return raw, token


def _assert_nowhere_on_disk(data: Path, stack: EmbeddedStack, raw: bytes, token: str) -> None:
    """Neither the key (raw or base64) nor the token in any file of the data dirs, the
    hub's manifest or the hub's environment (``/proc/PID/environ``)."""
    assert stack.hub is not None
    needles = [raw, base64.b64encode(raw), token.encode()]
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.name == "hub.db" for p in files)
    for path in files:
        content = path.read_bytes()
        assert not [n for n in needles if n in content], path
    hub = hub_dir(data)
    assert not (hub / "master.key").exists() and not (hub / "admin.token").exists()
    manifest = json.loads((hub / "hub.json").read_text())
    assert "admin_token" not in manifest and manifest["master_key_from"] == "settings"
    assert stack.hub.admin_token == token  # held by the desk, not read from a file
    environ = Path(f"/proc/{stack.hub.process.pid}/environ")
    if environ.exists():
        assert not [n for n in needles if n in environ.read_bytes()]


def test_keys_only_in_the_keyring_and_reused_after_a_restart(secret_service: Any,
                                                            tmp_path: Path) -> None:
    data = tmp_path / "data"
    stack = _started(data)
    try:
        raw, token = _in_keyring(secret_service, hub_dir(data))
        secret = _customer_secret(stack)  # the admin token works: onboarding went through
        _assert_nowhere_on_disk(data, stack, raw, token)
    finally:
        stack.stop()
    again = _started(data)
    try:
        assert _in_keyring(secret_service, hub_dir(data)) == (raw, token)
        assert _customer_secret(again) == secret  # sealed before the restart, opens after
        _assert_nowhere_on_disk(data, again, raw, token)
    finally:
        again.stop()


def test_an_older_key_file_moves_into_the_keyring_once_the_hub_started(
        secret_service: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    data, hub = tmp_path / "data", hub_dir(tmp_path / "data")
    # An older data dir: the hub made its own 0600 key file (as without a keyring today).
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setattr(embedded_keys, "_warned_no_keyring", False)
    caplog.set_level(logging.WARNING, logger="teller_app.core.embedded")
    try:
        old = _started(data)
    finally:
        keyring.set_keyring(secret_service)
    try:
        secret = _customer_secret(old)
    finally:
        old.stop()
    file_key = (hub / "master.key").read_bytes()
    assert (hub / "master.key").stat().st_mode & 0o777 == 0o600
    assert (hub / "admin.token").exists() and not (hub / "master.key.keyring").exists()
    warned = [r for r in caplog.records if "OS keyring unavailable" in r.getMessage()]
    assert len(warned) == 1
    assert base64.b64encode(file_key).decode() not in caplog.text

    # The hub fails to start (a damaged database): the key is in the keyring, the file kept.
    shutil.copy(hub / "hub.db", tmp_path / "hub.db.good")
    (hub / "hub.db").write_bytes(b"not a database" * 100)
    for leftover in hub.glob("hub.db-*"):
        leftover.unlink()
    broken = start_embedded(data)
    try:
        assert broken.hub is None
    finally:
        broken.stop()
    assert (hub / "master.key").read_bytes() == file_key
    assert _in_keyring(secret_service, hub)[0] == file_key

    shutil.copy(tmp_path / "hub.db.good", hub / "hub.db")
    # files held open see their own blocks: they must be zeros once the files are gone
    key_fh, token_fh = open(hub / "master.key", "rb"), open(hub / "admin.token", "rb")  # noqa: SIM115
    token_size = (hub / "admin.token").stat().st_size
    moved = _started(data)
    try:
        raw, token = _in_keyring(secret_service, hub)
        assert raw == file_key
        assert not (hub / "master.key").exists() and not (hub / "admin.token").exists()
        assert key_fh.read() == bytes(len(file_key))
        assert token_fh.read() == bytes(token_size) and token_size
        assert not list(hub.glob(".*.removing"))
        assert _customer_secret(moved) == secret  # sealed with the file's key, opens now
        _assert_nowhere_on_disk(data, moved, raw, token)
    finally:
        key_fh.close()
        token_fh.close()
        moved.stop()


def test_key_in_an_unavailable_keyring_is_never_replaced(secret_service: Any,
                                                         tmp_path: Path) -> None:
    data, hub = tmp_path / "data", hub_dir(tmp_path / "data")
    stack = _started(data)
    try:
        secret = _customer_secret(stack)
    finally:
        stack.stop()
    keyring.set_keyring(fail.Keyring())  # headless: no Secret Service this time
    try:
        without = start_embedded(data)
    finally:
        keyring.set_keyring(secret_service)
    try:
        assert without.hub is None and "OS keyring" in (without.hub_problem or "")
        assert without.sandbox.alive()  # sign-in still works
    finally:
        without.stop()
    assert not (hub / "master.key").exists()  # no second key made
    back = _started(data)
    try:
        assert _customer_secret(back) == secret
    finally:
        back.stop()
