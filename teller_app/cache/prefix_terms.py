"""Long name prefixes as the few indexed terms they stand for (issue 12: search at 1 000 000).

FTS5 answers ``"андрій"*`` (longer than the 1-3 character prefix indexes) by merging the
doclists of every matching term into one sorted list before the first row comes out: a
common first name at 1 000 000 customers is ~100 000 rowids, read whole although the first
page shows 100 (and the count stops at 10 001). The same match written as the terms
themselves, ``("андрій" OR "андрійович" OR "андріївна")``, is an OR of exact terms, which
FTS5 iterates lazily in rowid order: same rows, same order, and ``LIMIT`` stops early.

The terms come from an ``fts5vocab`` table (per connection, in ``temp``: nothing is stored).
A prefix with more than ``MAX_TERMS`` terms (logins, digits) or none keeps its ``*`` form.
Only name plans (``tier0`` set) are rewritten; phone/IBAN plans are left as they are.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import sqlcipher3

from teller_app.cache.search import SearchPlan

Connection = Any  # sqlcipher3.dbapi2.Connection (untyped module)

MAX_TERMS = 16  # each costs one seek; names have 1-6 terms per prefix
INDEXED = 3  # customers_fts has prefix='1 2 3': those are served from the prefix index
_TOP = "\U0010ffff"
# A prefix phrase of the match ("text"*), not a first-token one (^"text"*).
_PREFIX = re.compile(r'(?<!\^)"((?:[^"]|"")+)"\*')
_VOCAB = "temp.customers_fts_terms"


def _terms(conn: Connection, prefix: str) -> list[str] | None:
    """The indexed terms starting with ``prefix``, or None (none, or more than MAX_TERMS).
    One ``LIMIT 1`` seek per term on the ``instance`` vocabulary: the ``row`` one counts each
    term's whole doclist (~5 ms for a common first name at 1 000 000), the skip costs ~0.1."""
    out: list[str] = []
    low = prefix
    while len(out) <= MAX_TERMS:
        try:
            row = conn.execute(
                f"SELECT term FROM {_VOCAB} WHERE term >= ? AND term < ? LIMIT 1",
                (low, prefix + _TOP),
            ).fetchone()
        except sqlcipher3.OperationalError as exc:  # the vocab table not made yet
            if "no such table" not in str(exc):
                raise
            conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {_VOCAB} "
                         "USING fts5vocab(main, customers_fts, instance)")
            continue
        if row is None:
            break
        out.append(str(row[0]))
        low = out[-1] + "\x01"  # the least text after this term (no term holds a NUL)
    return out if 0 < len(out) <= MAX_TERMS else None


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def expand(conn: Connection, plan: SearchPlan | None) -> SearchPlan | None:
    """``plan`` with each long prefix of its match spelled out as its indexed terms."""
    if plan is None or plan.tier0 is None:
        return plan

    def spell(m: re.Match[str]) -> str:
        prefix = m.group(1).replace('""', '"')
        if len(prefix) <= INDEXED:
            return m.group(0)
        terms = _terms(conn, prefix)
        if terms is None:
            return m.group(0)
        return "(" + " OR ".join(_quote(t) for t in terms) + ")"

    match = _PREFIX.sub(spell, plan.match)
    return plan if match == plan.match else dataclasses.replace(plan, match=match)
