"""Every file the app writes is 0600 in 0700 directories (the whole tree after a real app
session), files an older version left readable are tightened, and core dumps are off."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest


def _loose(root: Path) -> list[str]:
    """Every path under ``root`` that group or others can read, write or enter."""
    loose = []
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in [dirpath, *(os.path.join(dirpath, f) for f in filenames)]:
            mode = stat.S_IMODE(os.lstat(name).st_mode)
            if mode & 0o077:
                loose.append(f"{oct(mode)} {os.path.relpath(name, root)}")
    return loose


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
        preexec_fn=lambda: os.umask(0o022),  # a typical desktop umask: files 0644 by default
    )


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_whole_tree_is_private_after_a_session(tmp_path: Path) -> None:
    data, config = tmp_path / "data", tmp_path / "config"
    # What an older version left behind: world-readable profile, log and directories.
    (config).mkdir(mode=0o755)
    (config / "profiles.json").write_text('{"version": 1, "profiles": []}')
    os.chmod(config / "profiles.json", 0o644)
    (data / "logs").mkdir(parents=True, mode=0o755)
    os.chmod(data, 0o755)
    (data / "logs" / "teller.log.1").write_text("old log\n")
    os.chmod(data / "logs" / "teller.log.1", 0o644)

    # A real session: the embedded sandbox, sign-in, first sync into the cache, audit, log.
    out = _run(["-m", "teller_app", "--smoke-test", "--data-dir", str(data)],
               TELLER_CONFIG_DIR=str(config))
    assert out.returncode == 0, out.stderr[-2000:]
    written = {p.relative_to(data).parts[0] for p in data.rglob("*") if p.is_file()}
    assert {"logs", "audit", "caches"} <= written, written
    assert (data / "logs" / "teller.log").stat().st_size > 0
    assert _loose(data) == [] and _loose(config) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX rlimits")
def test_core_dumps_are_off_and_umask_private_in_the_app() -> None:
    script = ("import os, resource, teller_app.ui.app as app\n"
              "try:\n    app.main(['--run-sandbox', '--help'])\n"
              "except SystemExit:\n    pass\n"
              "print(resource.getrlimit(resource.RLIMIT_CORE), oct(os.umask(0)))\n")
    out = _run(["-c", script])
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "(0, 0) 0o77"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_a_shared_directory_is_never_tightened(tmp_path: Path) -> None:
    """/tmp (sticky, world-writable) given as a data dir, or inside one: not ours to chmod.
    Running as root, tightening it locked every other user (and PostgreSQL) out of /tmp."""
    from teller_app.cache.paths import ensure_private_dir
    from teller_app.core.hardening import secure_tree

    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    (shared / "someone-else.txt").write_text("x")
    os.chmod(shared / "someone-else.txt", 0o644)
    ours = tmp_path / "ours"
    (ours / "inner").mkdir(parents=True)
    os.chmod(ours, 0o755)
    os.chmod(ours / "inner", 0o755)
    nested_shared = ours / "spool"
    nested_shared.mkdir()
    os.chmod(nested_shared, 0o1777)

    assert secure_tree(shared) == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "someone-else.txt").stat().st_mode) == 0o644
    assert secure_tree(ours) >= 2  # ours and ours/inner were loose
    assert stat.S_IMODE(ours.stat().st_mode) == 0o700
    assert stat.S_IMODE(nested_shared.stat().st_mode) == 0o1777

    ensure_private_dir(shared / "profile")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "profile").stat().st_mode) == 0o700
