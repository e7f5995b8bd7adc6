"""Migration 8: sort keys and search tokens of names as ``text.py`` makes them now.

Two things changed in what a stored row derives from its names: the sort key drops leading
and trailing spaces, quotes and other non-letters of each part ("  Іваненко", "«Іваненко»"
sorted before "А" and fell out of one-word results, whose surname-prefix tier is read from
the sort key), and U+2018 (‘) is an apostrophe like the others ("Мар‘яна" was indexed as two
words). Only the rows whose sort key changes can have different name tokens (an old key kept
the ‘ and the edge characters; a login with a ‘ is taken too), so only they are re-keyed and
re-indexed: one pass over the names, no full reindex.
"""

from __future__ import annotations

from typing import Any

from teller_app.cache import bulk_load
from teller_app.cache.fts_build import write_fts_rows
from teller_app.cache.text import sort_key

Connection = Any  # sqlcipher3.dbapi2.Connection (untyped module)

_CHUNK = 500  # ids per IN (...) list


def migration_name_rekey(conn: Connection) -> None:
    """Re-key the customers whose sort key is not ``sort_key(...)`` of their names, and
    rewrite their search rows (unless a bulk load will build the whole index anyway)."""
    changed: list[tuple[str, int]] = []
    ids: list[int] = []
    for row_id, surname, name, paternal, login, key in conn.execute(
        "SELECT id, surname, name, paternal_name, login, sort_key FROM customers"
    ):
        new = sort_key(surname, name, paternal)
        if new != key:
            changed.append((new, row_id))
            ids.append(row_id)
        elif "‘" in login:
            ids.append(row_id)
    conn.executemany("UPDATE customers SET sort_key = ? WHERE id = ?", changed)
    if not ids or bulk_load.pending(conn):
        return  # a pending bulk load's end build indexes every row from the stored values
    ids.sort()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT id, guid, surname, name, paternal_name, login, phone_number "
            f"FROM customers WHERE id IN ({marks}) ORDER BY id",
            chunk,
        ).fetchall()
        ibans: dict[str, list[str]] = {}
        for cg, iban in conn.execute(
            "SELECT a.customer_guid, a.iban FROM accounts a JOIN customers c "
            f"ON c.guid = a.customer_guid WHERE c.id IN ({marks})",
            chunk,
        ):
            ibans.setdefault(cg, []).append(iban)
        write_fts_rows(conn, rows, ibans)
