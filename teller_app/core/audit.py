"""The desk's audit: every action goes to the hub's append-only, hash-chained log
(``POST /api/v1/audit``) through a local encrypted outbox.

Why an outbox: the hub may be down, the desk may be killed; no entry may be lost or doubled.
``record`` first appends the entry to the outbox file (AES-256-GCM per line, the key in the
OS keyring, file 0600 in a 0700 dir, fsync'ed) and only then tries to send. ``flush`` sends
the unsent entries in order, in batches; each carries a ``client_id`` (random, fixed at
append), so a batch resent after a lost answer or a crash is deduplicated by the hub (it
answers the stored seq). What the hub acknowledged is counted in a small ``.sent`` file
(atomic replace); when everything is sent the outbox is emptied. Two desks on one profile
share the file under an OS file lock. An entry the hub refuses never holds back the ones
after it: it goes reduced, or is quarantined (kept: ``core.audit_refused``), and tried again
now and then, bounded (``core.audit_retry``).

Whose entry: each line names the employee who recorded it (``owner``: the sign-in e-mail,
casefolded; never sent, the hub names the actor from the sending session), and a flush sends
only the signed-in employee's own entries: another's wait in the outbox for their next sign-in.

Personal data: details carry GUIDs and what the action needs (amounts, field names), never
names, phones, logins or IBANs — those keys are dropped on append.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from teller_app.core.app_paths import data_dir

# What the desk records and the hub's names for it: core.audit_actions; re-exported here.
from teller_app.core.audit_actions import DESK_ACTIONS as DESK_ACTIONS
from teller_app.core.audit_actions import HUB_ACTION as HUB_ACTION
from teller_app.core.audit_actions import HUB_ACTIONS as HUB_ACTIONS
from teller_app.core.audit_actions import AuditAction as AuditAction

# The outbox key (OUTBOX_KEY in the keyring, ``outbox_key``) and the file's lock: audit_file.
from teller_app.core.audit_file import OUTBOX_KEY as OUTBOX_KEY
from teller_app.core.audit_file import append_lines, file_lock
from teller_app.core.audit_file import outbox_key as outbox_key
from teller_app.core.audit_lines import LineSeal

# Whose entry (``owner``) and who may send it: core.audit_owners; re-exported here.
from teller_app.core.audit_owners import owner_of as owner_of
from teller_app.core.audit_owners import sendable_by as sendable_by
from teller_app.core.audit_owners import sent_past_others
from teller_app.core.audit_refused import (
    QUARANTINED,
    RELEASED,
    Held,
    Identity,
    deliver,
    fit_detail,
    held_again,
    held_record,
)
from teller_app.core.audit_retry import HeldRetry
from teller_app.core.audit_straight import send_straight

# The CSV export's formula guard is core.csv_safe (the history export shares it); re-exported
# here, where callers and tests have always imported it.
from teller_app.core.csv_safe import FORMULA_TRIGGERS as FORMULA_TRIGGERS
from teller_app.core.csv_safe import csv_cell as csv_cell
from teller_app.core.csv_safe import export_rows as export_rows
from teller_app.core.private_files import write_private

log = logging.getLogger(__name__)
BATCH = 200
PII_KEYS = frozenset(
    {"name", "surname", "paternal_name", "phone_number", "phone", "login", "email", "iban",
     "password", "token", "session_token"}
)


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
    # a detail within the hub's cap: a refused one would be sent reduced (audit_refused)
    return OutboxEntry("d" + secrets.token_hex(15), hub_action, entity, fit_detail(clean),
                       stamp)


def outbox_path(profile_name: str, base: Path | None = None) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in profile_name) or "default"
    return (base or data_dir()) / "audit" / f"{safe}.outbox"


@dataclass
class _Read:
    """The outbox as read under its lock: its entries in order, how many leading ones are on
    the hub (``done``), later ones that are too, the quarantined ones (by client id: the
    sealed line of their latest record) and the once quarantined the hub took since."""

    entries: list[OutboxEntry]
    done: int
    later: set[str]
    held: dict[str, tuple[bytes, Held]]
    released: set[str]

    def waiting(self) -> list[OutboxEntry]:
        return [e for e in self.entries[self.done:] if e.client_id not in self.later
                and e.client_id not in self.held and e.client_id not in self.released]


class AuditOutbox:
    """Append-only encrypted lines + a sent counter. Thread- and process-safe; blocking
    (call off the UI thread)."""

    def __init__(self, path: Path, key: bytes) -> None:
        self._lines = LineSeal(key)  # raises ValueError unless 32 bytes
        self.path = Path(path)
        self.sent_path = self.path.with_suffix(".sent")
        self._lock = threading.Lock()
        self._unreadable = 0

    def append(self, entry: OutboxEntry) -> None:
        with self._locked() as fh:
            append_lines(fh, [self._seal(entry.stored())])

    def quarantine(self, entry: OutboxEntry, refusal: str, hub: str = "") -> None:
        """Hold ``entry`` back (the hub ``hub`` refused it, and its reduced form): a record of
        it is appended; it stays through every emptying of the outbox (``mark_sent``) until
        the hub takes it (``release``)."""
        with self._locked() as fh:
            append_lines(fh, [self._seal(held_record(entry, refusal, hub))])

    def requarantine(self, held: Held, refusal: str, hub: str) -> None:
        """``held``, tried again, was refused again: its newer record (the latest counts)."""
        with self._locked() as fh:
            append_lines(fh, [self._seal(held_again(held.entry, refusal, hub))])

    def release(self, client_ids: Iterable[str]) -> None:
        """These quarantined entries are on the hub now: no longer held nor waiting."""
        with self._locked() as fh:
            append_lines(fh, [self._seal({RELEASED: i}) for i in client_ids])
            self._mark(fh, [])  # empties the file when nothing else is left

    def unsent(self, owner: str | None = None) -> list[OutboxEntry]:
        """Entries not on the hub yet (nor quarantined), in order; with ``owner``, only those
        its session may send (``sendable_by``)."""
        with self._locked() as fh:
            return [e for e in self._read(fh).waiting() if sendable_by(e, owner)]

    def quarantined(self) -> list[Held]:
        """Entries the hub refused, also reduced: kept here, tried again only alone, now and
        then (``core.audit_retry``)."""
        with self._locked() as fh:
            return [held for _, held in self._read(fh).held.values()]

    def mark_sent(self, client_ids: Iterable[str]) -> None:
        """These entries are on the hub: the sent mark moves over the leading ones that are
        (another process may have moved it already), and over quarantined ones; ones sent
        past an entry still waiting (another employee's) are listed after it. When none is
        left the file is emptied, but for the quarantined entries' records."""
        with self._locked() as fh:
            self._mark(fh, client_ids)

    def pending(self) -> int:
        return len(self.unsent())

    def waiting(self) -> int:
        """Lines not on the hub yet, also those this key cannot read (another instance's)
        and the quarantined ones: what deleting the outbox would lose."""
        with self._locked() as fh:
            read = self._read(fh)
            return len(read.waiting()) + self._unreadable + len(read.held)

    # -- internals --------------------------------------------------------------------
    def _mark(self, fh: Any, client_ids: Iterable[str]) -> None:
        read = self._read(fh)
        entries, done = read.entries, read.done
        total = len(entries)
        done_ids = set(read.held) | read.released  # held back, or on the hub since
        acked = read.later | set(client_ids) | done_ids
        while done < total and entries[done].client_id in acked:
            done += 1
        ahead = [i for i in sent_past_others(entries[done:], acked) if i not in done_ids]
        kept = [line for line, _ in read.held.values()]  # in the sent mark too (below)
        # emptied only when every line was ours to read: lines another key wrote (a
        # second instance without a shared keyring) stay for that instance
        if done >= total and not self._unreadable:
            # the mark first: a crash before the file is emptied sends its entries again
            # (the hub answers each stored one), never takes a later entry for sent, and
            # the quarantined records it names are put back (``_read``)
            self._write_sent(0, [], kept)
            fh.seek(0)
            fh.truncate()
            fh.write(b"".join(line + b"\n" for line in kept))
            fh.flush()
            os.fsync(fh.fileno())
            return
        self._write_sent(done, ahead, kept)

    @contextmanager
    def _locked(self) -> Iterator[Any]:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        with self._lock, os.fdopen(fd, "r+b") as fh, file_lock(fh):
            yield fh

    def _read(self, fh: Any) -> _Read:
        done, later, kept = self._sent()
        entries, held, released = self._entries(fh)
        missing = []  # quarantined records a crash took out of the file while it was emptied
        for line in kept:
            record = self._decode(line)
            if isinstance(record, Held) and record.entry.client_id not in {*held, *released}:
                held[record.entry.client_id] = (line, record)
                missing.append(line)
        if missing:
            append_lines(fh, missing)
        return _Read(entries, done, later, held, released)

    def _sent(self) -> tuple[int, set[str], list[bytes]]:
        """How many leading entries are on the hub, the ids of later ones that are too, and
        the quarantined records (``q:`` lines). The file's first line is that count (all it
        held before owners were kept)."""
        try:
            lines = self.sent_path.read_text().split()
            done = int(lines[0]) if lines else 0
        except (OSError, ValueError):
            return 0, set(), []
        ids = {x for x in lines[1:] if not x.startswith("q:")}
        return done, ids, [x[2:].encode() for x in lines[1:] if x.startswith("q:")]

    def _write_sent(self, done: int, ahead: list[str], kept: list[bytes]) -> None:
        marks = [str(done), *ahead, *("q:" + line.decode() for line in kept)]
        write_private(self.sent_path, "\n".join(marks).encode())

    def _entries(self, fh: Any
                 ) -> tuple[list[OutboxEntry], dict[str, tuple[bytes, Held]], set[str]]:
        fh.seek(0)
        out: list[OutboxEntry] = []
        held: dict[str, tuple[bytes, Held]] = {}
        released: set[str] = set()
        lines = [raw for raw in fh.read().split(b"\n") if raw.strip()]
        self._unreadable = 0
        for raw in lines:
            entry = self._decode(raw)
            if isinstance(entry, OutboxEntry):
                out.append(entry)
            elif isinstance(entry, Held):  # a later record: refused again, the newer words
                held[entry.entry.client_id] = (raw.strip(), entry)
            elif entry.startswith(RELEASED + ":"):
                released.add(entry.removeprefix(RELEASED + ":"))
            elif entry == "foreign":  # whole, but sealed with another key
                self._unreadable += 1
        for client_id in released:
            held.pop(client_id, None)
        return out, held, released

    def _seal(self, record: dict[str, Any]) -> bytes:
        return self._lines.seal(record)

    def _decode(self, raw: bytes) -> OutboxEntry | Held | str:
        plain = self._lines.open(raw)
        if plain == "foreign":  # kept for the instance that has its key (audit_lines)
            log.warning("an audit outbox line sealed with another key was skipped")
            return "foreign"
        if plain == "torn":  # never readable: dropped when the outbox is emptied
            log.warning("a torn audit outbox line (killed writer, full disk) was skipped")
            return "torn"
        try:
            data = json.loads(plain)
            if QUARANTINED in data:
                return Held(_entry_of(data[QUARANTINED]), str(data.get("refusal", "")),
                            str(data.get("at", "")), str(data.get("hub", "")))
            if RELEASED in data:
                return f"{RELEASED}:{data[RELEASED]}"
            return _entry_of(data)
        except (ValueError, KeyError, TypeError, AttributeError):
            return "torn"


def _entry_of(data: dict[str, Any]) -> OutboxEntry:
    action, detail = str(data["action"]), dict(data.get("detail") or {})
    if action not in DESK_ACTIONS:  # written before the hub refused its own actions
        detail.setdefault("event", action)
        action = "other"
    return OutboxEntry(str(data["client_id"]), action, str(data.get("entity", "")), detail,
                       str(data.get("desk_ts", "")), str(data.get("owner") or ""))


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
    # the hub's version (``audit_refused.Identity``), read when a quarantine needs it; None:
    # not known (quarantined entries are then tried again only once a day)
    hub_id: Identity | None = None
    _retry: HeldRetry | None = field(default=None, repr=False)  # for this sender

    def record(self, action: str, **details: Any) -> OutboxEntry:
        entry = replace(make_entry(action, **details), owner=self.owner or "")
        self.outbox.append(entry)
        return entry

    async def flush(self) -> int:
        """Send every unsent entry ``owner`` may send, in order; returns how many went.
        An entry the hub refuses is settled alone (``audit_refused.deliver``); any other
        failure is raised (the entries stay and go next time). The owner and the sender are
        taken once, at the start: the whole flush goes with one session."""
        sent = 0
        async with self._lock():
            owner, send = self.owner, self.send
            if send is None:
                return 0
            while True:
                batch = (await asyncio.to_thread(self.outbox.unsent, owner))[:BATCH]
                if not batch:
                    return sent + await self._held().run(self.outbox, send, owner)
                # a refused entry goes reduced or is quarantined: never holds the rest back
                sent += await deliver(self.outbox, send, batch, self._held().hub)

    async def send_unwritten(self, entries: list[OutboxEntry]) -> set[str]:
        """Entries the outbox could not take (a full disk) straight to the hub: those
        ``owner`` may send, with its session, never in the middle of a flush (call it after
        one: the outbox's go first). Returns the ids the hub has (``audit_straight``)."""
        async with self._lock():
            if self.send is None:
                return set()
            return await send_straight(self.send, [e for e in entries
                                                   if sendable_by(e, self.owner)])

    async def hand_over(self, owner: str | None, send: Sender | None,
                        hub_id: Identity | None = None) -> None:
        """Another employee's session sends from now on: after a flush under way (it ends
        with the session it started with), never in the middle of one. A sign-in: their
        first flush tries the quarantined entries that are due again."""
        async with self._lock():
            self.owner, self.send = owner, send
            self.hub_id, self._retry = hub_id, None

    def _held(self) -> HeldRetry:
        if self._retry is None:
            self._retry = HeldRetry(self.hub_id)
        return self._retry

    def _lock(self) -> asyncio.Lock:
        if self._flush_lock is None:
            self._flush_lock = asyncio.Lock()
        lock: asyncio.Lock = self._flush_lock
        return lock


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if k not in PII_KEYS}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)  # Decimal, UUID, enums: their text
