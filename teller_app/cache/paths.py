"""Where cache files live, owner-only permissions, and wiping."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
from pathlib import Path

HEAD_OFFICE = "head-office"
# "-ftsbuild": the bulk load's scratch search index (fts_build.py), removed after it
_SUFFIXES = ("", "-wal", "-shm", "-journal", "-ftsbuild")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe(part: str) -> str:
    cleaned = _SAFE.sub("_", part.strip()).strip(".")
    if not cleaned:
        raise ValueError(f"unusable path component {part!r}")
    return cleaned


def profile_dir(data_dir: Path | str, profile_name: str) -> Path:
    return Path(data_dir) / "caches" / _safe(profile_name)


def cache_path(data_dir: Path | str, profile_name: str, scope: str) -> Path:
    """``data_dir/caches/<profile>/<scope>.db``; scope is a branch guid or ``HEAD_OFFICE``."""
    return profile_dir(data_dir, profile_name) / f"{_safe(scope)}.db"


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and the ``caches`` parent) owner-only (0700)."""
    path.mkdir(parents=True, exist_ok=True)
    for p in (path, path.parent):
        with contextlib.suppress(OSError):  # Windows: per-user AppData ACLs instead
            if not p.stat().st_mode & (stat.S_ISVTX | stat.S_IWOTH):  # never /tmp and the like
                os.chmod(p, 0o700)


def secure_files(db_path: Path) -> None:
    """chmod 0600 the database and its -wal/-shm companions that exist."""
    for suffix in _SUFFIXES:
        p = Path(str(db_path) + suffix)
        if p.exists():
            with contextlib.suppress(OSError):
                os.chmod(p, 0o600)


def create_private_file(db_path: Path) -> None:
    """Create an empty file 0600 before SQLite opens it (so it is never world-readable)."""
    ensure_private_dir(db_path.parent)
    fd = os.open(db_path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    secure_files(db_path)


def wipe_cache_file(db_path: Path | str) -> None:
    """Delete one cache database with its -wal/-shm/-journal files (must be closed)."""
    for suffix in _SUFFIXES:
        Path(str(db_path) + suffix).unlink(missing_ok=True)


def wipe_profile(data_dir: Path | str, profile_name: str) -> None:
    """Delete every cache of a profile (all scopes)."""
    shutil.rmtree(profile_dir(data_dir, profile_name), ignore_errors=True)


def prepare_cache_for(data_dir: Path | str, profile_name: str, scope: str) -> Path:
    """Remove caches of other scopes of this profile (a different employee signed in),
    make the directory 0700 and return the path for ``scope``."""
    target = cache_path(data_dir, profile_name, scope)
    pdir = target.parent
    ensure_private_dir(pdir)
    keep = {target.name + s for s in _SUFFIXES}
    for entry in pdir.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return target
