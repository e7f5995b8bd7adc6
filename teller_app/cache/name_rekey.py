"""Migrations 8 and 9 (and 11): sort keys and search tokens of names as ``text.py`` makes
them now.

Two things changed in what a stored row derives from its names: the sort key drops leading
and trailing spaces, quotes and other non-letters of each part ("  Іваненко", "«Іваненко»"
sorted before "А" and fell out of one-word results, whose surname-prefix tier is read from
the sort key), and U+2018 (‘) is an apostrophe like the others ("Мар‘яна" was indexed as two
words). Only the rows whose sort key changes can have different name tokens (an old key kept
the ‘ and the edge characters; a login with a ‘ is taken too), so only they are re-keyed and
re-indexed: one pass over the names, no full reindex. Migration 9 puts the keys in Ukrainian
alphabetical order (``text.collate``) and leaves the search rows alone. Migration 11
re-indexes the names with a combining mark (a decomposed "и" + U+0306, a stress accent),
which the index had split into words ("и" "осипенко"): their sort keys were already right.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from teller_app.cache import bulk_load
from teller_app.cache.fts_build import write_fts_rows
from teller_app.cache.text import UNRANKED, collate, sort_key

Connection = Any  # sqlcipher3.dbapi2.Connection (untyped module)

_CHUNK = 500  # ids per IN (...) list
_SCAN = 20_000  # customers re-keyed per step


# Migration 8 keys as they were before migration 9 collated them: 8 stays what it was (only
# the few rows it changes are written, with the indexes in place), and 9 rewrites them all.
# Those keys were folded: й and ї as и and і (migration 10 tells them apart).
_BEFORE_COLLATION = {**UNRANKED, ord(collate("й")): "и", ord(collate("ї")): "і"}


def _key_before_collation(surname: str, name: str, paternal: str) -> str:
    return sort_key(surname, name, paternal).translate(_BEFORE_COLLATION)


def _rekey(conn: Connection, key_of: Callable[[str, str, str], str]) -> list[int]:
    """Set every customer's sort key to ``key_of`` their names, a chunk of ids at a time (a
    million keys are not held at once); the ids changed."""
    ids: list[int] = []
    last = 0
    while True:
        rows = conn.execute(
            "SELECT id, surname, name, paternal_name, sort_key FROM customers WHERE id > ? "
            "ORDER BY id LIMIT ?", (last, _SCAN),
        ).fetchall()
        if not rows:
            return ids
        changed = [(new, row_id) for row_id, surname, name, paternal, key in rows
                   if (new := key_of(surname, name, paternal)) != key]
        conn.executemany("UPDATE customers SET sort_key = ? WHERE id = ?", changed)
        ids += [row_id for _, row_id in changed]
        last = rows[-1][0]


def migration_collation_rekey(conn: Connection) -> None:
    """Migration 9: sort keys in Ukrainian alphabetical order (``text.collate``); і, ї, є
    and ґ sorted after я. The search tokens do not change. Nearly every key changes, so the
    indexes over it are dropped and built again after: a million updates in six indexes
    each cost ~10x more than one sorted build."""
    indexes = drop_sort_indexes(conn)
    _rekey(conn, sort_key)
    for sql in indexes:
        conn.execute(sql)


def drop_sort_indexes(conn: Connection) -> list[str]:
    """Drop the indexes of ``customers`` over ``sort_key``; their ``CREATE INDEX`` texts (none
    while a bulk load has dropped them)."""
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers' "
        "AND sql LIKE '%sort_key%'").fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in indexes]


def migration_name_rekey(conn: Connection) -> None:
    """Re-key the customers whose sort key is not what ``sort_key`` made of their names
    before migration 9, and rewrite their search rows (unless a bulk load will build the
    whole index anyway)."""
    ids = _rekey(conn, _key_before_collation)
    ids += [row_id for (row_id,) in conn.execute(
        "SELECT id FROM customers WHERE instr(login, '‘') > 0")]
    rewrite_search_rows(conn, sorted(set(ids)))


def rewrite_search_rows(conn: Connection, ids: list[int]) -> None:
    """Rewrite the search rows of these customers (ascending ids) from their stored values and
    accounts, unless a bulk load will build the whole index anyway."""
    if not ids or bulk_load.pending(conn):
        return  # a pending bulk load's end build indexes every row from the stored values
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


# A combining diacritical mark (U+0300..U+036F): a name stored decomposed (NFD "й", "ї") or
# with a stress accent NFC cannot compose. Only these names' tokens change (``text.NAME_WORD``)
_COMBINING = "*[\u0300-\u036f]*"


def migration_nfd_names(conn: Connection) -> None:
    """Migration 11: rewrite the search rows of the customers whose names have a combining
    mark (``text.name_tokens`` splits after NFC and keeps marks in their word now). One scan
    in SQL finds them (~nobody: the desk stores names composed; another channel may not)."""
    ids = [row_id for (row_id,) in conn.execute(
        "SELECT id FROM customers WHERE (surname || name || paternal_name) GLOB ?",
        (_COMBINING,))]
    rewrite_search_rows(conn, ids)
