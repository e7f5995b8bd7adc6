"""``BranchCache``: the encrypted SQLite branch cache (one connection, one thread)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlcipher3

from teller_app.cache import bulk_load, convert, paths, prefix_terms
from teller_app.cache.errors import CacheError, CacheIOError, CacheKeyError, CacheLockedError
from teller_app.cache.rows import (
    AccountRow,
    AssetRow,
    CacheStats,
    CustomerRow,
    SearchCount,
    SyncState,
)
from teller_app.cache.schema import migrate
from teller_app.cache.search import RANK_LIMIT, SearchPlan, build_plan
from teller_app.cache.text import iban_tokens, login_tokens, name_tokens, phone_tokens

KEY_BYTES = 32
BULK_WAL_MAX = 256 * 2**20  # full sync: checkpoint once the WAL is this big (store_page)
CHANGED_ONLY_MAX = 2_000  # rows per upsert written column by column (_upsert_changed)
FTS_BATCH = 20_000  # full sync: rows indexed per search-index batch (see store_page)
_COLS = ", ".join(convert.CUSTOMER_COLUMNS)
_UPSERT = (
    f"INSERT INTO customers({_COLS}) VALUES ({', '.join('?' * len(convert.CUSTOMER_COLUMNS))}) "
    "ON CONFLICT(guid) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in convert.CUSTOMER_COLUMNS if c != "guid")
    # An older copy (e.g. a sync page overlapping a teller's own fresh write) never wins.
    + " WHERE excluded.updated_at >= customers.updated_at"
)
_UPDATED = convert.CUSTOMER_COLUMNS.index("updated_at")
_ROW_COLS = (
    "c.guid, c.login, c.name, c.surname, c.paternal_name, c.phone_number, c.kyc_level, "
    "c.is_disabled, c.balance_allowed, c.segment, c.status, c.branch_guid, c.branch_name, "
    "c.created_at, c.updated_at, c.fetched_at"
)


def _row(r: Sequence[Any]) -> CustomerRow:
    return CustomerRow(
        wallet_user_guid=r[0],
        login=r[1],
        name=r[2],
        surname=r[3],
        paternal_name=r[4],
        phone_number=r[5],
        kyc_level=int(r[6]),
        is_disabled=bool(r[7]),
        balance_allowed=Decimal(r[8]),
        segment=r[9],
        status=r[10],
        branch_guid=r[11],
        branch_name=r[12],
        created_at=r[13],
        updated_at=r[14],
        fetched_at=float(r[15]),
    )


# SQLite primary result codes (https://sqlite.org/rescode.html).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 5, 6, 8, 10
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 13, 14, 26


def classify_error(db: Path, exc: BaseException) -> CacheError:
    """The cache error class for a SQLite/SQLCipher failure while opening ``db``."""
    code = int(getattr(exc, "sqlite_errorcode", -1) or -1) & 0xFF
    text = str(exc).lower()
    name = db.name
    if code == _SQLITE_NOTADB or "not a database" in text:
        return CacheKeyError(f"cannot open cache {name}: wrong key or not a cache")
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in text:
        return CacheLockedError(f"cache {name} is locked by another connection")
    if code == _SQLITE_FULL or "disk is full" in text:
        return CacheIOError(f"cache {name}: the disk is full", "disk_full")
    if code == _SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return CacheIOError(f"cache {name}: the file or folder is read-only", "read_only")
    if code == _SQLITE_CORRUPT:
        return CacheKeyError(f"cannot open cache {name}: the file is damaged")
    if code in (_SQLITE_IOERR, _SQLITE_CANTOPEN) or isinstance(exc, OSError):
        kind = _disk_state(db.parent)
        return CacheIOError(f"cache {name}: cannot read or write the file ({text[:80]})", kind)
    return CacheError(f"cache {name} cannot be opened ({text[:80]})")


def _disk_state(folder: Path) -> str:
    """"read_only" / "disk_full" when the folder's filesystem says so, else "io"."""
    import os

    try:
        vfs = os.statvfs(folder)
    except (OSError, AttributeError):  # AttributeError: Windows has no statvfs
        return "io"
    if vfs.f_flag & os.ST_RDONLY or not os.access(folder, os.W_OK):
        return "read_only"
    if vfs.f_bavail == 0:
        return "disk_full"
    return "io"


