"""The sign-in window is painted before the work its first paint does not need
(``start_ratio`` in benchmarks/README.md): the real start with a saved profile, in a child
process, reports at that paint whether Qt's namespace enums were built (~20 ms; qasync's
first loop callback builds them) and which of the modules loaded after it are loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from teller_app.secrets import Profile, ProfileStore

# Needed only once the window is on screen: error texts, the sign-in use case and the
# keyring's store, the crash dialog's lock guard, the sandbox box's list.
AFTER_THE_PAINT = (
    "teller_app.ui.error_text", "teller_app.ui.sign_in", "teller_app.secrets.store",
    "teller_app.ui.keyring_note", "teller_app.ui.demo_onboarding", "teller_app.ui.lock_guard",
    "teller_app.ui.demo_list", "teller_app.core.instance_lock",
)

CHILD = r"""
import json, os, sys
from PySide6 import QtCore, QtWidgets
from teller_app.ui import app, startup

AFTER = json.loads(sys.argv[1])
lazy = "Qt" not in vars(QtCore)  # this PySide builds its namespace on first use


class Probe(startup.SignInDialog):
    def paintEvent(self, event):
        super().paintEvent(event)
        print(json.dumps({
            "qt_namespace": ("Qt" in vars(QtCore)) if lazy else None,
            "list_widget": "QListWidget" in vars(QtWidgets),
            "loaded": sorted(m for m in AFTER if m in sys.modules)}), flush=True)
        os._exit(0)


startup.SignInDialog = Probe
sys.exit(app.main(["--profile", "bench"]))
"""


def test_sign_in_is_painted_before_what_it_does_not_need(tmp_path: Path) -> None:
    store = ProfileStore()  # the autouse fixture's TELLER_CONFIG_DIR
    store.save(Profile(name="bench", base_url="http://127.0.0.1:9", email="a@bank.ua",
                       counterparty_guid="00000000-0000-4000-8000-000000000000"))
    store.set_last_profile("bench")
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(AFTER_THE_PAINT)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loaded"] == []
    assert report["list_widget"] is False  # a real platform's sign-in builds no demo list
    assert report["qt_namespace"] in (False, None)  # None: this PySide builds it eagerly
