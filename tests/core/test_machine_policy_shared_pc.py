"""The machine policy's shared-PC keys (``core/machine_policy.py``): ``remember_sign_in``,
``offline_hours_max``, ``idle_lock_minutes_max``, ``wipe_cache_at_sign_out`` from the TOML
file and from Windows' registry (a stand-in: ``winreg`` gives an int for a REG_DWORD); a value
of the wrong type is ignored with a warning and the default applies."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from teller_app.core import machine_policy
from teller_app.core.machine_policy import POLICY_ENV, MachinePolicy, read_policy
from tests.policy_files import policy_path, write_policy

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX owners and modes")


@pytest.fixture()
def policy_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return policy_path(tmp_path, monkeypatch)


def test_the_toml_keys_tighten_the_desk(policy_file: Path) -> None:
    write_policy(policy_file, "remember_sign_in = false\noffline_hours_max = 4\n"
                              "idle_lock_minutes_max = 10\nwipe_cache_at_sign_out = true\n")
    policy = read_policy()
    assert policy.warnings == ()  # every key is known
    assert (policy.remember_sign_in, policy.offline_hours_max, policy.idle_lock_minutes_max,
            policy.wipe_cache_at_sign_out) == (False, 4, 10, True)
    assert policy.offline_hours(12.0) == 4.0 and policy.offline_hours(2.0) == 2.0
    assert policy.idle_lock_minutes(30) == 10 and policy.idle_lock_minutes(5) == 5
    assert policy.embedded_demo is True  # nothing else changed


def test_no_keys_are_todays_desk(policy_file: Path) -> None:
    write_policy(policy_file, "embedded_demo = false\n")
    policy = read_policy()
    assert (policy.remember_sign_in, policy.offline_hours_max, policy.idle_lock_minutes_max,
            policy.wipe_cache_at_sign_out) == (True, None, None, False)
    assert policy.offline_hours(12.0) == 12.0 and policy.idle_lock_minutes(30) == 30


def test_a_value_of_the_wrong_type_is_ignored_with_a_warning(policy_file: Path) -> None:
    write_policy(policy_file, 'remember_sign_in = "no"\noffline_hours_max = -1\n'
                              "idle_lock_minutes_max = 2.5\nwipe_cache_at_sign_out = 1\n")
    policy = read_policy()
    assert (policy.remember_sign_in, policy.offline_hours_max, policy.idle_lock_minutes_max,
            policy.wipe_cache_at_sign_out) == (True, None, None, False)
    said = " ".join(policy.warnings)
    for key in ("remember_sign_in", "offline_hours_max", "idle_lock_minutes_max",
                "wipe_cache_at_sign_out"):
        assert key in said
    assert "unknown settings" not in said


def test_offline_hours_max_zero_means_no_offline_start(policy_file: Path) -> None:
    write_policy(policy_file, "offline_hours_max = 0\n")
    assert read_policy().offline_hours(168.0) == 0.0


def test_the_registry_values(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(POLICY_ENV, raising=False)
    monkeypatch.setattr(machine_policy, "MACHINE_POLICY_FILE", tmp_path / "none.toml")
    values = {"RememberSignIn": 0, "OfflineHoursMax": 0, "IdleLockMinutesMax": 15,
              "WipeCacheAtSignOut": 1}
    policy = read_policy(values.get)
    assert policy.source == machine_policy.REGISTRY_SOURCE and policy.warnings == ()
    assert (policy.remember_sign_in, policy.offline_hours_max, policy.idle_lock_minutes_max,
            policy.wipe_cache_at_sign_out) == (False, 0, 15, True)
    assert policy.embedded_demo is True  # EmbeddedDemo not set


def test_a_registry_value_of_the_wrong_type_is_ignored(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.delenv(POLICY_ENV, raising=False)
    monkeypatch.setattr(machine_policy, "MACHINE_POLICY_FILE", tmp_path / "none.toml")
    values: dict[str, object] = {"RememberSignIn": "0", "OfflineHoursMax": b"\x00",
                                 "IdleLockMinutesMax": 10, "WipeCacheAtSignOut": 2}
    policy = read_policy(values.get)
    assert (policy.remember_sign_in, policy.offline_hours_max, policy.idle_lock_minutes_max,
            policy.wipe_cache_at_sign_out) == (True, None, 10, False)
    said = " ".join(policy.warnings)
    assert "RememberSignIn" in said and "OfflineHoursMax" in said
    assert "WipeCacheAtSignOut" in said and "IdleLockMinutesMax" not in said
    assert read_policy({}.get) == MachinePolicy()  # nothing set: no policy


def test_an_idle_cap_of_zero_is_the_tightest_lock_not_none(policy_file: Path) -> None:
    """0 would read as "never lock" downstream (IdleTracker): a cap only ever tightens."""
    policy_file.write_text("idle_lock_minutes_max = 0\n")
    policy = machine_policy.read_policy()
    assert policy.idle_lock_minutes(30) == 1 and policy.idle_lock_minutes(1) == 1
