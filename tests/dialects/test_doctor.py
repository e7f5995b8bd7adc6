"""``teller-app doctor`` as a process (``python -m teller_app doctor``), against the default
sandbox and one with every dialect: compatible, the right customer count, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from teller_app.core.embedded_sandbox import SandboxProcess

from .conftest import scope_count, start_dialect_sandbox


@pytest.fixture(scope="module", params=["default", "all"])
def doctor_sb(request: pytest.FixtureRequest,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    proc = start_dialect_sandbox(tmp_path_factory.mktemp(f"doc-{request.param}"), request.param)
    yield proc
    proc.stop()


def doctor(sb: SandboxProcess, *extra: str, password: str | None = None,
           login: str | None = None) -> subprocess.CompletedProcess[str]:
    emp = sb.employee("Teller", 0)
    cmd = [sys.executable, "-m", "teller_app", "doctor", "--url", sb.base_url,
           "--counterparty", sb.counterparty_guid, "--login", login or emp["email"],
           "--password-stdin", *extra]
    return subprocess.run(cmd, input=(password or emp["password"]) + "\n", text=True,
                          capture_output=True, timeout=120)


def test_doctor_sync_json_is_compatible_with_the_right_count(
        doctor_sb: SandboxProcess, tmp_path: Path) -> None:
    done = doctor(doctor_sb, "--sync", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["compatible"] is True
    kyiv = doctor_sb.manifest["branches"][0]["guid"]
    assert report["synced_customers"] == scope_count(doctor_sb, kyiv)[0]
    checks = {c["name"]: c for c in report["checks"]}
    for name in ("sign-in", "whoami", "roles", "branch", "list paging and cap",
                 "is_disabled reading", "ordering", "time-bound inclusivity", "empty-list form",
                 "timestamps", "minor_unit", "accounts shape", "error body form",
                 "Auth Service reachability", "full sync"):
        assert checks[name]["status"] in ("ok", "adapted") and checks[name]["detail"]
    adapted = {n for n, c in checks.items() if c["status"] == "adapted"}
    if doctor_sb.manifest["dialects"]:  # all: every open choice read the other way
        assert {"list paging and cap", "is_disabled reading", "ordering",
                "time-bound inclusivity", "empty-list form", "timestamps", "whoami",
                "error body form"} <= adapted
        assert report["learnt"] == {"page_cap": 100, "disabled_reading": "include",
                                    "ordering": "strict", "bounds": "exclusive"}
    else:
        assert not adapted
    assert not list(Path("/tmp").glob("teller-doctor-*"))  # the temporary cache is gone


def test_doctor_wrong_password_exits_2(doctor_sb: SandboxProcess) -> None:
    done = doctor(doctor_sb, "--json", password="not-the-password")
    assert done.returncode == 2
    report = json.loads(done.stdout)
    assert report["compatible"] is False
    assert report["checks"][-1]["name"] == "sign-in"
    assert report["checks"][-1]["status"] == "failed"
    assert "not-the-password" not in done.stdout + done.stderr


def test_doctor_usage_errors_exit_2(tmp_path: Path) -> None:
    base = [sys.executable, "-m", "teller_app", "doctor"]
    for args in ([], ["--url", "http://127.0.0.1:9"], ["--profile", "x", "--url", "u"],
                 ["--bogus"]):
        done = subprocess.run(base + args, text=True, capture_output=True, timeout=60,
                              input="")
        assert done.returncode == 2, args
        assert "usage" in done.stderr
    # an unknown profile is a usage error too (private config dir)
    done = subprocess.run([*base, "--profile", "nope"], text=True, capture_output=True,
                          timeout=60, env={**_env(), "TELLER_CONFIG_DIR": str(tmp_path)})
    assert done.returncode == 2


def test_doctor_does_not_import_qt() -> None:
    code = ("import sys, teller_app.ui.app as a\n"
            "try:\n    a.main(['doctor'])\nexcept SystemExit:\n    pass\n"
            "print('PySide6' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], text=True, capture_output=True,
                          timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "False"


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_doctor_with_a_profile_remembers_what_it_learnt(
        doctor_sb: SandboxProcess, tmp_path: Path) -> None:
    import os
    import stat

    from teller_app.secrets import Profile, ProfileStore

    emp = doctor_sb.employee("Teller", 0)
    env = {**os.environ, "TELLER_CONFIG_DIR": str(tmp_path),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    ProfileStore(tmp_path / "profiles.json").save(Profile(
        name="stage", base_url=doctor_sb.base_url, counterparty_guid=doctor_sb.counterparty_guid,
        email=emp["email"]))
    done = subprocess.run([sys.executable, "-m", "teller_app", "doctor", "--profile", "stage",
                           "--password-stdin", "--json"], input=emp["password"] + "\n",
                          text=True, capture_output=True, timeout=120, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    learnt = json.loads(done.stdout)["learnt"]
    stored = tmp_path / "server-traits.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert json.loads(stored.read_text())["profiles"]["stage"]["traits"] == learnt
    # without a saved secret (no keyring) and no --password-stdin: a usage error
    done = subprocess.run([sys.executable, "-m", "teller_app", "doctor", "--profile", "stage"],
                          text=True, capture_output=True, timeout=120, env=env, input="")
    assert done.returncode == 2 and "no saved secret" in done.stderr
