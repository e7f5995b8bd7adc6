"""Without time zone data for Kyiv (no OS database, a broken ``tzdata`` package) the desk
says so at start, after the sign-in window's first paint, and ends (exit code 2), instead
of failing at the first time it shows in the middle of a teller's work (a receipt after
the confirm). The real start with a saved profile, in a child process with no tz path and
an empty ``tzdata`` package first on its path; the message box answers itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from teller_app.secrets import Profile, ProfileStore

CHILD = r"""
import sys
from PySide6 import QtCore, QtWidgets
from teller_app.ui import app, startup

said = []


class Probe(startup.SignInDialog):
    def paintEvent(self, event):
        super().paintEvent(event)
        if "painted" not in said:
            said.append("painted")
            print("painted", flush=True)


def answered(box):
    print("box:", box.text(), flush=True)
    QtCore.QTimer.singleShot(0, box.accept)


startup.SignInDialog = Probe
QtWidgets.QMessageBox.open = answered
sys.exit(app.main(["--profile", "bench", "--lang", "en"]))
"""


def test_no_zone_data_is_said_at_start(tmp_path: Path) -> None:
    store = ProfileStore()  # the autouse fixture's TELLER_CONFIG_DIR
    store.save(Profile(name="bench", base_url="http://127.0.0.1:9", email="a@bank.ua",
                       counterparty_guid="00000000-0000-4000-8000-000000000000"))
    store.set_last_profile("bench")
    (tmp_path / "tzdata").mkdir()
    (tmp_path / "tzdata" / "__init__.py").write_text("")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONTZPATH": "",
           "PYTHONPATH": os.pathsep.join(
               [str(tmp_path), *filter(None, [os.environ.get("PYTHONPATH")])])}
    try:
        done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                              timeout=60, env=env)
    except subprocess.TimeoutExpired as exc:  # the sign-in window waits: nothing was said
        raise AssertionError(f"the desk did not end: {exc.stdout!r}") from None
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 2, done.stdout + done.stderr[-3000:]
    assert lines[0] == "painted"  # the check follows the first paint
    said = ("Teller cannot work on this computer: it has no time zone data for Kyiv, so the "
            "times of receipts, the history and reports cannot be shown. Ask IT to reinstall "
            "Teller (the tzdata package is missing or broken). Teller closes now.")
    assert lines[1:] == [f"box: {said}"]
    assert said in done.stderr
