"""The machine-wide policy IT deploys (``core/machine_policy.py``): read from real files with
real owners and modes; a file someone else could have written is ignored with a warning, a
broken one turns the demo off, the machine's profiles file is read and never written. The
machine's own policy wins over ``TELLER_POLICY_FILE``; Windows' registry policy is read
through a stand-in for the registry (``tests/core/test_machine_policy_registry.py``)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from teller_app.core import machine_policy
from teller_app.core.machine_policy import (
    POLICY_ENV,
    MachinePolicy,
    machine_policy_file,
    read_machine_profiles,
    read_policy,
)

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX owners and modes")


@pytest.fixture()
def etc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private stand-in for /etc/teller, named by TELLER_POLICY_FILE (the machine has no
    policy of its own: whatever this computer's /etc/teller holds is not read)."""
    folder = tmp_path / "teller"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    monkeypatch.setattr(machine_policy, "MACHINE_POLICY_FILE", tmp_path / "none.toml")
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


@pytest.mark.parametrize(("platform", "expected"), [
    ("linux", "/etc/teller/policy.toml"),
    ("darwin", "/Library/Application Support/Teller/policy.toml"),
    ("win32", None),  # the registry: any user may create a folder under %ProgramData%
])
def test_the_machine_file_is_machine_wide_and_none_on_windows(
        monkeypatch: pytest.MonkeyPatch, platform: str, expected: str | None) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(sys, "platform", platform)
        found = machine_policy_file()
    assert (None if found is None else str(found)) == expected


def test_no_file_is_no_policy(etc: Path) -> None:
    policy = read_policy()
    assert policy.embedded_demo and policy.profiles_file is None and policy.source is None
    assert policy.warnings == ()


def test_it_turns_the_demo_off_and_names_the_profiles(etc: Path) -> None:
    _profiles(etc / "profiles.json", "kyiv", "lviv", last="lviv")
    _write(etc / "policy.toml", 'embedded_demo = false\nprofiles_file = "profiles.json"\n')
    policy = read_policy()
    assert policy.embedded_demo is False and policy.source == str(etc / "policy.toml")
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
    assert policy.embedded_demo is True and policy.source is None
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


@pytest.fixture()
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A root-owned stand-in for the machine's own /etc/teller/policy.toml."""
    folder = tmp_path / "etc-teller"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    monkeypatch.setattr(machine_policy, "MACHINE_POLICY_FILE", folder / "policy.toml")
    return folder


@pytest.mark.skipif(not ROOT, reason="the machine's policy must be root-owned")
@pytest.mark.parametrize("named", ["/nonexistent/policy.toml", "mine.toml"])
def test_teller_policy_file_cannot_switch_the_machines_policy_off(
        machine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: str) -> None:
    _profiles(machine / "profiles.json", "kyiv")
    _write(machine / "policy.toml", 'embedded_demo = false\nprofiles_file = "profiles.json"\n')
    mine = tmp_path / "user"
    mine.mkdir(mode=0o755)
    _profiles(mine / "evil.json", "evil")
    _write(mine / "mine.toml", 'embedded_demo = true\nprofiles_file = "evil.json"\n')
    monkeypatch.setenv(POLICY_ENV, named if named.startswith("/") else str(mine / named))
    policy = read_policy()
    assert policy.embedded_demo is False and policy.source == str(machine / "policy.toml")
    assert policy.profiles_file == machine / "profiles.json" and policy.warnings == ()
    assert [p.name for p in read_machine_profiles(policy).profiles] == ["kyiv"]


@pytest.mark.skipif(not ROOT, reason="the machine's policy must be root-owned")
def test_teller_policy_file_applies_only_when_the_machine_has_none(
        machine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "bench.toml", "embedded_demo = false\n")
    monkeypatch.setenv(POLICY_ENV, str(tmp_path / "bench.toml"))
    assert read_policy().source == str(tmp_path / "bench.toml")  # no machine policy
    _write(machine / "policy.toml", "embedded_demo = true\n")
    policy = read_policy()
    assert policy.source == str(machine / "policy.toml") and policy.embedded_demo is True
