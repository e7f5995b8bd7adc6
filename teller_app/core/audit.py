"""The desk's audit: every action goes to the hub's append-only, hash-chained log
(``POST /api/v1/audit``) through a local encrypted outbox.

Why an outbox: the hub may be down, the desk may be killed; no entry may be lost or doubled.
``record`` first appends the entry to the outbox file (AES-256-GCM per line, the key in the
OS keyring, file 0600 in a 0700 dir, fsync'ed) and only then tries to send. ``flush`` sends
the unsent entries in order, in batches; each carries a ``client_id`` (random, fixed at
append), so a batch resent after a lost answer or a crash is deduplicated by the hub (it
answers the stored seq). What the hub acknowledged is counted in a small ``.sent`` file
(atomic replace); when everything is sent the outbox is emptied. Two desks on one profile
share the file under an OS file lock.

Whose entry: each line names the employee who recorded it (``owner``: the sign-in e-mail,
casefolded; never sent, the hub names the actor from the sending session), and a flush sends
only the signed-in employee's own entries: another's wait in the outbox for their next sign-in.

Personal data: details carry GUIDs and what the action needs (amounts, field names), never
names, phones, logins or IBANs — those keys are dropped on append.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from teller_app.core.app_paths import data_dir

# Whose entry (``owner``) and who may send it: core.audit_owners; re-exported here.
from teller_app.core.audit_owners import owner_of as owner_of
from teller_app.core.audit_owners import sendable_by as sendable_by
from teller_app.core.audit_owners import sent_past_others

# The CSV export's formula guard is core.csv_safe (the history export shares it); re-exported
# here, where callers and tests have always imported it.
from teller_app.core.csv_safe import FORMULA_TRIGGERS as FORMULA_TRIGGERS
from teller_app.core.csv_safe import csv_cell as csv_cell
from teller_app.core.csv_safe import export_rows as export_rows
from teller_app.core.private_files import write_private

log = logging.getLogger(__name__)
OUTBOX_KEY = "audit_outbox_key"  # keyring entry (hex of 32 bytes)
BATCH = 200
PII_KEYS = frozenset(
    {"name", "surname", "paternal_name", "phone_number", "phone", "login", "email", "iban",
     "password", "token", "session_token"}
)


class AuditAction:
    """What the desk records (``event`` in the hub entry's detail); ``HUB_ACTION`` maps each
    to the hub's action vocabulary."""

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
    EXECUTION = "execution"
    CASH_CREATE = "cash_create"
    CASH_CONFIRM = "cash_confirm"
    OPEN_ACCOUNT = "open_account"
    TILL = "till"

    ALL = (
        SIGN_IN, SIGN_OUT, LOCK, UNLOCK, SWITCH_EMPLOYEE, CUSTOMER_CREATE, CUSTOMER_EDIT,
        CHANGE_REQUEST, APPROVAL, REJECTION, REQUEST_WITHDRAWN, EXECUTION, CASH_CREATE,
        CASH_CONFIRM, OPEN_ACCOUNT, TILL,
    )


# The hub refuses a desk entry named as one of its own actions (a request, a decision, an
# execution: the hub writes those itself), so the desk's own copies go as "other" with their
# ``event``; hub/audit.DESK_ACTIONS is what it accepts (tests/hub/test_audit_actions.py).
DESK_ACTIONS = ("sign_in", "sign_out", "lock", "unlock", "create", "edit", "cash", "till",
                "other")
HUB_ACTION = {
    AuditAction.SIGN_IN: "sign_in", AuditAction.SIGN_OUT: "sign_out",
    AuditAction.LOCK: "lock", AuditAction.UNLOCK: "unlock",
    AuditAction.SWITCH_EMPLOYEE: "sign_in", AuditAction.CUSTOMER_CREATE: "create",
    AuditAction.CUSTOMER_EDIT: "edit", AuditAction.CHANGE_REQUEST: "other",
    AuditAction.APPROVAL: "other", AuditAction.REJECTION: "other",
    AuditAction.REQUEST_WITHDRAWN: "other", AuditAction.EXECUTION: "other",
    AuditAction.CASH_CREATE: "cash", AuditAction.CASH_CONFIRM: "cash",
    AuditAction.OPEN_ACCOUNT: "create", AuditAction.TILL: "till",
}
# Every action in the hub's trail (the audit view's filter): the desks' and the hub's own
# (requests, decisions, executions, alerts, policy, and its security events).
HUB_ACTIONS = ("sign_in", "sign_in_failed", "sign_in_throttled", "sign_out", "lock", "unlock",
               "create", "edit", "request", "decision", "decision_refused", "execution",
               "proxy_write", "alert", "policy", "cash", "till", "employee_added",
               "employee_disabled", "employee_enabled", "password_reset", "secret_issued",
               "secrets_imported", "other")


@dataclass(frozen=True)
class OutboxEntry:
    client_id: str
    action: str  # the hub's action
    entity: str
    detail: dict[str, Any]
    desk_ts: str
    owner: str = ""  # who recorded it (owner_of); "" in lines written before owners were kept

    def wire(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "action": self.action, "entity": self.entity,
                "detail": self.detail, "desk_ts": self.desk_ts}

    def stored(self) -> dict[str, Any]:
        """The outbox line's content: what is sent, and who recorded it (kept locally)."""
        return {**self.wire(), "owner": self.owner} if self.owner else self.wire()


def make_entry(action: str, **details: Any) -> OutboxEntry:
    clean = {k: _plain(v) for k, v in details.items() if k not in PII_KEYS and v is not None}
    hub_action = HUB_ACTION.get(action, action if action in DESK_ACTIONS else "other")
    if hub_action != action:
        clean["event"] = action
    entity = ""
    for key in ("customer_guid", "payment_guid", "request_id"):
        if clean.get(key):
            entity = f"{key.split('_')[0]}:{clean[key]}"
            break
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return OutboxEntry("d" + secrets.token_hex(15), hub_action, entity, _fit(clean), stamp)


DETAIL_BUDGET = 7 * 1024  # the hub refuses a detail over 8 KB of canonical JSON
LONG_TEXT = 500


def _size(detail: dict[str, Any]) -> int:
    return len(json.dumps(detail, ensure_ascii=False, separators=(",", ":"),
                          sort_keys=True).encode())


def _fit(detail: dict[str, Any]) -> dict[str, Any]:
    """A detail the hub accepts: one it refused would stay first in the outbox and hold back
    every entry after it. Long texts are cut first; then only short values stay."""
    if _size(detail) <= DETAIL_BUDGET:
        return detail
    cut = {k: v[:LONG_TEXT] + "…" if isinstance(v, str) and len(v) > LONG_TEXT else v
           for k, v in detail.items()}
    cut["truncated"] = True
    if _size(cut) <= DETAIL_BUDGET:
        return cut
    short = {k: v for k, v in cut.items()
             if isinstance(v, int | float | bool) or (isinstance(v, str) and len(v) <= 100)}
    return {**short, "truncated": True}


def outbox_path(profile_name: str, base: Path | None = None) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in profile_name) or "default"
    return (base or data_dir()) / "audit" / f"{safe}.outbox"


