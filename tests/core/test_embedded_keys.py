"""``core.embedded_keys.hub_keys`` on its own, against a real Secret Service (conftest.py):
what it does with a key file that disagrees with the keyring, a lost keyring entry, a
damaged record and a keyring that does not answer. Never a second key, never a lost one."""

from __future__ import annotations

import base64
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import keyring
import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "secrets"))

from keyring_fakes import HangingKeyring

from teller_app.core import embedded_keys
from teller_app.core.embedded_keys import forget_hub_keys, hub_keys

pytestmark = pytest.mark.keyring


def _service(hub: Path) -> str:
    return str(json.loads((hub / "master.key.keyring").read_text())["keyring_service"])


def test_new_data_dir_gets_a_key_in_the_keyring(secret_service: Any, tmp_path: Path) -> None:
    keys = hub_keys(tmp_path)
    assert keys.problem is None and not keys.moving
    service = _service(tmp_path)
    assert keys.settings == {"master_key": secret_service.get_password(service, "master_key"),
                             "admin_token": secret_service.get_password(service, "admin_token")}
    assert len(base64.b64decode(keys.settings["master_key"])) == 32
    assert [p.name for p in tmp_path.iterdir()] == ["master.key.keyring"]
    assert (tmp_path / "master.key.keyring").stat().st_mode & 0o777 == 0o600
    assert hub_keys(tmp_path).settings == keys.settings  # the next start: the same
    forget_hub_keys(tmp_path)  # a throw-away data dir (the smoke test's)
    assert secret_service.get_password(service, "master_key") is None
    assert secret_service.get_password(service, "admin_token") is None
    forget_hub_keys(tmp_path)  # twice is fine


def test_key_file_that_differs_from_the_keyring_is_used_and_both_are_kept(
        secret_service: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    first = hub_keys(tmp_path)
    other = os.urandom(32)
    (tmp_path / "master.key").write_bytes(other)  # e.g. an older app ran after the move
    keys = hub_keys(tmp_path)
    assert keys.problem is None and keys.settings == {}  # the hub reads its file
    assert (tmp_path / "master.key").read_bytes() == other
    assert secret_service.get_password(_service(tmp_path), "master_key") == \
        first.settings["master_key"]
    assert "differs" in caplog.text and base64.b64encode(other).decode() not in caplog.text


def test_lost_keyring_entry_is_restored_from_the_key_file_or_reported(
        secret_service: Any, tmp_path: Path) -> None:
    hub_keys(tmp_path)
    service = _service(tmp_path)
    secret_service.delete_password(service, "master_key")
    keys = hub_keys(tmp_path)
    assert keys.problem is not None and "missing from the OS keyring" in keys.problem
    assert not (tmp_path / "master.key").exists()

    file_key = os.urandom(32)  # the file, while there is one, is the key
    (tmp_path / "master.key").write_bytes(file_key)
    keys = hub_keys(tmp_path)
    assert keys.problem is None and keys.moving
    assert base64.b64decode(keys.settings["master_key"]) == file_key
    assert base64.b64decode(secret_service.get_password(service, "master_key")) == file_key


def test_damaged_record_is_reported_not_replaced(secret_service: Any, tmp_path: Path) -> None:
    (tmp_path / "master.key.keyring").write_text("{not json")
    keys = hub_keys(tmp_path)
    assert keys.problem is not None and "master.key.keyring" in keys.problem
    assert (tmp_path / "master.key.keyring").read_text() == "{not json"


def test_keyring_that_does_not_answer_leaves_the_hub_its_files(
        secret_service: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.WARNING, logger="teller_app.core.embedded")
    monkeypatch.setattr(embedded_keys, "_warned_no_keyring", False)
    hanging = HangingKeyring()
    keyring.set_keyring(hanging)
    try:
        assert hub_keys(tmp_path / "a", timeout=0.1).settings == {}
        assert hub_keys(tmp_path / "b", timeout=0.1).settings == {}
    finally:
        hanging.release.set()
        keyring.set_keyring(secret_service)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()  # nothing written
    warned = [r for r in caplog.records if "OS keyring unavailable" in r.getMessage()]
    assert len(warned) == 1 and "in time" in warned[0].getMessage()  # once a process
