"""The search index's writes (FTS5 ``customers_fts``, rowid = ``customers.id``): reindexing
customers after an upsert and the full sync's queue of rows to index in batches
(``fts_pending``); the bulk load's build is ``fts_build.py``. A base class of ``CacheWrites``."""

from __future__ import annotations

from typing import Any

from teller_app.cache.fts_build import write_fts_rows
from teller_app.cache.store_read import CacheReads


class CacheIndexWrites(CacheReads):
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
        rows: list[Any] = []  # database rows
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
        write_fts_rows(self._conn, rows, ibans)
