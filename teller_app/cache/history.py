"""The account history a card last fetched, kept in the encrypted branch cache (issue 15) so
it shows offline after a restart, marked "as of" when it was fetched.

One row per (employee, account, filters): the rows as opaque JSON (the core layer writes and
reads it), and when they were fetched. A copy holds at most ``MAX_COPY_ROWS`` rows (the newest
the card fetched: the desk offline needs the recent payments, and a teller who scrolled to
40 000 rows rewrote megabytes a page), so the table is bounded: ``MAX_COPIES_PER_EMPLOYEE``
copies of at most ``MAX_COPY_ROWS`` rows each per employee. Only the employee who fetched a
copy reads it back; the file's wipe rules (another scope, another profile, a key that no
longer opens it) remove it with the rest of the cache. Call these on the cache thread
(``CacheWorker.with_cache``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from teller_app.cache.store import BranchCache

MAX_COPIES_PER_EMPLOYEE = 200  # oldest copies beyond this are dropped
MAX_COPY_ROWS = 500  # rows a copy holds at most (~0.3 MB of JSON)


def migration_history_copies(conn: Any) -> None:
    conn.execute(
        """CREATE TABLE IF NOT EXISTS history_copies(
            employee TEXT NOT NULL,
            account_guid TEXT NOT NULL,
            filter_key TEXT NOT NULL,
            fetched_at REAL NOT NULL,
            rows TEXT NOT NULL,
            PRIMARY KEY (employee, account_guid, filter_key)
        )"""
    )


def save_history(cache: BranchCache, employee: str, account_guid: str, filter_key: str,
                 fetched_at: float, rows: str, row_count: int) -> None:
    """Keep ``rows`` (``row_count`` rows as JSON) as this copy; more than ``MAX_COPY_ROWS``
    rows is refused (ValueError): the caller keeps only the newest."""
    if not 0 <= row_count <= MAX_COPY_ROWS:
        raise ValueError(f"a history copy holds at most {MAX_COPY_ROWS} rows, not {row_count}")
    conn = cache._conn  # this package's own cache object
    cache._begin()  # ends an open sync batch first
    try:
        conn.execute(
            "INSERT INTO history_copies(employee, account_guid, filter_key, fetched_at, rows) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(employee, account_guid, filter_key) DO UPDATE "
            "SET fetched_at = excluded.fetched_at, rows = excluded.rows",
            (employee, account_guid, filter_key, fetched_at, rows))
        conn.execute(
            "DELETE FROM history_copies WHERE employee = ? AND rowid NOT IN (SELECT rowid "
            "FROM history_copies WHERE employee = ? ORDER BY fetched_at DESC LIMIT ?)",
            (employee, employee, MAX_COPIES_PER_EMPLOYEE))
    except BaseException:
        cache._rollback()
        raise
    cache._commit()


def load_history(cache: BranchCache, employee: str, account_guid: str,
                 filter_key: str) -> tuple[float, str] | None:
    row = cache._conn.execute(
        "SELECT fetched_at, rows FROM history_copies WHERE employee = ? AND account_guid = ? "
        "AND filter_key = ?", (employee, account_guid, filter_key)).fetchone()
    return (float(row[0]), str(row[1])) if row is not None else None


def forget_history(cache: BranchCache, employee: str | None = None) -> int:
    """Drop the copies of one employee (all when None), e.g. on sign-out wipes."""
    cache._begin()
    try:
        if employee is None:
            done = cache._conn.execute("DELETE FROM history_copies")
        else:
            done = cache._conn.execute("DELETE FROM history_copies WHERE employee = ?",
                                       (employee,))
    except BaseException:
        cache._rollback()
        raise
    cache._commit()
    return int(done.rowcount or 0)
