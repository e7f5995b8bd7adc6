"""The demos in packaging/demo drive the real app (``drive_app.run_app``); they are run here,
offscreen, so a change to the app's start that leaves their driver behind fails the suite.

Both start the real app in a child process. The two-workstation demo writes a saved
connection profile, so its sign-in window shows before the event loop turns
(``AppController.begin``); ``drive_app.py`` alone starts on the embedded sandbox with none.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "packaging" / "demo"


def _run(args: list[str], tmp_path: Path, timeout: float = 400) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "TELLER_DATA_DIR": str(tmp_path / "data"),
           "TELLER_CONFIG_DIR": str(tmp_path / "config"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout, check=False)


def test_two_workstations_demo_passes(tmp_path: Path) -> None:
    out = tmp_path / "shots" / "2ws"
    out.parent.mkdir()
    # The live-notification bound is the demo's figure; on a loaded test machine it is only
    # a bound (there is no polling path that could deliver the request otherwise).
    done = _run([str(DEMO / "two_workstations.py"), "--platform", "offscreen", "--out",
                 str(out), "--step-timeout", "120", "--live-bound-ms", "60000"], tmp_path)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "== two workstations, one sandbox + hub: PASS" in done.stdout
    assert "FAIL" not in done.stdout
    shots = sorted(p.name for p in out.parent.glob("2ws-*.png"))
    assert shots == ["2ws-A-1-request-dialog.png", "2ws-A-2-request-filed.png",
                     "2ws-A-3-card-disabled.png", "2ws-B-1-inbox-request.png",
                     "2ws-B-2-approved.png"]
    assert all((out.parent / name).stat().st_size > 1000 for name in shots)


def test_drive_app_demo_signs_in_and_opens_a_card(tmp_path: Path) -> None:
    out = tmp_path / "shots" / "one"
    out.parent.mkdir()
    for run in (1, 2):  # the second start finds the settings the first one saved
        done = _run([str(DEMO / "drive_app.py"), "--out", str(out), "--timeout", "240"],
                    tmp_path)
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
        assert "PASS: signed in, results shown, card with account panel captured" in \
            done.stdout, run
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "one-card.png", "one-main.png", "one-signin.png"]
