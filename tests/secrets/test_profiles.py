"""Profiles file: round trip, atomic 0600 writes, config dir override, no secrets."""

from __future__ import annotations

import os
import stat
from decimal import Decimal
from pathlib import Path

import pytest

from teller_app.secrets import Profile, ProfileStore, config_dir


def make(name: str = "Kyiv", **kw: object) -> Profile:
    return Profile(name=name, base_url="http://127.0.0.1:1", counterparty_guid="cp",
                   email="teller@bank", **kw)  # type: ignore[arg-type]


def test_config_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELLER_CONFIG_DIR", str(tmp_path / "cfg"))
    assert config_dir() == tmp_path / "cfg"
    store = ProfileStore()
    store.save(make())
    assert (tmp_path / "cfg" / "profiles.json").exists()


def test_roundtrip_and_defaults(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "p.json")
    assert store.list() == []
    store.save(make(auth_mode="bank_jwt", jwt_kid="54321", is_sandbox=True))
    store.save(make("Lviv", cash_confirm_threshold=Decimal("500.50")))
    store.save(make("Kyiv", language="en"))  # replaces
    names = [p.name for p in store.list()]
    assert sorted(names) == ["Kyiv", "Lviv"]
    kyiv = store.load("Kyiv")
    assert kyiv.language == "en" and kyiv.idle_lock_minutes == 5
    assert kyiv.sensitive_changes == ["is_disabled", "status_blocked", "kyc_down"]
    assert store.load("Lviv").cash_confirm_threshold == Decimal("500.50")
    store.set_last_profile("Lviv")
    assert store.last_profile == "Lviv"
    assert store.delete("Lviv") and not store.delete("Lviv")
    assert store.last_profile is None
    with pytest.raises(KeyError):
        store.load("Lviv")


def test_file_is_private_and_written_atomically(tmp_path: Path) -> None:
    path = tmp_path / "dir" / "profiles.json"
    store = ProfileStore(path)
    store.save(make())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["profiles.json"]  # no temp left


def test_secrets_never_reach_the_file(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "p.json")
    store.save(Profile.model_validate({"name": "x", "base_url": "https://u.example",
                                       "counterparty_guid": "c",
                                       "password": "hunter2-secret", "session_token": "tok"}))
    text = (tmp_path / "p.json").read_text()
    assert "hunter2-secret" not in text and "tok" not in text


def test_bad_names_refused() -> None:
    with pytest.raises(ValueError):
        make("a/b")
