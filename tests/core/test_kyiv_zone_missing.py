"""Kyiv time on the desk comes from real zone data (the OS's, else the tzdata package, a
dependency everywhere), never a fixed +02:00: without any zone data the desk says so
(``KyivZoneMissing``) instead of printing every summer time an hour early. The missing data
is a real child process with no tz path and an empty ``tzdata`` package first on its path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHILD = """
from datetime import UTC, datetime
from teller_app.core.receipt import KyivZoneMissing, kyiv_stamp
try:
    print(kyiv_stamp(datetime(2026, 7, 1, 21, 30, tzinfo=UTC)))
except KyivZoneMissing as exc:
    print("refused:", exc)
"""


def test_no_zone_data_is_said_never_a_fixed_offset(tmp_path: Path) -> None:
    (tmp_path / "tzdata").mkdir()
    (tmp_path / "tzdata" / "__init__.py").write_text("")
    env = {**os.environ, "PYTHONTZPATH": "", "PYTHONPATH": str(tmp_path)}
    r = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                       env=env, timeout=60, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    out = r.stdout.strip()
    assert "(+02:00)" not in out  # 23:30 printed for 00:30 Kyiv (summer), as it did
    assert out.startswith("refused: no time zone data for Europe/Kyiv"), out
