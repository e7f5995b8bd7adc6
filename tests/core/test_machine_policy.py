"""The machine-wide policy IT deploys (``core/machine_policy.py``): read from real files with
real owners and modes; a file someone else could have written is ignored with a warning, a
broken one turns the demo off, the machine's profiles file is read and never written."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from teller_app.core.machine_policy import (
    POLICY_ENV,
    MachinePolicy,
    policy_path,
    read_machine_profiles,
    read_policy,
)

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX owners and modes")


@pytest.fixture()
def etc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private stand-in for /etc/teller, named by TELLER_POLICY_FILE."""
    folder = tmp_path / "teller"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    monkeypatch.setenv(POLICY_ENV, str(folder / "policy.toml"))
    return folder


def _write(path: Path, text: str, mode: int = 0o644) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def _profiles(path: Path, *names: str, last: str | None = None) -> Path:
    items = [{"name": n, "base_url": "https://dcm.bank.example", "counterparty_guid": "cp-1",
              "email": "", "hub_url": "https://hub.bank.example"} for n in names]
    return _write(path, json.dumps({"version": 1, "profiles": items, "last_profile": last}))


def test_the_default_paths_are_machine_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(POLICY_ENV, raising=False)
    path, overridden = policy_path()
    assert not overridden
    expected = {"linux": "/etc/teller/policy.toml",
                "darwin": "/Library/Application Support/Teller/policy.toml"}
    assert str(path) == expected.get(sys.platform, str(path))


def test_no_file_is_no_policy(etc: Path) -> None:
    policy = read_policy()
    assert policy.embedded_demo and policy.profiles_file is None and policy.path is None
    assert policy.warnings == ()


def test_it_turns_the_demo_off_and_names_the_profiles(etc: Path) -> None:
    _profiles(etc / "profiles.json", "kyiv", "lviv", last="lviv")
    _write(etc / "policy.toml", 'embedded_demo = false\nprofiles_file = "profiles.json"\n')
    policy = read_policy()
    assert policy.embedded_demo is False and policy.path == etc / "policy.toml"
    assert policy.profiles_file == etc / "profiles.json" and policy.warnings == ()
    before = (etc / "profiles.json").stat()
    machine = read_machine_profiles(policy)
    assert [p.name for p in machine.profiles] == ["lviv", "kyiv"] and machine.warning is None
    after = (etc / "profiles.json").stat()
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)


@pytest.mark.parametrize("mode", [0o664, 0o646, 0o666])
def test_a_policy_others_can_write_is_ignored(etc: Path, mode: int) -> None:
    _write(etc / "policy.toml", "embedded_demo = false\n", mode)
    policy = read_policy()
    assert policy.embedded_demo is True and policy.path is None
    assert len(policy.warnings) == 1 and "ignored" in policy.warnings[0]
    assert f"{mode:o}" in policy.warnings[0]


def test_a_policy_in_a_folder_others_can_write_is_ignored(etc: Path) -> None:
    _write(etc / "policy.toml", "embedded_demo = false\n")
    etc.chmod(0o777)  # anyone could swap the file (no sticky bit)
    try:
        policy = read_policy()
    finally:
        etc.chmod(0o755)
    assert policy.embedded_demo is True and "ignored" in policy.warnings[0]


@pytest.mark.skipif(not ROOT, reason="chown needs root")
def test_a_policy_owned_by_another_user_is_ignored(etc: Path) -> None:
    path = _write(etc / "policy.toml", "embedded_demo = false\n")
    os.chown(path, 65534, 65534)
    policy = read_policy()
    assert policy.embedded_demo is True and "owned by uid 65534" in policy.warnings[0]


def test_a_profiles_file_others_can_write_is_not_offered(etc: Path) -> None:
    _profiles(etc / "profiles.json", "kyiv").chmod(0o666)
    _write(etc / "policy.toml", 'embedded_demo = false\nprofiles_file = "profiles.json"\n')
    policy = read_policy()
    assert policy.embedded_demo is False and policy.profiles_file is None
    assert "machine profiles file" in policy.warnings[0] and "ignored" in policy.warnings[0]
    assert read_machine_profiles(policy).profiles == []


@pytest.mark.parametrize("text", ["embedded_demo = nope\n", 'embedded_demo = "false"\n'])
def test_a_policy_that_does_not_parse_turns_the_demo_off(etc: Path, text: str) -> None:
    _write(etc / "policy.toml", text)
    policy = read_policy()
    assert policy.embedded_demo is False and "turned off" in policy.warnings[0]


def test_unknown_settings_are_said_and_the_rest_applies(etc: Path) -> None:
    _write(etc / "policy.toml", "embedded_demo = false\nembeded_demo = true\n")
    policy = read_policy()
    assert policy.embedded_demo is False
    assert policy.warnings == (f"machine policy {etc / 'policy.toml'}: unknown settings "
                               "ignored: embeded_demo",)


def test_a_missing_or_broken_profiles_file_offers_none(etc: Path) -> None:
    missing = MachinePolicy(profiles_file=etc / "absent.json")
    assert read_machine_profiles(missing).profiles == []
    assert "does not exist" in (read_machine_profiles(missing).warning or "")
    broken = _write(etc / "broken.json", '{"profiles": [{"name": "x"}]}')
    found = read_machine_profiles(MachinePolicy(profiles_file=broken))
    assert found.profiles == [] and "not usable" in (found.warning or "")
