"""SQLite storage for the sandbox: schema, one connection, transactions, the monotonic clock.

All request handlers run on the event-loop thread and use the single connection, so writes are
serialised by construction. Every handler that writes wraps its work in ``store.tx()``: one
``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any exception (never a partial write).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

T = TypeVar("T")

DB_NAME = "sandbox.db"
# The bank's Auth Service URLs (§2.5), stored as counterparty attributes; NULL = none.
BANK_AUTH_COLUMNS = ("user_auth_url", "user_key_url", "user_id_url")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counterparties (
    guid TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, asset_code TEXT NOT NULL,
    asset_issuer TEXT NOT NULL, auto_issue INTEGER NOT NULL DEFAULT 0,
    auto_burn INTEGER NOT NULL DEFAULT 0, teller_confirm_limit INTEGER NOT NULL,
    key_keeper_guid TEXT NOT NULL, key_keeper_login TEXT NOT NULL,
    emission_account_guid TEXT NOT NULL DEFAULT '',
    processing_account_guid TEXT NOT NULL DEFAULT '',
    mfo TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS branches (
    guid TEXT PRIMARY KEY, counterparty_guid TEXT NOT NULL, name TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (counterparty_guid, name));
CREATE TABLE IF NOT EXISTS employees (
    guid TEXT PRIMARY KEY, counterparty_guid TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
    login TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', surname TEXT NOT NULL DEFAULT '',
    paternal_name TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', branch_guid TEXT,
    is_disabled INTEGER NOT NULL DEFAULT 0, verified INTEGER NOT NULL DEFAULT 1,
    password_hash TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS permissions (
    guid TEXT PRIMARY KEY, keto_kind TEXT NOT NULL, keto_permission TEXT NOT NULL,
    scope TEXT NOT NULL, name TEXT NOT NULL, name_lang_key TEXT NOT NULL DEFAULT '',
    group_name TEXT NOT NULL DEFAULT '', group_lang_key TEXT NOT NULL DEFAULT '',
    group_sort_number INTEGER NOT NULL DEFAULT 0, sort_number INTEGER NOT NULL DEFAULT 0,
    UNIQUE (keto_kind, keto_permission, scope));
CREATE TABLE IF NOT EXISTS roles (
    counterparty_guid TEXT NOT NULL, name TEXT NOT NULL, branch_guid TEXT,
    created_at TEXT NOT NULL, PRIMARY KEY (counterparty_guid, name));
CREATE TABLE IF NOT EXISTS role_permissions (
    counterparty_guid TEXT NOT NULL, role_name TEXT NOT NULL, permission_guid TEXT NOT NULL,
    PRIMARY KEY (counterparty_guid, role_name, permission_guid));
CREATE TABLE IF NOT EXISTS employee_roles (
    employee_guid TEXT NOT NULL, role_name TEXT NOT NULL, PRIMARY KEY (employee_guid, role_name));
CREATE TABLE IF NOT EXISTS customers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL UNIQUE, counterparty_guid TEXT NOT NULL, login TEXT NOT NULL,
    external_id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', surname TEXT NOT NULL DEFAULT '',
    paternal_name TEXT NOT NULL DEFAULT '', phone_number TEXT NOT NULL DEFAULT '',
    branch_guid TEXT, segment TEXT NOT NULL DEFAULT '', kyc_level INTEGER NOT NULL DEFAULT 0,
    balance_allowed INTEGER NOT NULL DEFAULT 0, balance_asset_code TEXT NOT NULL DEFAULT '',
    balance_asset_issuer TEXT NOT NULL DEFAULT '', is_disabled INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'active', search TEXT NOT NULL DEFAULT '',
    synthetic INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (counterparty_guid, login));
CREATE INDEX IF NOT EXISTS ix_customers_created ON customers (counterparty_guid, created_at, guid);
CREATE INDEX IF NOT EXISTS ix_customers_updated ON customers (counterparty_guid, updated_at, guid);
CREATE INDEX IF NOT EXISTS ix_customers_branch
    ON customers (counterparty_guid, branch_guid, created_at, guid);
CREATE INDEX IF NOT EXISTS ix_customers_branch_upd
    ON customers (counterparty_guid, branch_guid, updated_at, guid);
CREATE INDEX IF NOT EXISTS ix_customers_surname ON customers (counterparty_guid, surname, guid);
CREATE INDEX IF NOT EXISTS ix_customers_phone ON customers (phone_number);
-- The clients' is_disabled probe counts disabled/enabled customers: a row lookup each
-- without this (~5 s per count at 1 000 000 customers).
CREATE INDEX IF NOT EXISTS ix_customers_disabled ON customers (counterparty_guid, is_disabled);
-- Substring search over the casefolded search column (rowid = customers.seq). Trigram FTS5
-- answers LIKE '%term%' from its index (terms of 3+ characters).
CREATE VIRTUAL TABLE IF NOT EXISTS customer_search USING fts5(search, tokenize='trigram');
CREATE TABLE IF NOT EXISTS accounts (
    guid TEXT PRIMARY KEY, counterparty_guid TEXT, wallet_user_guid TEXT NOT NULL,
    account_kind TEXT NOT NULL, iban TEXT NOT NULL DEFAULT '', stellar_address TEXT NOT NULL,
    branch_guid TEXT, asset_code TEXT NOT NULL, asset_issuer TEXT NOT NULL,
    balance INTEGER NOT NULL DEFAULT 0, account_type_guid TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_accounts_user ON accounts (wallet_user_guid);
CREATE INDEX IF NOT EXISTS ix_accounts_cp ON accounts (counterparty_guid, created_at);
CREATE INDEX IF NOT EXISTS ix_accounts_iban ON accounts (iban);
CREATE TABLE IF NOT EXISTS account_types (
    guid TEXT PRIMARY KEY, counterparty_guid TEXT NOT NULL, kind TEXT NOT NULL,
    asset_code TEXT NOT NULL, asset_issuer TEXT NOT NULL, segment_name TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS categories (
    guid TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT);
CREATE TABLE IF NOT EXISTS payments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT NOT NULL UNIQUE,
    counterparty_guid TEXT NOT NULL, sender_id TEXT NOT NULL, receiver_id TEXT NOT NULL,
    sender_kind TEXT NOT NULL, receiver_kind TEXT NOT NULL,
    sender_counterparty TEXT NOT NULL, receiver_counterparty TEXT NOT NULL,
    sender_branch_guid TEXT, receiver_branch_guid TEXT,
    sender_customer_guid TEXT, receiver_customer_guid TEXT,
    amount INTEGER NOT NULL, fee INTEGER NOT NULL DEFAULT 0, asset_code TEXT NOT NULL,
    asset_issuer TEXT NOT NULL, category_guid TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '', purpose TEXT NOT NULL DEFAULT '',
    target_balance INTEGER, external_transaction_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL, hash TEXT NOT NULL DEFAULT '', created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, confirmed_at TEXT, deleted_at TEXT);
CREATE INDEX IF NOT EXISTS ix_payments_cp ON payments (counterparty_guid, created_at);
CREATE INDEX IF NOT EXISTS ix_payments_sender ON payments (sender_id, status, confirmed_at);
CREATE INDEX IF NOT EXISTS ix_payments_receiver ON payments (receiver_id);
CREATE INDEX IF NOT EXISTS ix_payments_sc ON payments (sender_customer_guid, status, confirmed_at);
CREATE TABLE IF NOT EXISTS emission_balances (
    guid TEXT PRIMARY KEY, counterparty_guid TEXT NOT NULL, asset_code TEXT NOT NULL,
    emission_account_guid TEXT NOT NULL, reserve_balance_amount INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (counterparty_guid, asset_code));
CREATE TABLE IF NOT EXISTS emission_requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT NOT NULL UNIQUE,
    counterparty_guid TEXT NOT NULL, balance_guid TEXT NOT NULL, direction TEXT NOT NULL,
    asset_code TEXT NOT NULL, asset_issuer TEXT NOT NULL, requested_amount INTEGER NOT NULL,
    reserve_balance_amount INTEGER NOT NULL, status TEXT NOT NULL,
    issuer_payment_guid TEXT NOT NULL DEFAULT '', issuer_payment_hash TEXT NOT NULL DEFAULT '',
    emission_payment_guid TEXT NOT NULL DEFAULT '',
    emission_payment_hash TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '', updated_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS limits (
    guid TEXT PRIMARY KEY, counterparty_guid TEXT NOT NULL, scope TEXT NOT NULL,
    key TEXT NOT NULL, account_type_guid TEXT NOT NULL DEFAULT '', asset_code TEXT NOT NULL,
    asset_issuer TEXT NOT NULL, kind TEXT NOT NULL, period TEXT NOT NULL,
    period_key INTEGER NOT NULL DEFAULT 1, min INTEGER, max INTEGER,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (counterparty_guid, scope, key, asset_code, kind, period));
CREATE TABLE IF NOT EXISTS jwks (
    guid TEXT PRIMARY KEY, counterparty_guid TEXT NOT NULL, kid TEXT NOT NULL,
    data TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_jwks_kid ON jwks (kid);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY, employee_guid TEXT, counterparty_guid TEXT NOT NULL,
    mode TEXT NOT NULL, expires_at REAL NOT NULL, created_at TEXT NOT NULL);
"""


