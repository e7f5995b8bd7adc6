"""Where the hub's master key and admin token come from: the settings line on stdin keeps
them out of the process's environment; a given admin token is never written; no new key file
is made where the desk app's record says the key is in its OS keyring."""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hub_proc import hub_cli

from teller_app.hub import __main__ as hub_main
from teller_app.hub.crypto import MasterKey, load_master_key
from teller_app.hub.settings import SettingsError, load_settings


def test_settings_line_keeps_secrets_out_of_the_environment(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    raw = os.urandom(32)
    line = {"master_key": base64.b64encode(raw).decode(), "admin_token": "given-admin-9f3",
            "port": "0", "watch_interval_s": "0.3"}
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(line) + "\n"))
    monkeypatch.setenv("TELLER_HUB_WATCH_INTERVAL_S", "1")  # restored after the test
    given = hub_main._settings_from_stdin()
    assert "TELLER_HUB_MASTER_KEY" not in os.environ
    assert "TELLER_HUB_ADMIN_TOKEN" not in os.environ
    assert os.environ["TELLER_HUB_WATCH_INTERVAL_S"] == "0.3"  # a knob, not a setting
    args = argparse.Namespace(data=str(tmp_path), config=None, host=None, port=8123,
                              log_level=None)
    settings = hub_main.settings_from(args, given)
    assert load_master_key(settings).key_id == MasterKey(raw).key_id
    assert settings.admin_token is not None
    assert settings.admin_token.get_secret_value() == "given-admin-9f3"
    assert settings.port == 8123  # the command line still wins
    assert not (tmp_path / "master.key").exists()


def test_no_new_key_file_beside_the_keyring_record(tmp_path: Path) -> None:
    (tmp_path / "master.key.keyring").write_text('{"keyring_service": "Teller/hub/x"}')
    settings = load_settings(None, {"data_dir": tmp_path}, environ={})
    with pytest.raises(SettingsError, match="OS keyring"):
        load_master_key(settings)
    assert not (tmp_path / "master.key").exists()
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"external_id": "keykeeper:x"}) + "\n")
    done = hub_cli("secrets", "import", "--data", str(tmp_path), "--file", str(items),
                   env={"TELLER_HUB_MASTER_KEY": ""})
    assert done.returncode == 2 and "OS keyring" in done.stderr, done.stderr
    assert not (tmp_path / "master.key").exists()


def test_given_admin_token_is_not_written(tmp_path: Path) -> None:
    """``serve --settings-stdin`` with a key and a token: neither reaches a file."""
    raw = os.urandom(32)
    token = "given-admin-" + os.urandom(8).hex()
    proc = subprocess.Popen(
        [sys.executable, "-m", "teller_app.hub", "serve", "--data", str(tmp_path), "--port",
         "0", "--settings-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("TELLER_HUB_")})
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps({"master_key": base64.b64encode(raw).decode(),
                                     "admin_token": token}) + "\n")
        proc.stdin.close()
        url = ""
        output = []
        for line in proc.stdout:  # the base URL, once serving
            output.append(line)
            if line.startswith("http://"):
                url = line.strip()
                break
        assert url, "".join(output)
        manifest = json.loads((tmp_path / "hub.json").read_text())
        assert manifest["base_url"] == url and "admin_token" not in manifest
        assert manifest["master_key_from"] == "settings"
        assert not (tmp_path / "master.key").exists() and not (tmp_path / "admin.token").exists()
        for path in tmp_path.rglob("*"):
            if path.is_file():
                content = path.read_bytes()
                assert raw not in content and token.encode() not in content, path
    finally:
        proc.terminate()
        proc.wait(15)
