"""Windows' machine policy (``core/machine_policy.py``): read from
``HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Teller``, which only administrators (Group Policy)
can write, never from a file under ``%ProgramData%`` that any user may create. The registry
is a stand-in here (the values ``winreg`` returns: an int for REG_DWORD, a str for REG_SZ,
bytes for REG_BINARY), so this runs on every platform."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from teller_app.core import machine_policy
from teller_app.core.machine_policy import (
    POLICY_ENV,
    REGISTRY_SOURCE,
    policy_from_registry,
    read_machine_profiles,
    read_policy,
    read_registry_value,
)


def registry(**values: object) -> Callable[[str], object]:
    """A stand-in for the key's values (None: not set), as ``read_registry_value`` reads."""
    return values.get


def _unreadable(name: str) -> object:
    raise PermissionError(5, "Access is denied")


@pytest.fixture(autouse=True)
def no_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(POLICY_ENV, raising=False)
    # whatever this computer's /etc/teller holds is never read with a registry given
    monkeypatch.setattr(machine_policy, "MACHINE_POLICY_FILE", tmp_path / "planted.toml")
    (tmp_path / "planted.toml").write_text('profiles_file = "/home/mallory/hub.json"\n')


def test_it_turns_the_demo_off_and_names_the_profiles(tmp_path: Path) -> None:
    items = [{"name": n, "base_url": "https://dcm.bank.example", "counterparty_guid": "cp-1",
              "email": ""} for n in ("kyiv", "lviv")]
    profiles = tmp_path / "profiles.json"
    profiles.write_text(json.dumps({"profiles": items, "last_profile": "lviv"}))
    profiles.chmod(0o644)
    policy = read_policy(registry(EmbeddedDemo=0, ProfilesFile=f"  {profiles}  "))
    assert policy == machine_policy.MachinePolicy(
        embedded_demo=False, profiles_file=profiles, source=REGISTRY_SOURCE)
    assert [p.name for p in read_machine_profiles(policy).profiles] == ["lviv", "kyiv"]
    assert read_policy(registry(EmbeddedDemo=1)).embedded_demo is True


def test_no_values_is_no_policy_and_no_file_is_read() -> None:
    policy = read_policy(registry())
    assert policy == machine_policy.MachinePolicy()  # the planted file was not read


@pytest.mark.parametrize("demo", [2, -1, "0", b"\x00\x00\x00\x00", True])
def test_an_embedded_demo_that_is_not_a_dword_0_or_1_turns_the_demo_off(demo: object) -> None:
    policy = read_policy(registry(EmbeddedDemo=demo))
    assert policy.embedded_demo is False and policy.source == REGISTRY_SOURCE
    assert policy.warnings == (f"machine policy {REGISTRY_SOURCE} says EmbeddedDemo that is "
                               "not a REG_DWORD 0 or 1: the embedded demo is turned off",)


def test_an_unreadable_key_turns_the_demo_off() -> None:
    policy = policy_from_registry(_unreadable)
    assert policy.embedded_demo is False and policy.source == REGISTRY_SOURCE
    assert "cannot be read (PermissionError)" in policy.warnings[0]


@pytest.mark.parametrize("named", ["profiles.json", r"%ProgramData%\Teller\p.json", "  ", 7])
def test_a_profiles_file_that_is_not_an_absolute_path_is_ignored(named: object) -> None:
    policy = read_policy(registry(ProfilesFile=named))
    assert policy.profiles_file is None and policy.embedded_demo is True
    assert policy.source == REGISTRY_SOURCE  # IT set something: TELLER_POLICY_FILE is not read
    assert policy.warnings == (f"machine policy {REGISTRY_SOURCE}: ProfilesFile is not an "
                               "absolute path (REG_SZ): ignored",)


def test_teller_policy_file_cannot_switch_the_registry_policy_off(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text("embedded_demo = true\n")
    monkeypatch.setenv(POLICY_ENV, str(mine))
    assert read_policy(registry(EmbeddedDemo=0)).embedded_demo is False
    # with nothing set by IT, the named file applies (tests, a test bench)
    assert read_policy(registry()).source == str(mine)


def test_the_real_reader_reads_nothing_off_windows() -> None:
    if sys.platform == "win32":
        pytest.skip("reads this computer's registry")
    assert read_registry_value("EmbeddedDemo") is None
