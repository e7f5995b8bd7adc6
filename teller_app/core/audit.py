"""Local, append-only, tamper-evident audit trail (one JSONL file per profile).

Each line is one entry::

    {"action": ..., "actor": employee guid, "at": RFC 3339 UTC, "details": {...},
     "hash": hex, "prev": hex, "seq": n}

``hash = SHA-256(canonical JSON of the entry without "hash")`` where canonical JSON is
``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` in UTF-8, and
``prev`` is the previous entry's hash (64 zeros for the first). Editing, deleting or
reordering any line breaks the chain from that line on; ``verify()`` names the first broken
entry. (Whoever can rewrite the whole file can also recompute the chain: tamper-EVIDENT
against edits, not proof against a full rewrite. Export the head hash to detect that.)

Personal data: details carry GUIDs and what the action needs (amounts, field names), never
names, phones, logins or IBANs — those keys are dropped on append.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from teller_app.core.app_paths import data_dir

GENESIS = "0" * 64
# Keys that would put personal data into the trail; the log keeps GUIDs instead.
PII_KEYS = frozenset(
    {"name", "surname", "paternal_name", "phone_number", "phone", "login", "email", "iban",
     "password", "token"}
)


class AuditAction:
    """The actions the trail records (string constants so the file stays plain JSON)."""

    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    LOCK = "lock"
    UNLOCK = "unlock"
    SWITCH_EMPLOYEE = "switch_employee"
    CUSTOMER_CREATE = "customer_create"
    CUSTOMER_EDIT = "customer_edit"
    CHANGE_REQUEST = "change_request"
    APPROVAL = "approval"
    REJECTION = "rejection"
    REQUEST_WITHDRAWN = "request_withdrawn"
    CASH_CREATE = "cash_create"
    CASH_CONFIRM = "cash_confirm"
    OPEN_ACCOUNT = "open_account"

    ALL = (
        SIGN_IN, SIGN_OUT, LOCK, UNLOCK, SWITCH_EMPLOYEE, CUSTOMER_CREATE, CUSTOMER_EDIT,
        CHANGE_REQUEST, APPROVAL, REJECTION, REQUEST_WITHDRAWN, CASH_CREATE, CASH_CONFIRM,
        OPEN_ACCOUNT,
    )


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    action: str
    actor: str
    details: dict[str, Any]
    prev: str
    hash: str

    @property
    def customer_guid(self) -> str:
        return str(self.details.get("customer_guid", ""))


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_broken_seq: int | None = None  # 1-based line number of the first bad entry
    reason: str = ""


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def entry_hash(body: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the entry without its own "hash" (prev included)."""
    unsigned = {k: v for k, v in body.items() if k != "hash"}
    return hashlib.sha256(canonical_json(unsigned)).hexdigest()


def audit_path(profile_name: str, base: Path | None = None) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in profile_name) or "default"
    return (base or data_dir()) / "audit" / f"{safe}.jsonl"


_writer: ThreadPoolExecutor | None = None
_writer_lock = threading.Lock()


def _audit_writer() -> ThreadPoolExecutor:
    """One thread writes every audit entry, in the order they were submitted."""
    global _writer
    with _writer_lock:
        if _writer is None:
            _writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-writer")
        return _writer


