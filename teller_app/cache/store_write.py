"""``BranchCache``'s writes: upserts (customers by ``wallet_user_guid``, an older copy never
wins; accounts), deletes, the reconcile pass's pages and the sync state with its pages
(``store_page``). A base class of ``BranchCache`` (``cache/store.py``); the search index's
writes are ``store_index.py``."""

from __future__ import annotations

import time
from collections.abc import Container, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

from teller_app.cache import bulk_load, convert, fts_build, paths
from teller_app.cache.connect import page_hmac
from teller_app.cache.rows import SyncState
from teller_app.cache.store_index import CacheIndexWrites

if TYPE_CHECKING:
    from teller_app.platform.models import AccountWithAssets, Customer

# What may be cached: a platform model or its wire dict (JSON: a ``CustomerRecord`` of a sync).
CustomerIn = Union["Customer", Mapping[str, Any]]
AccountIn = Union["AccountWithAssets", Mapping[str, Any]]
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


def _differs(stored: tuple[str, str] | None, wire: Mapping[str, Any]) -> bool:
    if stored is None or stored[0] != convert.canonical_ts(wire.get("updated_at")):
        return True
    return "branch_name" in wire and (wire["branch_name"] or "") != stored[1]


class CacheWrites(CacheIndexWrites):
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

    def _upsert(self, customers: Iterable[CustomerIn], fetched_at: float,
                index: bool = True, fts: bool = True) -> list[str]:
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

    def upsert_customers(self, customers: Iterable[CustomerIn],
                         fetched_at: float | None = None) -> int:
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
        self, customer_guid: str, accounts: Iterable[AccountIn], fetched_at: float | None = None
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
    def store_reconcile_page(self, customers: Sequence[CustomerIn]) -> list[str]:
        """One page of a reconcile pass (``core.sync``): upsert the customers that are new or
        changed (a different ``updated_at``; an older copy still never wins) in one
        transaction, and return the GUIDs of every customer of the page, seen.
        Unchanged rows are not rewritten: a pass over 100 000 known rows writes ~nothing.
        A branch renamed on the platform leaves its customers' ``updated_at`` alone, so the
        branch name is compared too: the daily pass carries a rename into every row."""
        wires = [convert.customer_wire(c) for c in customers]
        seen = [convert.customer_guid(w) for w in wires]
        stored: dict[str, tuple[str, str]] = {}
        for start in range(0, len(seen), 500):
            chunk = seen[start : start + 500]
            stored.update(
                (g, (u, b)) for g, u, b in self._conn.execute(
                    "SELECT guid, updated_at, branch_name FROM customers "
                    f"WHERE guid IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
            )
        changed = [w for g, w in zip(seen, wires, strict=True) if _differs(stored.get(g), w)]
        if changed:
            self.upsert_customers(changed)
        return seen

    def reconcile_candidates(self, seen: Container[str], fetched_before: float) -> list[str]:
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

    def store_page(self, customers: Sequence[CustomerIn], state: SyncState,
                   commit: bool = True) -> None:
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
        finishing = False
        try:
            # An unfinished full sync (cache cold: search goes to the platform) indexes the
            # search in batches of FTS_BATCH rows: FTS5 costs ~2x per row in 1000-row commits
            # (segment flushes and merges). The queue is a table, so a kill loses nothing.
            if self._loading is None:
                self._loading = (bulk_load.start_if_empty(self._conn) if bulk
                                 else bulk_load.pending(self._conn))
            if self._loading:
                self._upsert(customers, time.time(), fts=False)
                finishing = not bulk  # built once these rows are committed
            else:
                self._upsert(customers, time.time(), index=not bulk)
                self._index_pending(FTS_BATCH if bulk else 1)
            self._write_state(state)
        except BaseException:
            self._loading = None  # the drop may have been rolled back
            self._rollback()
            raise
        if commit or finishing:
            self._commit()
            if finishing:
                self._finish_bulk_load()
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
        if not bulk:
            self._loading = False

    def _finish_bulk_load(self) -> None:
        """Build what the bulk load left out (``bulk_load.finish``), its rows committed: the
        secondary indexes here, the search index on a second connection at the same time."""
        try:
            bulk_load.finish(self._conn, fts_build.FtsBuild(
                self.path, self._key, page_hmac(self._conn)))
        finally:
            self._loading = None  # ask again: done, or left for the next page or open

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
