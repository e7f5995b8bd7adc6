"""``teller-app doctor --profile NAME --password-stdin --json`` as a process, with the profile
saved in a private config dir (no keyring): what the IT desk runs, for the tests that compare
it with the profile manager's "Test connection"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from teller_app.secrets import Profile, ProfileStore


def doctor(config: Path, profile: Profile, password: str) -> tuple[int, dict[str, Any], str]:
    """(exit status, the JSON report, stderr)."""
    ProfileStore(config / "profiles.json").save(profile)
    env = {**os.environ, "TELLER_CONFIG_DIR": str(config),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    done = subprocess.run([sys.executable, "-m", "teller_app", "doctor", "--profile",
                           profile.name, "--password-stdin", "--json"],
                          input=password + "\n", text=True, capture_output=True, timeout=120,
                          env=env)
    report = json.loads(done.stdout) if done.stdout.strip() else {}
    return done.returncode, report, done.stderr


def steps(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, status) of each check, in order."""
    return [(c["name"], c["status"]) for c in report["checks"]]