class AuditLog:
    """Append-only hash chain in a JSONL file. ``append`` is safe from any thread (and blocks:
    mkdir, open, OS file lock); the UI thread uses ``submit``, which never blocks."""

    def __init__(self, path: Path, clock: Any = None) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._last: Future[AuditEntry] | None = None

    def submit(self, action: str, actor_guid: str, **details: Any) -> Future[AuditEntry]:
        """``append`` on the audit writer thread; returns at once. Entries are written in the
        order they were submitted; the future carries the entry or the error."""
        future = _audit_writer().submit(self.append, action, actor_guid, **details)
        self._last = future
        return future

    def flush(self, timeout: float | None = 10.0) -> None:
        """Wait until everything submitted so far is written (or failed): reads see it."""
        last = self._last
        if last is None or last.done():
            return
        if threading.current_thread().name.startswith("audit-writer"):
            return  # would wait for itself
        wait_futures([last], timeout=timeout)

    @classmethod
    def for_profile(cls, profile_name: str, base: Path | None = None) -> AuditLog:
        return cls(audit_path(profile_name, base))

    def append(self, action: str, actor_guid: str, **details: Any) -> AuditEntry:
        clean = {k: _plain(v) for k, v in details.items() if k not in PII_KEYS and v is not None}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Two app instances may share a profile: the tail is re-read under an OS file lock so
        # both extend one chain instead of forking it.
        with self._lock, self.path.open("a+b") as fh, _file_lock(fh):
            seq, prev = _tail(fh)
            fh.seek(0, os.SEEK_END)
            end = fh.tell()
            if end:
                fh.seek(end - 1)
                if fh.read(1) != b"\n":
                    # A torn last line (crash mid-write): the new entry starts on its own
                    # line; verify() names the torn one.
                    fh.write(b"\n")
            at = self._clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            body = {
                "seq": seq + 1,
                "at": at,
                "action": str(action),
                "actor": str(actor_guid or ""),
                "details": clean,
                "prev": prev,
            }
            body["hash"] = entry_hash(body)
            fh.seek(0, os.SEEK_END)
            fh.write(canonical_json(body) + b"\n")
            fh.flush()
        return _entry(body)

    def entries(self) -> list[AuditEntry]:
        self.flush()
        return list(self._iter_entries())

    def head_hash(self) -> str:
        """The newest entry's hash: write it down elsewhere to detect a full rewrite."""
        self.flush()
        if not self.path.exists():
            return GENESIS
        with self.path.open("rb") as fh:
            return _tail(fh)[1]

    def verify(self) -> VerifyResult:
        self.flush()
        prev = GENESIS
        count = 0
        if not self.path.exists():
            return VerifyResult(True, 0)
        with self.path.open("rb") as fh:
            for lineno, raw in enumerate(fh, start=1):
                count = lineno
                try:
                    body = json.loads(raw)
                except ValueError:
                    return VerifyResult(False, lineno, lineno, "not valid JSON")
                if not isinstance(body, dict):
                    return VerifyResult(False, lineno, lineno, "not an object")
                if body.get("seq") != lineno:
                    return VerifyResult(False, lineno, lineno, "sequence number out of order")
                if body.get("prev") != prev:
                    return VerifyResult(False, lineno, lineno, "previous hash does not match")
                if body.get("hash") != entry_hash(body):
                    return VerifyResult(False, lineno, lineno, "entry hash does not match")
                prev = body["hash"]
        return VerifyResult(True, count)

    # -- internals --------------------------------------------------------------------
    def _iter_entries(self) -> Iterator[AuditEntry]:
        if not self.path.exists():
            return
        with self.path.open("rb") as fh:
            for raw in fh:
                try:
                    body = json.loads(raw)
                    yield _entry(body)
                except (ValueError, KeyError, TypeError):
                    continue  # verify() reports it; the viewer shows what it can


def _tail(fh: Any) -> tuple[int, str]:
    """(seq, hash) of the last readable entry, read backwards from the end (no full scan).
    A broken line at the end (a torn write) is skipped, not fatal: ``verify()`` reports it."""
    fh.seek(0, os.SEEK_END)
    pos = fh.tell()
    block = b""
    while pos > 0:
        step = min(4096, pos)
        pos -= step
        fh.seek(pos)
        block = fh.read(step) + block
        lines = block.split(b"\n")
        # Unless the block reaches the start of the file, its first piece may be partial.
        partial, complete = (b"", lines) if pos == 0 else (lines[0], lines[1:])
        for raw in reversed(complete):
            if raw.strip() and (parsed := _parse_tail_line(raw)) is not None:
                return parsed
        block = partial
    return 0, GENESIS


def _parse_tail_line(raw: bytes) -> tuple[int, str] | None:
    try:
        body = json.loads(raw)
        return int(body["seq"]), str(body["hash"])
    except (ValueError, KeyError, TypeError):
        return None


@contextmanager
def _file_lock(fh: Any) -> Iterator[None]:
    if sys.platform == "win32":
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
        try:
            yield
        finally:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if k not in PII_KEYS}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)  # Decimal, UUID, enums: their text


def _entry(body: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        seq=int(body["seq"]),
        at=str(body["at"]),
        action=str(body["action"]),
        actor=str(body["actor"]),
        details=dict(body.get("details") or {}),
        prev=str(body["prev"]),
        hash=str(body["hash"]),
    )


# -- CSV export ------------------------------------------------------------------------------
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = ("seq", "at", "action", "actor", "customer_guid", "details", "hash")


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ TAB CR gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def export_csv(entries: Iterable[AuditEntry], path: Path | None = None) -> str:
    """The entries as CSV (and written to ``path`` when given)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        details = json.dumps(e.details, sort_keys=True, ensure_ascii=False)
        row = (e.seq, e.at, e.action, e.actor, e.customer_guid, details, e.hash)
        writer.writerow([csv_cell(v) for v in row])
    text = buf.getvalue()
    if path is not None:
        Path(path).write_text(text, encoding="utf-8-sig", newline="")
    return text