def new_guid() -> str:
    return str(uuid.uuid4())


def fmt_ts(dt: datetime) -> str:
    """RFC 3339, UTC, microseconds, ``Z`` — sorts lexicographically."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(text: str) -> str:
    """Parse an RFC 3339 timestamp (any offset, optional fraction) into the canonical form.
    Raises ValueError on garbage."""
    s = text.strip()
    if not s:
        raise ValueError("empty timestamp")
    dt = datetime.fromisoformat(s.replace("z", "Z"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return fmt_ts(dt)


class Store:
    """One SQLite connection (WAL) plus a strictly increasing clock."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / DB_NAME
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        for suffix in ("", "-wal", "-shm"):  # private whatever the caller's umask
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                side.chmod(0o600)
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=OFF")
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self.conn.execute("PRAGMA cache_size=-32000")
        self.conn.executescript(SCHEMA)
        self._add_columns("counterparties", BANK_AUTH_COLUMNS)
        self._last = datetime(2000, 1, 1, tzinfo=UTC)
        self._depth = 0
        self.version = 0  # bumped on every committed write transaction
        self._counts: dict[tuple[str, tuple[Any, ...]], tuple[int, int]] = {}
        self._derived: dict[Any, tuple[int, Any]] = {}
        self._asked: dict[Any, int] = {}
        self._sync_search()
        for table in ("customers", "payments", "employees", "branches", "accounts"):
            row = self.conn.execute(f"SELECT MAX(updated_at) FROM {table}").fetchone()
            if row[0]:
                self._last = max(self._last, datetime.fromisoformat(row[0]))

    def _add_columns(self, table: str, columns: tuple[str, ...]) -> None:
        """Columns added after a data dir was created (an older sandbox.db keeps working)."""
        have = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
        for col in columns:
            if col not in have:
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {col} TEXT")

    def _sync_search(self) -> None:
        """Rebuild the search index if it is out of step with the customers table."""
        have = self.scalar("SELECT COUNT(*) FROM customer_search")
        want = self.scalar("SELECT COUNT(*) FROM customers")
        if have != want:
            with self.tx():
                self.conn.execute("DELETE FROM customer_search")
                self.conn.execute("INSERT INTO customer_search (rowid, search) "
                                  "SELECT seq, search FROM customers")

    def index_customer_search(self, since_seq: int = 0, guid: str | None = None) -> None:
        """(Re)index customers with seq > since_seq, or the one customer ``guid``."""
        if guid is not None:
            seq = self.scalar("SELECT seq FROM customers WHERE guid = ?", (guid,))
            self.conn.execute("DELETE FROM customer_search WHERE rowid = ?", (seq,))
            self.conn.execute("INSERT INTO customer_search (rowid, search) "
                              "SELECT seq, search FROM customers WHERE seq = ?", (seq,))
            return
        self.conn.execute("INSERT INTO customer_search (rowid, search) "
                          "SELECT seq, search FROM customers WHERE seq > ?", (since_seq,))

    def close(self) -> None:
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self.conn.close()

    # -- clock -------------------------------------------------------------------------------
    def now_dt(self) -> datetime:
        now = datetime.now(UTC)
        if now <= self._last:
            now = self._last + timedelta(microseconds=1)
        self._last = now
        return now

    def advance_clock(self, at_least: datetime) -> None:
        """Bulk writers that stamp rows themselves move the clock past their last stamp."""
        if at_least > self._last:
            self._last = at_least

    def now(self) -> str:
        """A timestamp strictly greater than every one handed out before (also across
        restarts: the clock starts after the newest stored updated_at)."""
        return fmt_ts(self.now_dt())

    # -- transactions ------------------------------------------------------------------------
    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self._depth = 0
            self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self.conn.execute("COMMIT")
        self.version += 1

    # -- helpers -----------------------------------------------------------------------------
    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def cached_count(self, sql: str, params: Any = ()) -> int:
        """COUNT(*) results cached until the next write (paging re-asks the same total)."""
        key = (sql, tuple(params))
        hit = self._counts.get(key)
        if hit is not None and hit[0] == self.version:
            return hit[1]
        total = int(self.scalar(sql, params) or 0)
        if len(self._counts) > 256:
            self._counts.clear()
        self._counts[key] = (self.version, total)
        return total

    def cached(self, key: Any, build: Callable[[], T]) -> T:
        """``build()`` (a value derived from the data), kept until the next write."""
        hit = self._derived.get(key)
        if hit is not None and hit[0] == self.version:
            return cast(T, hit[1])
        value = build()
        if len(self._derived) >= 8:
            self._derived.pop(next(iter(self._derived)))
        self._derived[key] = (self.version, value)
        return value

    def cached_if_repeated(self, key: Any, build: Callable[[], T]) -> T | None:
        """Like ``cached``, but None the first time ``key`` is asked at this version (a
        one-off question is cheaper to answer directly than to build for)."""
        if self._asked.get(key) != self.version:
            if len(self._asked) > 256:
                self._asked.clear()
            self._asked[key] = self.version
            return None
        return self.cached(key, build)

    def drop_secondary_indexes(self, tables: tuple[str, ...]) -> list[str]:
        """Drop the named (non-unique, explicit) indexes of ``tables``; return their SQL."""
        marks = ",".join("?" * len(tables))
        rows = self.all(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                        f"tbl_name IN ({marks}) AND sql IS NOT NULL", tables)
        for row in rows:
            self.conn.execute(f'DROP INDEX "{row["name"]}"')
        return [str(row["sql"]) for row in rows]

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        return default if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
