"""Migration 10: sort keys and search rows as ``text.py`` makes them now (й, ї, ʹ, IBANs).

Three things changed in what a stored row derives from its values:

* the sort key tells й and ї from и and і (Ukrainian order и і ї й; ``text.sort_fold``), so
  the key of every name with a й or ї changes: often half the customers ("Андрій",
  "-ївна"). Those rows are found by one scan in SQL and re-keyed; past ``IN_PLACE_MAX``
  changed keys the indexes over the key are dropped and built again at the end, as
  migration 9 does (a key rewritten in six indexes costs more than its share of one sorted
  build). The search rows do not change: the search still folds й and ї.
* U+02B9 (ʹ), U+02BB (ʻ) and U+2032 (′) are apostrophes: names and logins with one get a
  new key and search row.
* the IBAN column holds more tokens (``text.iban_tokens``: account number, reversed BBAN):
  the customers with stored accounts (only those whose accounts this desk has read) get
  their search rows rewritten.

A pending bulk load builds the whole search index from the stored values at its end, so
then only the keys are written.
"""

from __future__ import annotations

from typing import Any

from teller_app.cache.name_rekey import drop_sort_indexes, rewrite_search_rows
from teller_app.cache.text import sort_key

Connection = Any  # sqlcipher3.dbapi2.Connection (untyped module)

IN_PLACE_MAX = 5_000  # keys rewritten with the indexes in place; more: dropped and rebuilt
_SCAN = 20_000  # candidate customers re-keyed per step
# A name whose key may change: й, ї (also decomposed: the breve and the diaeresis), and
# one whose search words may: the new apostrophes.
_NEW_APOSTROPHES = "ʹʻ′"
_MARKED = f"*[йЙїЇ{_NEW_APOSTROPHES}\u0306\u0308]*"
_PRIME = f"*[{_NEW_APOSTROPHES}]*"


def migration_marks_iban_rekey(conn: Connection) -> None:
    """Re-key the names with й, ї or a new apostrophe; rewrite the search rows of names and
    logins with a new apostrophe and of customers with accounts."""
    _rekey_marked(conn)
    ids = {row_id for (row_id,) in conn.execute(
        "SELECT DISTINCT c.id FROM customers c JOIN accounts a ON a.customer_guid = c.guid")}
    ids.update(row_id for (row_id,) in conn.execute(
        "SELECT id FROM customers WHERE (surname || name || paternal_name || login) GLOB ?",
        (_PRIME,)))
    rewrite_search_rows(conn, sorted(ids))


def _rekey_marked(conn: Connection) -> int:
    """Set the sort key of every customer whose names have a й, ї or a new apostrophe to
    ``sort_key`` of them, a chunk of ids at a time; the number of keys changed."""
    dropped: list[str] | None = None
    written = 0
    last = 0
    while True:
        rows = conn.execute(
            "SELECT id, surname, name, paternal_name, sort_key FROM customers WHERE id > ? "
            "AND (surname || name || paternal_name) GLOB ? ORDER BY id LIMIT ?",
            (last, _MARKED, _SCAN),
        ).fetchall()
        if not rows:
            break
        changed = [(new, row_id) for row_id, surname, name, paternal, key in rows
                   if (new := sort_key(surname, name, paternal)) != key]
        if dropped is None and written + len(changed) > IN_PLACE_MAX:
            dropped = drop_sort_indexes(conn)
        conn.executemany("UPDATE customers SET sort_key = ? WHERE id = ?", changed)
        written += len(changed)
        last = rows[-1][0]
    for sql in dropped or ():
        conn.execute(sql)
    return written
