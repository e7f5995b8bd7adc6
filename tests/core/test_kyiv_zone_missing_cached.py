"""Kyiv's zone is looked up once, its absence too: a desk without zone data does not look
for it again at every ``data()``/paint call (the tzdata import and two ZoneInfo lookups each
time), it raises the same ``KyivZoneMissing`` at once. A real child process with no tz path
and an empty ``tzdata`` package first on its path; the OS's zone data, made findable after
the first look, is never looked at again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHILD = """
import sys
import zoneinfo
from datetime import UTC, datetime
from teller_app.core.receipt import KyivZoneMissing, kyiv_stamp

when = datetime(2026, 7, 1, 21, 30, tzinfo=UTC)
said = []
for attempt in range(2):
    try:
        print(kyiv_stamp(when))
    except KyivZoneMissing as exc:
        said.append(str(exc))
        print("refused")
    zoneinfo.reset_tzpath([sys.argv[1]])  # the zone is there now: not looked for again
print(len(set(said)))
"""


def test_no_zone_data_is_found_missing_once(tmp_path: Path) -> None:
    """Review: the failure was not cached (``functools.cache`` keeps no exception)."""
    zones = next((p for p in ("/usr/share/zoneinfo", "/usr/lib/zoneinfo")
                  if (Path(p) / "Europe" / "Kyiv").exists() or (
                      Path(p) / "Europe" / "Kiev").exists()), None)
    assert zones is not None, "the OS's zone data is needed to show it is not looked at again"
    (tmp_path / "tzdata").mkdir()
    (tmp_path / "tzdata" / "__init__.py").write_text("")
    env = {**os.environ, "PYTHONTZPATH": "", "PYTHONPATH": str(tmp_path)}
    r = subprocess.run([sys.executable, "-c", CHILD, zones], capture_output=True, text=True,
                       env=env, timeout=60, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["refused", "refused", "1"], r.stdout
