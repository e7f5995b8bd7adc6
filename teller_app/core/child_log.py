"""The embedded children's output (sandbox, hub) on disk: ``hub.log`` / ``sandbox.log`` in the
desk's log folder, beside ``teller.log``, so support still has what a child printed (a
request line, a warning, its last traceback) after the desk closed; the diagnostics zip takes
them as it takes the desk's log (``logs/*.log*``).

Every line is masked as the desk's own log is (``secrets/redaction``: registered secrets,
tokens, URL queries, phone numbers, IBANs, cards, e-mail local parts; control characters
escaped), plus the values this child was given or published as secrets (its manifest's
passwords and tokens, the hub's settings): those are known here only, not to the desk's
registry. Files 0600 in a 0700 folder, rotated at ``MAX_BYTES`` with ``BACKUPS`` older ones,
written unbuffered (what a child printed is on disk even if the desk then dies). Written by
the child's drain thread, never the UI thread; a failing disk drops lines (counted, said in
the file once it works again) and never raises.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from teller_app.secrets.redaction import MASK, escape_controls, redact_text, scrub_personal_data

MAX_BYTES = 2_000_000  # as the desk's teller.log (ui/start_logging.py)
BACKUPS = 3
RETRY_S = 30.0  # after a failed write, lines are dropped this long before the next try
_MIN_SECRET = 4  # shorter values would mask ordinary words (as platform/_sensitive)
# manifest / settings keys whose values are secrets (a password, a token, a key)
_SECRET_KEY = re.compile(r"password|token|secret|master_key|private_key", re.IGNORECASE)


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


class ChildLog:
    """``FOLDER/NAME.log``, rotated; ``write`` is thread-safe and never raises."""

    def __init__(self, folder: Path, name: str, *, secrets: Iterable[str] = (),
                 max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> None:
        self.folder = folder
        self.path = folder / f"{name}.log"
        self.max_bytes = max_bytes
        self.backups = backups
        self._lock = threading.Lock()
        self._secrets: list[str] = []
        self._fd: int | None = None
        self._size = 0
        self._failed_at: float | None = None
        self._dropped = 0
        self.add_secrets(secrets)

    def __repr__(self) -> str:  # never its secrets
        return f"ChildLog({str(self.path)!r})"

    def add_secrets(self, values: Iterable[str]) -> None:
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
        for secret in self._secrets:
            if secret in line:
                line = line.replace(secret, MASK)
        line = scrub_personal_data(redact_text(line))
        # a control character (ESC, CR, a direction mark) is written escaped; a line without
        # one stays as printed: the hub's JSON lines stay JSON ("\\n" in a traceback field)
        return line if line.isprintable() else escape_controls(line)

    def write(self, line: str) -> None:
        try:
            text = self.mask(line)
        except Exception:  # a masking defect must not put the line in clear, nor end the drain
            text = "(a line not written: it could not be masked)"
        now = time.time()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        data = f"{stamp},{int(now % 1 * 1000):03d} {text}\n".encode("utf-8", "replace")
        with self._lock:
            if self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_S:
                self._dropped += 1
                return
            try:
                if self._dropped:
                    note = f"{stamp} ({self._dropped} line(s) not written: the disk failed)\n"
                    self._append(note.encode("utf-8"))
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
            written = os.write(self._fd, view)
            view = view[written:]
        self._size += len(data)

    def _open(self) -> None:
        private_dir(self.folder)
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
        if self._size and self._size >= self.max_bytes:
            self._rotate()

    def _rotate(self) -> None:
        self._close_fd()
        if self.backups > 0:
            for index in range(self.backups - 1, 0, -1):
                older = self.path.with_name(f"{self.path.name}.{index}")
                if older.exists():
                    os.replace(older, self.path.with_name(f"{self.path.name}.{index + 1}"))
            with contextlib.suppress(FileNotFoundError):  # removed meanwhile
                os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))
        else:
            self.path.unlink(missing_ok=True)
        self._open()

    def _close_fd(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