def _os_error(db: Path, exc: OSError) -> CacheIOError:
    import errno

    if exc.errno == errno.ENOSPC:
        return CacheIOError(f"cache {db.name}: the disk is full", "disk_full")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return CacheIOError(f"cache {db.name}: the folder is read-only", "read_only")
    return CacheIOError(f"cache {db.name}: cannot create the file ({exc.strerror})")


def _in_branch(branch_guid: str | None, alias: str = "c.") -> tuple[str, tuple[str, ...]]:
    """SQL ``AND`` clause + parameters restricting to one branch (head office's filter)."""
    if branch_guid is None:
        return "", ()
    return f" AND {alias}branch_guid = ?", (branch_guid,)


class BranchCache:
    """One branch (or head-office) cache database. Not thread-safe: use from one thread
    (``core.cache_worker.CacheWorker``)."""

    def __init__(self, conn: Any, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._secured = False
        self._batch_open = False
        self._bulk_wal = False  # wal_autocheckpoint off during a full sync (store_page)
        self._loading: bool | None = None  # a bulk load is under way (bulk_load); None: ask

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def open(cls, path: Path | str, key: bytes | None, *, busy_timeout: float = 5.0
             ) -> BranchCache:
        """Open (creating/migrating) the cache. ``key``: 32 raw bytes (SQLCipher); None =
        unencrypted (tests/dev). Errors are classified (the caller wipes only on the first):
        ``CacheKeyError`` wrong key or a foreign file; ``CacheLockedError`` still locked by
        another connection after ``busy_timeout`` s; ``CacheIOError`` read-only, full disk,
        permissions or I/O."""
        db = Path(path)
        if key is not None and len(key) != KEY_BYTES:
            raise ValueError(f"cache key must be {KEY_BYTES} bytes")
        try:
            if not db.exists():
                paths.create_private_file(db)
            else:
                paths.ensure_private_dir(db.parent)
        except OSError as exc:
            raise _os_error(db, exc) from exc
        try:
            conn = sqlcipher3.connect(str(db), isolation_level=None, check_same_thread=True,
                                      timeout=busy_timeout)
        except sqlcipher3.Error as exc:
            raise classify_error(db, exc) from exc
        try:
            if key is not None:
                conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -131072")  # 128 MiB of decrypted pages
            conn.execute("PRAGMA temp_store = MEMORY")
            migrate(conn)
        except sqlcipher3.Error as exc:
            conn.close()
            raise classify_error(db, exc) from exc
        except BaseException:
            conn.close()
            raise
        paths.secure_files(db)
        cache = cls(conn, db)
        cache._repair_bulk_load()
        return cache

    def _repair_bulk_load(self) -> None:
        """A bulk load's indexes still missing although its full sync is done: build them."""
        if bulk_load.pending(self._conn) and self.sync_state().full_sync_done:
            self._begin()
            try:
                bulk_load.finish(self._conn, self._index_rows)
            except BaseException:
                self._rollback()
                raise
            self._commit()

    def close(self) -> None:
        if self._conn is not None:
            self.flush()
            with contextlib.suppress(sqlcipher3.Error):
                self._conn.execute("PRAGMA optimize")
            self._conn.close()
            self._conn = None
            paths.secure_files(self.path)

    def integrity_check(self) -> str:
        return str(self._conn.execute("PRAGMA integrity_check").fetchone()[0])

    # ------------------------------------------------------------------ writes
    def _begin(self) -> None:
        self.flush()  # any other write first ends an open sync batch (store_page)
        self._conn.execute("BEGIN IMMEDIATE")

    def flush(self) -> None:
        """Commit the sync batch ``store_page(..., commit=False)`` left open, if any."""
        if self._batch_open:
            self._batch_open = False
            self._commit()

    def _commit(self) -> None:
        self._conn.execute("COMMIT")
        if not self._secured:
            # Once per connection, not per commit (4 chmods a sync page): SQLite creates the
            # -wal/-shm files with the database file's (0600) mode anyway; close() re-checks.
            paths.secure_files(self.path)
            self._secured = True

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def _upsert(self, customers: Iterable[Any], fetched_at: float, index: bool = True,
                fts: bool = True) -> list[str]:
        wires = [convert.customer_wire(c) for c in customers]
        values = [convert.customer_values(w, fetched_at) for w in wires]
        if not values:
            return []
        guids = [v[0] for v in values]
        if index and len(values) <= CHANGED_ONLY_MAX and len(set(guids)) == len(guids):
            self._upsert_changed(values)
        else:
            self._conn.executemany(_UPSERT, values)
        if not fts:
            pass  # a bulk load indexes every row at its end (bulk_load.finish)
        elif index:
            self._reindex(guids)
        else:
            self._defer_index(guids)
        return guids

    def _upsert_changed(self, values: list[tuple[Any, ...]]) -> None:
        """``_UPSERT`` for a few rows (an incremental sync, a teller's own write), writing only
        the columns that changed. SQLite rewrites the entry of every index on a column the
        SET names, changed or not: with the filter indexes, 100 changed KYC levels dirtied
        ~1 300 random encrypted pages (5 MB of WAL and a checkpoint per commit, ~250 ms on a
        busy machine) where ~300 are needed. Same result: new rows inserted, an older copy
        (``updated_at``) never wins, ``fetched_at`` always refreshed."""
        stored: dict[str, tuple[Any, ...]] = {}
        for start in range(0, len(values), 500):
            chunk = [v[0] for v in values[start : start + 500]]
            cur = self._conn.execute(
                f"SELECT {_COLS} FROM customers WHERE guid IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            stored.update((r[0], tuple(r)) for r in cur)
        fresh = [v for v in values if v[0] not in stored]
        if fresh:
            self._conn.executemany(_UPSERT, fresh)
        groups: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
        for v in values:
            old = stored.get(v[0])
            if old is None or v[_UPDATED] < old[_UPDATED]:
                continue
            changed = tuple(i for i in range(1, len(v)) if v[i] != old[i])
            if changed:
                groups.setdefault(changed, []).append(
                    (*(v[i] for i in changed), v[0], v[_UPDATED]))
        for changed, params in groups.items():
            sets = ", ".join(f"{convert.CUSTOMER_COLUMNS[i]} = ?" for i in changed)
            self._conn.executemany(
                f"UPDATE customers SET {sets} WHERE guid = ? AND ? >= updated_at", params)

    def _defer_index(self, guids: list[str]) -> None:
        """Queue these customers for ``_index_pending`` (same transaction as their rows)."""
        for start in range(0, len(guids), 500):
            chunk = guids[start : start + 500]
            self._conn.execute(
                "INSERT OR IGNORE INTO fts_pending(id) SELECT id FROM customers "
                f"WHERE guid IN ({','.join('?' * len(chunk))})",
                chunk,
            )

    def _index_pending(self, at_least: int = 1) -> None:
        """Index the queued customers if there are ``at_least`` of them."""
        if at_least > 1:
            n = int(self._conn.execute("SELECT count(*) FROM fts_pending").fetchone()[0])
        else:
            n = len(self._conn.execute("SELECT 1 FROM fts_pending LIMIT 1").fetchall())
        if n < at_least:
            return
        ibans: dict[str, list[str]] = {}
        for cg, iban in self._conn.execute(
            "SELECT a.customer_guid, a.iban FROM fts_pending p JOIN customers c ON c.id = p.id "
            "JOIN accounts a ON a.customer_guid = c.guid"
        ):
            ibans.setdefault(cg, []).append(iban)
        rows = self._conn.execute(
            "SELECT c.id, c.guid, c.surname, c.name, c.paternal_name, c.login, c.phone_number "
            "FROM fts_pending p JOIN customers c ON c.id = p.id ORDER BY p.id"
        ).fetchall()
        self._index_rows(rows, ibans)
        self._conn.execute("DELETE FROM fts_pending")

    def _reindex(self, guids: list[str]) -> None:
        """Rebuild the FTS rows of these customers from the stored values, in rowid order:
        FTS5 flushes its pending terms to a new segment whenever a rowid is not greater than
        the previous one, so guid (random) order cost ~6x per row in segment merges."""
        ibans: dict[str, list[str]] = {}
        rows: list[Any] = []
        for start in range(0, len(guids), 500):
            chunk = guids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for cg, iban in self._conn.execute(
                f"SELECT customer_guid, iban FROM accounts WHERE customer_guid IN ({marks})", chunk
            ):
                ibans.setdefault(cg, []).append(iban)
            rows += self._conn.execute(
                "SELECT id, guid, surname, name, paternal_name, login, phone_number "
                f"FROM customers WHERE guid IN ({marks})",
                chunk,
            ).fetchall()
        rows.sort(key=lambda r: int(r[0]))
        self._index_rows(rows, ibans)

    def _index_rows(self, rows: list[Any], ibans: dict[str, list[str]]) -> None:
        """(Re)write the FTS rows of ``(id, guid, surname, name, paternal_name, login,
        phone_number)`` rows, given in id order."""
        self._conn.executemany(
            "INSERT OR REPLACE INTO customers_fts(rowid, surname, name, paternal, login, "
            "phone, iban) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r[0],
                    name_tokens(r[2]),
                    name_tokens(r[3]),
                    name_tokens(r[4]),
                    login_tokens(r[5]),
                    phone_tokens(r[6]),
                    iban_tokens(ibans.get(r[1], [])),
                )
                for r in rows
            ],
        )

    def upsert_customers(self, customers: Iterable[Any], fetched_at: float | None = None) -> int:
        """Insert or update customers (platform ``Customer`` models or wire dicts) by
        ``wallet_user_guid``; a copy older than the stored one (``updated_at``) is ignored."""
        self._begin()
        try:
            n = len(self._upsert(customers, time.time() if fetched_at is None else fetched_at))
        except BaseException:
            self._rollback()
            raise
        self._commit()
        return n

    def upsert_accounts(
        self, customer_guid: str, accounts: Iterable[Any], fetched_at: float | None = None
    ) -> None:
        """Replace the stored accounts (with balances) of one customer."""
        at = time.time() if fetched_at is None else fetched_at
        values = [convert.account_values(customer_guid, convert.wire(a), at) for a in accounts]
        self._begin()
        try:
            self._conn.execute("DELETE FROM accounts WHERE customer_guid = ?", (customer_guid,))
            self._conn.executemany(
                "INSERT OR REPLACE INTO accounts(guid, customer_guid, iban, name, type, assets, "
                "fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            self._reindex([customer_guid])
        except BaseException:
            self._rollback()
            raise
        self._commit()

    def delete_customers(self, guids: Iterable[str]) -> int:
        """Forget customers (e.g. moved out of this branch)."""
        guids = list(guids)
        self._begin()
        try:
            n = 0
            for guid in guids:
                row = self._conn.execute("SELECT id FROM customers WHERE guid = ?", (guid,))
                found = row.fetchone()
                if found is None:
                    continue
                self._conn.execute("DELETE FROM customers_fts WHERE rowid = ?", (found[0],))
                self._conn.execute("DELETE FROM customers WHERE id = ?", (found[0],))
                self._conn.execute("DELETE FROM accounts WHERE customer_guid = ?", (guid,))
                n += 1
        except BaseException:
            self._rollback()
            raise
        self._commit()
        return n

    # ------------------------------------------------------------------ reconcile
    def store_reconcile_page(self, customers: Sequence[Any]) -> list[str]:
        """One page of a reconcile pass (``core.sync``): upsert the customers that are new or
        changed (a different ``updated_at``; an older copy still never wins) in one
        transaction, and return the GUIDs of every customer of the page, seen.
        Unchanged rows are not rewritten: a pass over 100 000 known rows writes ~nothing."""
        wires = [convert.customer_wire(c) for c in customers]
        seen = [convert.customer_guid(w) for w in wires]
        stored: dict[str, str] = {}
        for start in range(0, len(seen), 500):
            chunk = seen[start : start + 500]
            stored.update(
                self._conn.execute(
                    "SELECT guid, updated_at FROM customers "
                    f"WHERE guid IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            )
        changed = [
            w
            for g, w in zip(seen, wires, strict=True)
            if stored.get(g) != convert.canonical_ts(w.get("updated_at"))
        ]
        if changed:
            self.upsert_customers(changed)
        return seen

    def reconcile_candidates(self, seen: set[str], fetched_before: float) -> list[str]:
        """Cached customers a completed reconcile pass did not see, fetched before it began
        (a row stored since, e.g. by an incremental sync during the pass, is never one)."""
        return [
            g
            for g, at in self._conn.execute("SELECT guid, fetched_at FROM customers")
            if g not in seen and float(at) < fetched_before
        ]

    def finish_reconcile(self, guids: Iterable[str], fetched_before: float, at: float) -> int:
        """Delete these customers (with their accounts and search rows) unless stored again
        since ``fetched_before``, and record ``at`` as ``reconciled_at``: one transaction, so
        a killed pass deletes nothing and is simply due again."""
        guids = list(guids)
        self._begin()
        try:
            n = 0
            for guid in guids:
                found = self._conn.execute(
                    "SELECT id FROM customers WHERE guid = ? AND fetched_at < ?",
                    (guid, fetched_before),
                ).fetchone()
                if found is None:
                    continue
                self._conn.execute("DELETE FROM customers_fts WHERE rowid = ?", (found[0],))
                self._conn.execute("DELETE FROM fts_pending WHERE id = ?", (found[0],))
                self._conn.execute("DELETE FROM customers WHERE id = ?", (found[0],))
                self._conn.execute("DELETE FROM accounts WHERE customer_guid = ?", (guid,))
                n += 1
            self._conn.execute("UPDATE sync_state SET reconciled_at = ? WHERE id = 1", (at,))
        except BaseException:
            self._rollback()
            raise
        self._commit()
        return n

    # ------------------------------------------------------------------ sync state
    def sync_state(self) -> SyncState:
        r = self._conn.execute(
            "SELECT cursor, tie_skip, full_sync_done, full_sync_started_at, last_sync_at, "
            "read_at, reconciled_at FROM sync_state WHERE id = 1"
        ).fetchone()
        return SyncState(r[0], int(r[1]), bool(r[2]), r[3], r[4], r[5], r[6])

    def _write_state(self, s: SyncState) -> None:
        self._conn.execute(
            "UPDATE sync_state SET cursor = ?, tie_skip = ?, full_sync_done = ?, "
            "full_sync_started_at = ?, last_sync_at = ?, read_at = ?, reconciled_at = ? "
            "WHERE id = 1",
            (
                s.cursor,
                s.tie_skip,
                int(s.full_sync_done),
                s.full_sync_started_at,
                s.last_sync_at,
                s.read_at,
                s.reconciled_at,
            ),
        )

    def set_sync_state(self, state: SyncState) -> None:
        self._begin()
        try:
            self._write_state(state)
        except BaseException:
            self._rollback()
            raise
        self._commit()

    def store_page(self, customers: Sequence[Any], state: SyncState, commit: bool = True) -> None:
        """Upsert one sync page and the new sync state in ONE transaction (a kill between
        pages leaves a consistent cache and a cursor that matches it).

        ``commit=False`` (full sync) leaves the transaction open and the next page joins it:
        a 1000-row commit rewrites ~2 000 encrypted pages of the random-key indexes (guid,
        sort key) and the WAL checkpoints them again, a 10 000-row one barely more. The
        cursor is still written with its rows, so a kill loses only the uncommitted pages
        and their cursor together. Any other write, ``flush()`` and ``close()`` commit it.

        During a full sync the WAL is not checkpointed after every ~4 MB (each checkpoint
        re-encrypts pages the next batch rewrites anyway: ~25 % of a 100 000-row sync), only
        when it has grown past ``BULK_WAL_MAX``; the page that completes it checkpoints."""
        bulk = not state.full_sync_done
        if bulk and not self._bulk_wal:
            self._conn.execute("PRAGMA wal_autocheckpoint = 0")
            self._bulk_wal = True
        if not self._batch_open:
            self._begin()
        self._batch_open = False
        try:
            # An unfinished full sync (cache cold: search goes to the platform) indexes the
            # search in batches of FTS_BATCH rows: FTS5 costs ~2x per row in 1000-row commits
            # (segment flushes and merges). The queue is a table, so a kill loses nothing.
            if self._loading is None:
                self._loading = (bulk_load.start_if_empty(self._conn) if bulk
                                 else bulk_load.pending(self._conn))
            if self._loading:
                self._upsert(customers, time.time(), fts=False)
                if not bulk:
                    bulk_load.finish(self._conn, self._index_rows)
            else:
                self._upsert(customers, time.time(), index=not bulk)
                self._index_pending(FTS_BATCH if bulk else 1)
            self._write_state(state)
        except BaseException:
            self._loading = None  # the drop or the build may have been rolled back
            self._rollback()
            raise
        if not bulk:
            self._loading = False
        if commit:
            self._commit()
            if self._bulk_wal and not bulk:
                self._bulk_wal = False
                self._conn.execute("PRAGMA wal_autocheckpoint = 1000")
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            elif self._bulk_wal and self._wal_bytes() > BULK_WAL_MAX:
                # Never checkpointed, a 1 000 000-customer sync grew a 10 GB WAL (every
                # batch appends the pages it rewrites): checkpoint past this size instead.
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            self._batch_open = True

    def _wal_bytes(self) -> int:
        try:
            return self.path.with_name(self.path.name + "-wal").stat().st_size
        except OSError:
            return 0

    def mark_synced(self, at: float | None = None) -> None:
        """Record a successful sync (the "age of the data")."""
        self._conn.execute(
            "UPDATE sync_state SET last_sync_at = ? WHERE id = 1",
            (time.time() if at is None else at,),
        )

    # ------------------------------------------------------------------ reads
    def search(
        self, query: str, offset: int = 0, limit: int = 100, branch_guid: str | None = None
    ) -> list[CustomerRow]:
        """Ranked matches for ``query`` (see ``teller_app.cache`` docstring); blank query =
        ``customers_page``. Rows ``offset .. offset+limit`` of the whole ranked list.
        ``branch_guid``: only that branch's customers (head office with a chosen branch)."""
        plain = build_plan(query)
        plan = prefix_terms.expand(self._conn, plain)  # same rows, no bm25 (prefix_terms)
        if plan is None or plain is None:
            return self.customers_page(offset, limit, branch_guid=branch_guid)
        rows: list[CustomerRow] = []
        n0 = 0
        if plan.tier0 is not None:
            # The first page (every keystroke) needs no count of tier 0: at 1 000 000
            # customers counting a one-letter surname range costs more than a frame.
            n0 = self._tier0_count(plan, branch_guid) if offset else 0
            if offset < n0 or not offset:
                rows += self._tier0_rows(plan, offset, limit, branch_guid)
        want = limit - len(rows)
        if want > 0:
            # No tier 0 at all (a first name typed): no NOT clause for FTS to evaluate.
            no_tier0 = n0 == 0 if offset else not rows
            rest = plan.match if no_tier0 else plan.rest
            rows += self._rest_rows(rest, max(0, offset - n0), want, branch_guid,
                                    plain.match if no_tier0 else plain.rest)
        return rows

    def _fts_count(self, match: str, cap: int, branch_guid: str | None = None) -> int:
        if branch_guid is None:
            sql = (
                "SELECT count(*) FROM (SELECT 1 FROM customers_fts WHERE customers_fts MATCH ? "
                "LIMIT ?)"
            )
            return int(self._conn.execute(sql, (match, cap)).fetchone()[0])
        return int(
            self._conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM customers c WHERE c.id IN (SELECT rowid "
                "FROM customers_fts WHERE customers_fts MATCH ?) AND c.branch_guid = ? LIMIT ?)",
                (match, branch_guid, cap),
            ).fetchone()[0]
        )

    def _range_count(self, lo: str, hi: str, branch_guid: str | None) -> int:
        where, params = _in_branch(branch_guid, "")
        return int(
            self._conn.execute(
                f"SELECT count(*) FROM customers WHERE sort_key >= ? AND sort_key < ?{where}",
                (lo, hi, *params),
            ).fetchone()[0]
        )

    def _tier0_count(self, plan: SearchPlan, branch_guid: str | None = None) -> int:
        if plan.ranges:
            return sum(self._range_count(lo, hi, branch_guid) for lo, hi in plan.ranges)
        return self._fts_count(f"({plan.match}) AND ({plan.tier0})", 1_000_000_000, branch_guid)

    def _tier0_rows(
        self, plan: SearchPlan, offset: int, limit: int, branch_guid: str | None = None
    ) -> list[CustomerRow]:
        """Surname-prefix matches, alphabetical: straight from the sort index for one word."""
        where, params = _in_branch(branch_guid)
        out: list[CustomerRow] = []
        if not plan.ranges:
            cur = self._conn.execute(
                f"SELECT {_ROW_COLS} FROM customers c WHERE c.id IN (SELECT rowid FROM "
                f"customers_fts WHERE customers_fts MATCH ?){where} ORDER BY c.sort_key, c.id "
                "LIMIT ? OFFSET ?",
                (f"({plan.match}) AND ({plan.tier0})", *params, limit, offset),
            )
            return [_row(r) for r in cur]
        for lo, hi in plan.ranges:
            if len(out) >= limit:
                break
            if offset:  # skipping whole ranges needs their sizes; the first page does not
                n = self._range_count(lo, hi, branch_guid)
                if offset >= n:
                    offset -= n
                    continue
            cur = self._conn.execute(
                f"SELECT {_ROW_COLS} FROM customers c WHERE c.sort_key >= ? AND c.sort_key < ?"
                f"{where} ORDER BY c.sort_key, c.id LIMIT ? OFFSET ?",
                (lo, hi, *params, limit - len(out), offset),
            )
            out += [_row(r) for r in cur]
            offset = 0
        return out

    def _rest_rows(
        self, match: str, offset: int, limit: int, branch_guid: str | None = None,
        ranked_match: str | None = None,
    ) -> list[CustomerRow]:
        """Other matches: bm25 when few enough to rank within a frame, else cache order.
        ``ranked_match``: the same match as FTS5 prefixes, for bm25 (its scores differ)."""
        if branch_guid is None:
            # One pass over the match (a short prefix of a common name is ~100 000 matches
            # at 1 000 000 customers, ~10 ms a pass): its first ids both decide the ranking
            # and, when there are too many to rank, are the page.
            ids = [r[0] for r in self._conn.execute(
                "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ? LIMIT ?",
                (match, RANK_LIMIT + 1))]
            if len(ids) > RANK_LIMIT and offset + limit <= len(ids):
                page = ids[offset:offset + limit]
                marks = ",".join("?" * len(page))
                cur = self._conn.execute(
                    f"SELECT {_ROW_COLS} FROM customers c WHERE c.id IN ({marks}) ORDER BY c.id",
                    page)
                return [_row(r) for r in cur]
            ranked = len(ids) <= RANK_LIMIT
        else:
            ranked = self._fts_count(match, RANK_LIMIT + 1, branch_guid) <= RANK_LIMIT
        if ranked and ranked_match is not None:
            match = ranked_match
        if branch_guid is not None:
            order = "ORDER BY f.rank, c.id" if ranked else "ORDER BY c.id"
            cur = self._conn.execute(
                f"SELECT {_ROW_COLS} FROM (SELECT rowid AS id, rank FROM customers_fts "
                "WHERE customers_fts MATCH ?) f JOIN customers c ON c.id = f.id "
                f"WHERE c.branch_guid = ? {order} LIMIT ? OFFSET ?",
                (match, branch_guid, limit, offset),
            )
            return [_row(r) for r in cur]
        order = "ORDER BY rank" if ranked else ""
        cur = self._conn.execute(
            f"SELECT {_ROW_COLS} FROM (SELECT rowid AS id, rank FROM customers_fts "
            f"WHERE customers_fts MATCH ? {order} LIMIT ? OFFSET ?) f "
            "JOIN customers c ON c.id = f.id ORDER BY " + ("f.rank" if ranked else "f.id"),
            (match, limit, offset),
        )
        return [_row(r) for r in cur]

    def count(
        self, query: str, cap: int = 10_000, branch_guid: str | None = None
    ) -> SearchCount:
        """Number of matches, counted up to ``cap`` (``capped`` = "cap or more")."""
        plan = prefix_terms.expand(self._conn, build_plan(query))
        if plan is None:
            where, params = _in_branch(branch_guid, "")
            sql = "SELECT count(*) FROM customers WHERE 1" + where
            n = int(self._conn.execute(sql, params).fetchone()[0])
            return SearchCount(n, False)
        n = self._fts_count(plan.match, cap + 1, branch_guid)
        return SearchCount(min(n, cap), n > cap)

    def customers_page(
        self, offset: int = 0, limit: int = 100, branch_guid: str | None = None
    ) -> list[CustomerRow]:
        """All customers sorted by surname, name, paternal name (accent/case-folded);
        ``branch_guid``: only that branch's."""
        where, params = _in_branch(branch_guid)
        cur = self._conn.execute(
            f"SELECT {_ROW_COLS} FROM customers c WHERE 1{where} ORDER BY c.sort_key, c.id "
            "LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_row(r) for r in cur]

    def get_customer(self, guid: str) -> CustomerRow | None:
        r = self._conn.execute(f"SELECT {_ROW_COLS} FROM customers c WHERE c.guid = ?", (guid,))
        found = r.fetchone()
        return None if found is None else _row(found)

    def get_customer_extra(self, guid: str) -> dict[str, Any]:
        """Wire fields the cache does not model (e.g. balance_asset_code)."""
        r = self._conn.execute("SELECT extra FROM customers WHERE guid = ?", (guid,)).fetchone()
        return {} if r is None else dict(json.loads(r[0]))

    def get_accounts(self, guid: str) -> list[AccountRow]:
        out: list[AccountRow] = []
        for r in self._conn.execute(
            "SELECT guid, customer_guid, iban, name, type, assets, fetched_at FROM accounts "
            "WHERE customer_guid = ? ORDER BY iban, guid",
            (guid,),
        ):
            assets = tuple(
                AssetRow(
                    code=a["code"],
                    name=a["name"],
                    balance=Decimal(a["balance"]),
                    minor_unit=int(a["minor_unit"]),
                    stellar_code=a["stellar_code"],
                    stellar_issuer=a["stellar_issuer"],
                )
                for a in json.loads(r[5])
            )
            out.append(AccountRow(r[0], r[1], r[2], r[3], r[4], assets, float(r[6])))
        return out

    def accounts_fetched_at(self, guid: str) -> float | None:
        r = self._conn.execute(
            "SELECT max(fetched_at) FROM accounts WHERE customer_guid = ?", (guid,)
        ).fetchone()
        return None if r[0] is None else float(r[0])

    def all_guids(self) -> set[str]:
        return {r[0] for r in self._conn.execute("SELECT guid FROM customers")}

    def stats(self) -> CacheStats:
        n = int(self._conn.execute("SELECT count(*) FROM customers").fetchone()[0])
        s = self.sync_state()
        return CacheStats(n, s.last_sync_at, s.full_sync_done)

    def is_cold(self) -> bool:
        """True until a first full sync has completed (search then goes to the platform)."""
        return not self.sync_state().full_sync_done

    def __enter__(self) -> BranchCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["BranchCache", "CacheError", "CacheKeyError"]
