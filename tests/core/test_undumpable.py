"""On Linux the app makes itself non-dumpable at start (``prctl(PR_SET_DUMPABLE, 0)``): another
process of the same user can neither attach a debugger nor read its memory through /proc, so
a supervisor's password typed at the desk or the cache key cannot be lifted that way."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PR_GET_DUMPABLE = 3


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux prctl")
def test_the_app_is_not_dumpable_after_start() -> None:
    script = ("import ctypes, teller_app.ui.app as app\n"
              "libc = ctypes.CDLL(None)\n"
              f"before = libc.prctl({PR_GET_DUMPABLE}, 0, 0, 0, 0)\n"
              "try:\n    app.main(['--run-sandbox', '--help'])\n"
              "except SystemExit:\n    pass\n"
              f"print(before, libc.prctl({PR_GET_DUMPABLE}, 0, 0, 0, 0))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "1 0"

