"""The embedded children's output (sandbox, hub) on disk: ``hub.log`` / ``sandbox.log`` in the
desk's log folder, beside ``teller.log``, so support still has what a child printed (a
request line, a warning, its last traceback) after the desk closed; the diagnostics zip takes
them as it takes the desk's log (``logs/*.log*``).

Every line is masked as the desk's own log is (``secrets/redaction``: registered secrets,
tokens, URL queries, phone numbers, IBANs, cards, e-mail local parts; control characters
escaped), plus the values this child was given or published as secrets (its manifest's
passwords and tokens, the hub's settings): those are known here only, not to the desk's
registry (``LineMask``; the in-memory copy of the lines is masked by the same one).

The file itself is a ``PrivateLogFile``, which the desk's ``teller.log`` uses too
(core/desk_log.py): 0600 whatever the umask, the rotated files too, in a 0700 folder,
rotated at ``MAX_BYTES`` with ``BACKUPS`` older ones, written unbuffered (what was logged is
on disk even if the desk then dies). A failing disk drops lines (counted, said in the file
once it works again) and never raises.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from teller_app.secrets.redaction import MASK, escape_controls, redact_text, scrub_personal_data

MAX_BYTES = 2_000_000  # each file, as the desk's teller.log (core/desk_log.py)
BACKUPS = 3
RETRY_S = 30.0  # after a failed write, lines are dropped this long before the next try
_MIN_SECRET = 4  # shorter values would mask ordinary words (as platform/_sensitive)
# manifest / settings keys whose values are secrets (a password, a token, a key)
_SECRET_KEY = re.compile(r"password|token|secret|master_key|private_key", re.IGNORECASE)
UNMASKABLE = "(a line not written: it could not be masked)"


def private_dir(path: Path) -> Path:
    """Create ``path`` (0700) and tighten it if it already existed, unless it is a shared
    directory (sticky bit, e.g. /tmp): as root a chmod there locks every other user out."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        if not path.stat().st_mode & stat.S_ISVTX:
            os.chmod(path, 0o700)
    return path


def secret_values(data: Any) -> list[str]:
    """Every string held under a secret-named key (``password``, ``admin_token``,
    ``sim_admin_token``, ``master_key``…) anywhere in ``data`` (a manifest, settings)."""
    found: list[str] = []

    def walk(node: Any, secret: bool) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, secret or bool(_SECRET_KEY.search(str(key))))
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item, secret)
        elif secret and isinstance(node, str):
            found.append(node)

    walk(data, False)
    return found


def log_stamp(now: float) -> str:
    """``2026-01-01 09:00:00,123``: the time as logging's ``asctime`` writes it."""
    return f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(now))},{int(now % 1 * 1000):03d}"


