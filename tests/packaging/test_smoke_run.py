"""The README's app command as a new user runs it: ``teller-app --smoke-test`` starts the
embedded sandbox + hub, signs in, shows results and quits. It must also quit cleanly: the
demo onboarding starts at the same first results that end the smoke test, and an op (or an
event stream's reader) left to a step after the loop stopped logs a failure or a traceback
on the way out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_smoke_run_starts_works_and_quits_cleanly(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELLER_", "XDG_", "DBUS_"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "teller_app", "--smoke-test"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=180, check=False)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "ready in" in out
    for sign in ("Traceback", "Exception ignored", "onboarding failed", "ERROR"):
        assert sign not in out, out[-3000:]
