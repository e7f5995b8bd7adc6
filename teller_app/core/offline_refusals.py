"""Employees the platform refused, so the offline verifier no longer vouches for them even
when deleting it from the OS keyring failed (a locked keyring, a keyring error).

A refusal is kept twice, neither needing the keyring: in this process's memory (at once, so a
failing disk cannot undo it) and in a private file in the desk's data folder (0600 in 0700,
replaced atomically), so it outlives a restart. Each entry is the time of the refusal under
a salted SHA-256 of the profile and e-mail (no e-mail in the file). An offline start whose
verifier was made at or before its employee's refusal is refused (``ui/offline_start``);
the entry goes once the keyring is known to hold no such verifier (deleted, or replaced by a
later online sign-in). An unreadable file refuses every offline start (fail closed) and is
never rewritten: IT removes it (its path is logged)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from teller_app.core.app_paths import data_dir
from teller_app.core.private_files import write_private

FILE_NAME = "offline_refused.json"
log = logging.getLogger(__name__)
_lock = threading.Lock()  # one read-modify-write of the file at a time (per process)
_memory: dict[tuple[str, str], float] = {}  # (profile, e-mail) -> refused at, this process


class RefusalsUnreadable(OSError):
    """The refusals file exists but cannot be read: no offline start is vouched for."""


def refusals_path(base: Path | None = None) -> Path:
    return (base or data_dir()) / FILE_NAME


def _key(profile: str, email: str) -> tuple[str, str]:
    return profile, email.strip().casefold()


def _digest(salt: str, profile: str, email: str) -> str:
    return hashlib.sha256(f"{salt}\0{profile}\0{email}".encode()).hexdigest()


def _read(path: Path) -> dict[str, Any] | None:
    """The file's content, None when there is none; ``RefusalsUnreadable`` when damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise RefusalsUnreadable(f"{path} is unreadable ({type(exc).__name__})") from None
    if not (isinstance(data, dict) and isinstance(data.get("salt"), str)
            and isinstance(data.get("refused"), dict)):
        raise RefusalsUnreadable(f"{path} is unreadable (unexpected content)")
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    write_private(path, json.dumps(data).encode("utf-8"))


def mark_refused(profile: str, email: str, at: float, base: Path | None = None) -> None:
    """Record that the platform refused ``email`` at ``at`` (blocking: off the UI thread for
    the file). Memory first; raises ``OSError`` when the file could not be written."""
    key = _key(profile, email)
    _memory[key] = max(at, _memory.get(key, at))
    path = refusals_path(base)
    with _lock:
        data = _read(path) or {"v": 1, "salt": secrets.token_hex(16), "refused": {}}
        digest = _digest(data["salt"], *key)
        previous = data["refused"].get(digest)
        data["refused"][digest] = max(at, previous) if isinstance(previous, int | float) else at
        _write(path, data)


def refused_at(profile: str, email: str, base: Path | None = None) -> float | None:
    """When the platform last refused ``email`` on this desk (None: never recorded). Raises
    ``RefusalsUnreadable`` when the file is damaged (the caller refuses offline start)."""
    key = _key(profile, email)
    at = _memory.get(key)
    data = _read(refusals_path(base))
    if data is not None:
        stored = data["refused"].get(_digest(data["salt"], *key))
        if isinstance(stored, int | float):
            at = max(float(stored), at if at is not None else float(stored))
    return at


def clear_refused(profile: str, email: str, base: Path | None = None) -> None:
    """The keyring holds no verifier of ``email`` made before the refusal any more: forget
    the refusal (blocking). A damaged file is left as it is."""
    key = _key(profile, email)
    _memory.pop(key, None)
    path = refusals_path(base)
    with _lock:
        try:
            data = _read(path)
        except RefusalsUnreadable:
            return
        if data is None or data["refused"].pop(_digest(data["salt"], *key), None) is None:
            return
        _write(path, data)