class LineMask:
    """A child's lines masked: the desk's log masking plus this child's own secrets."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: list[str] = []
        self.add(secrets)

    def __repr__(self) -> str:  # never its secrets
        return "LineMask()"

    def add(self, values: Iterable[str]) -> None:
        """Mask these values (and each long line of a multi-line one) from now on."""
        parts: set[str] = set()
        for value in values:
            text = str(value).strip()
            parts.add(text)
            if "\n" in text:
                parts.update(line.strip() for line in text.splitlines())
        with self._lock:
            known = set(self._secrets) | {p for p in parts if len(p) >= _MIN_SECRET}
            self._secrets = sorted(known, key=len, reverse=True)  # longest first

    def mask(self, line: str) -> str:
        """``line`` masked; never raises (a masking defect must not put the line in clear,
        nor end the drain)."""
        try:
            for secret in self._secrets:
                if secret in line:
                    line = line.replace(secret, MASK)
            line = scrub_personal_data(redact_text(line))
        except Exception:
            return UNMASKABLE
        # a control character (ESC, CR, a direction mark) is written escaped; a line without
        # one stays as printed: the hub's JSON lines stay JSON ("\\n" in a traceback field)
        return line if line.isprintable() else escape_controls(line)


class PrivateLogFile:
    """``path`` and its rotated ``path.1`` … ``path.BACKUPS``, each 0600 (set, not left to the
    umask), in a 0700 folder. ``write`` is thread-safe and never raises: after a failed write
    (a full disk, a folder gone) what comes is dropped for ``RETRY_S``, then the next write
    tries again and, once one succeeds, ``lost_note(count)`` (a line ending in a newline) is
    written before it."""

    def __init__(self, path: Path, lost_note: Callable[[int], str], *,
                 max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.backups = backups
        self._lost_note = lost_note
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._size = 0
        self._failed_at: float | None = None
        self._dropped = 0
        self._torn = False  # a write failed part-way: the file does not end with a newline

    def __repr__(self) -> str:
        return f"PrivateLogFile({str(self.path)!r})"

    def write(self, text: str) -> None:
        """Append ``text`` (one or more lines, each ending in a newline)."""
        data = text.encode("utf-8", "replace")
        with self._lock:
            if self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_S:
                self._dropped += 1
                return
            try:
                if self._torn:
                    self._append(b"\n")
                    self._torn = False
                if self._dropped:
                    self._append(self._lost_note(self._dropped).encode("utf-8", "replace"))
                    self._dropped = 0
                self._append(data)
                self._failed_at = None
            except OSError:
                self._close_fd()
                self._failed_at = time.monotonic()
                self._dropped += 1

    def close(self) -> None:
        with self._lock:
            self._close_fd()

    def _append(self, data: bytes) -> None:
        if self._fd is None:
            self._open()
        elif self._size and self._size + len(data) > self.max_bytes:
            self._rotate()
        assert self._fd is not None
        view = memoryview(data)
        while view:
            try:
                written = os.write(self._fd, view)
            except OSError:
                self._torn = self._torn or len(view) < len(data)
                raise
            view = view[written:]
            self._size += written

    def _open(self) -> None:
        private_dir(self.path.parent)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.path, flags, 0o600)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)  # a file an older run left wider
            self._size = os.fstat(fd).st_size
        except OSError:
            os.close(fd)
            raise
        self._fd = fd
        self._tighten_backups()  # those an older version left wider
        if self._size and self._size >= self.max_bytes:
            self._rotate()

    def _backup(self, index: int) -> Path:
        return self.path.with_name(f"{self.path.name}.{index}")

    def _rotate(self) -> None:
        self._close_fd()
        if self.backups > 0:
            for index in range(self.backups - 1, 0, -1):
                if self._backup(index).exists():
                    os.replace(self._backup(index), self._backup(index + 1))
            with contextlib.suppress(FileNotFoundError):  # removed meanwhile
                os.replace(self.path, self._backup(1))
        else:
            self.path.unlink(missing_ok=True)
        self._open()

    def _tighten_backups(self) -> None:
        for index in range(1, self.backups + 1):
            with contextlib.suppress(OSError):  # absent: nothing to tighten
                if stat.S_IMODE(os.stat(self._backup(index)).st_mode) != 0o600:
                    os.chmod(self._backup(index), 0o600)

    def _close_fd(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


class ChildLog:
    """``FOLDER/NAME.log``, rotated; ``write`` is thread-safe and never raises."""

    def __init__(self, folder: Path, name: str, *, secrets: Iterable[str] = (),
                 max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> None:
        self.folder = folder
        self.path = folder / f"{name}.log"
        self.masker = LineMask(secrets)
        self._file = PrivateLogFile(self.path, self._lost_note, max_bytes=max_bytes,
                                    backups=backups)

    def __repr__(self) -> str:  # never its secrets
        return f"ChildLog({str(self.path)!r})"

    def add_secrets(self, values: Iterable[str]) -> None:
        """Mask these values (and each long line of a multi-line one) from now on."""
        self.masker.add(values)

    def mask(self, line: str) -> str:
        return self.masker.mask(line)

    def write(self, line: str) -> None:
        self.write_masked(self.mask(line))

    def write_masked(self, text: str) -> None:
        """A line ``masker`` already masked (the drain masks each line once, for this file
        and the in-memory copy)."""
        self._file.write(f"{log_stamp(time.time())} {text}\n")

    def close(self) -> None:
        self._file.close()

    @staticmethod
    def _lost_note(count: int) -> str:
        return f"{log_stamp(time.time())} ({count} line(s) not written: the disk failed)\n"
