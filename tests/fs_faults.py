"""Real filesystem faults for tests: a tiny tmpfs that can be filled or remounted read-only
(needs root, as in CI containers), else a chmod'ed read-only directory (non-root)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextlib.contextmanager
def small_fs(base: Path, size: str = "4m") -> Iterator[Path]:
    """A fresh tmpfs of ``size`` mounted under ``base`` (skips the test when not possible)."""
    point = base / f"fs-{uuid.uuid4().hex[:8]}"
    point.mkdir()
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                                       str(point)):
        pytest.skip("needs root to mount a small tmpfs (disk-full / read-only disk)")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def fill(fs: Path) -> Path:
    """Fill ``fs`` until the disk is full; returns the filler (delete it to free space)."""
    filler = fs / ".filler"
    with contextlib.suppress(OSError), open(filler, "wb") as fh:
        while True:
            fh.write(b"\0" * 65536)
            fh.flush()
    return filler


def make_read_only(fs: Path) -> None:
    """Remount ``fs`` read-only (root), so not even root can write."""
    assert _mount("-o", "remount,ro", str(fs)), "remount read-only failed"
