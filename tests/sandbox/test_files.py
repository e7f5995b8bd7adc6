"""Sandbox files are private (issue 16 item 2): the data dir 0700, every file in it 0600 —
manifest, database + WAL/SHM, keys — while running and after a stop, also for a data dir an
older sandbox left world-readable."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sandbox_api import ADMIN, Api

from teller_app.core.embedded_sandbox import start_sandbox


def _loose(root: Path) -> list[str]:
    bad = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        want = 0o700 if path.is_dir() else 0o600
        if mode != want:
            bad.append(f"{path.relative_to(root.parent)} {mode:o}")
    return bad


def test_whole_tree_is_private(tmp_path: Path) -> None:
    data = tmp_path / "sb"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    old = data / "sandbox.json"
    old.write_text("{}")
    os.chmod(old, 0o644)  # as an older sandbox left it
    old_umask = os.umask(0o022)  # the parent's usual umask: the sandbox must not rely on it
    try:
        sb = start_sandbox(data, customers=3)
    finally:
        os.umask(old_umask)
    try:
        api = Api(sb)
        api.new_customer(ADMIN)  # writes: the WAL and SHM exist now
        assert (data / "sandbox.db-wal").exists() and (data / "sandbox.db-shm").exists()
        assert _loose(data) == []
        names = {p.name for p in data.iterdir()}
        assert {"sandbox.json", "sandbox.db", "bank_jwt_private.pem"} <= names
        api.http.close()
    finally:
        sb.stop()
    assert _loose(data) == []