class AuditOutbox:
    """Append-only encrypted lines + a sent counter. Thread- and process-safe; blocking
    (call off the UI thread)."""

    def __init__(self, path: Path, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the outbox key must be 32 bytes")
        self.path = Path(path)
        self.sent_path = self.path.with_suffix(".sent")
        self._aead = AESGCM(key)
        self._lock = threading.Lock()
        self._unreadable = 0

    def append(self, entry: OutboxEntry) -> None:
        nonce = secrets.token_bytes(12)
        plain = json.dumps(entry.stored(), sort_keys=True, ensure_ascii=False).encode()
        line = base64.b64encode(nonce + self._aead.encrypt(nonce, plain, b"teller-audit"))
        with self._locked() as fh:
            fh.seek(0, os.SEEK_END)
            end = fh.tell()
            if end:
                fh.seek(end - 1)
                if fh.read(1) != b"\n":
                    fh.write(b"\n")  # a torn line from a killed writer stays on its own
            fh.write(line + b"\n")
            fh.flush()
            os.fsync(fh.fileno())

    def unsent(self, owner: str | None = None) -> list[OutboxEntry]:
        """Entries not on the hub yet, in order; with ``owner``, only those its session may
        send (``sendable_by``)."""
        with self._locked() as fh:
            done, later = self._sent()
            return [e for e in self._entries(fh)[done:]
                    if e.client_id not in later and sendable_by(e, owner)]

    def mark_sent(self, client_ids: Iterable[str]) -> None:
        """These entries are on the hub: the sent mark moves over the leading ones that are
        (another process may have moved it already); ones sent past an entry still waiting
        (another employee's) are listed after it. When none is left the file is emptied."""
        with self._locked() as fh:
            entries = self._entries(fh)
            total = len(entries)
            done, later = self._sent()
            acked = later | set(client_ids)
            while done < total and entries[done].client_id in acked:
                done += 1
            ahead = sent_past_others(entries[done:], acked)
            # emptied only when every line was ours to read: lines another key wrote (a
            # second instance without a shared keyring) stay for that instance
            if done >= total and not self._unreadable:
                fh.seek(0)
                fh.truncate()
                fh.flush()
                os.fsync(fh.fileno())
                done = 0
            write_private(self.sent_path, "\n".join([str(done), *ahead]).encode())

    def pending(self) -> int:
        return len(self.unsent())

    def waiting(self) -> int:
        """Lines not on the hub yet, also those this key cannot read (another instance's):
        what deleting the outbox would lose."""
        with self._locked() as fh:
            done, later = self._sent()
            unsent = [e for e in self._entries(fh)[done:] if e.client_id not in later]
            return len(unsent) + self._unreadable

    # -- internals --------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[Any]:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        with self._lock, os.fdopen(fd, "r+b") as fh, _file_lock(fh):
            yield fh

    def _sent(self) -> tuple[int, set[str]]:
        """How many leading entries are on the hub, and the ids of later ones that are too.
        The file's first line is that count (all it held before owners were kept)."""
        try:
            lines = self.sent_path.read_text().split()
            return (int(lines[0]) if lines else 0), set(lines[1:])
        except (OSError, ValueError):
            return 0, set()

    def _entries(self, fh: Any) -> list[OutboxEntry]:
        fh.seek(0)
        out: list[OutboxEntry] = []
        lines = [raw for raw in fh.read().split(b"\n") if raw.strip()]
        self._unreadable = 0
        for raw in lines:
            entry = self._decode(raw)
            if isinstance(entry, OutboxEntry):
                out.append(entry)
            elif entry == "foreign":  # whole, but sealed with another key
                self._unreadable += 1
        return out

    def _decode(self, raw: bytes) -> OutboxEntry | str:
        try:
            blob = base64.b64decode(raw, validate=True)
            plain = self._aead.decrypt(blob[:12], blob[12:], b"teller-audit")
        except InvalidTag:
            log.warning("an audit outbox line sealed with another key was skipped")
            return "foreign"
        except ValueError:
            log.warning("a torn audit outbox line (killed writer) was skipped")
            return "torn"
        try:
            data = json.loads(plain)
            action, detail = str(data["action"]), dict(data.get("detail") or {})
            if action not in DESK_ACTIONS:  # written before the hub refused its own actions
                detail.setdefault("event", action)
                action = "other"
            return OutboxEntry(str(data["client_id"]), action, str(data.get("entity", "")),
                               detail, str(data.get("desk_ts", "")),
                               str(data.get("owner") or ""))
        except (ValueError, KeyError, TypeError):
            return "torn"


Sender = Callable[[list[dict[str, Any]]], Any]  # async: POST a batch, raise when not stored


@dataclass
class AuditTrail:
    """``record`` (any thread, blocking: fsync) then ``flush`` (async, sends in order)."""

    outbox: AuditOutbox
    send: Sender | None = None  # None: no hub (entries wait in the outbox)
    last_error: str = ""
    _flush_lock: Any = field(default=None, repr=False)
    # who records and whose session sends (owner_of); None: entries name no one and every
    # one is sent
    owner: str | None = None

    def record(self, action: str, **details: Any) -> OutboxEntry:
        entry = replace(make_entry(action, **details), owner=self.owner or "")
        self.outbox.append(entry)
        return entry

    async def flush(self) -> int:
        """Send every unsent entry ``owner`` may send, in order; returns how many went.
        Raises what the sender raised (the entries stay and go next time). The owner and
        the sender are taken once, at the start: the whole flush goes with one session."""
        sent = 0
        async with self._lock():
            owner, send = self.owner, self.send
            if send is None:
                return 0
            while True:
                batch = (await asyncio.to_thread(self.outbox.unsent, owner))[:BATCH]
                if not batch:
                    return sent
                await send([e.wire() for e in batch])
                await asyncio.to_thread(self.outbox.mark_sent, [e.client_id for e in batch])
                sent += len(batch)

    async def hand_over(self, owner: str | None, send: Sender | None) -> None:
        """Another employee's session sends from now on: after a flush under way (it ends
        with the session it started with), never in the middle of one."""
        async with self._lock():
            self.owner, self.send = owner, send

    def _lock(self) -> asyncio.Lock:
        if self._flush_lock is None:
            self._flush_lock = asyncio.Lock()
        lock: asyncio.Lock = self._flush_lock
        return lock


async def outbox_key(profile_name: str) -> bytes:
    """The outbox key from the OS keyring (created on first use). Without a persistent
    keyring it lives in memory: entries a killed process left behind are then unreadable."""
    from teller_app.secrets.store import SecretStore

    store = await SecretStore.open(profile_name)
    stored = await store.get(OUTBOX_KEY)
    if stored:
        try:
            key = bytes.fromhex(stored)
            if len(key) == 32:
                return key
        except ValueError:
            pass
    key = secrets.token_bytes(32)
    await store.set(OUTBOX_KEY, key.hex())
    return key


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
