"""Turning what a teller types into an FTS5 MATCH expression.

* words are AND-ed, each word is a prefix, in any column, in either script (the word and its
  transliterations are OR-ed: ``text.query_variants``, at most 8 a word, so a query grows
  linearly with its words; "Sergiy", "Olga", "Yulia" find "Сергій", "Ольга", "Юлія");
* ranking: tier 0 = surname starts with a query word, alphabetical (so an exact surname comes
  before longer ones: "шевченко андрій" < "шевченкова"); then the other matches by bm25 with
  column weights (surname > name > the rest) when there are at most ``RANK_LIMIT`` of them,
  else in cache order (bm25 costs ~3 us per match with the row fetch: 3 000 first-name
  matches took 12 ms of CPU at 100 000 customers, and keystroke -> painted rows has 16 ms
  in all, the paint included);
* digit strings (``+380 67 123``) search phone/login/IBAN digit prefixes (an IBAN's BBAN and
  account number) and phone/IBAN suffixes;
* IBAN-looking input (``UA21 3223 ...``, ``ua21-3223``) is compacted into one IBAN prefix
  (or a login's word: "ab12cd" looks like one too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from teller_app.cache.text import (
    IBAN_GAPS,
    MARKED_LETTERS,
    collate,
    digits,
    fold,
    nfc,
    query_variants,
)
from teller_app.cache.translit import APOSTROPHES

_GUID = re.compile(
    r"^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$", re.IGNORECASE
)
_PHONEISH = re.compile(r"^\+?[\d\s()\-.]+$")
# letters after the check digits (a BBAN may have them) or dashes between digit groups, not
# both: "kv01-olena" is a login's words, "UA21-3223-1300" an IBAN typed with dashes
_IBANISH = re.compile(r"^[A-Za-z]{2}\d{2}(?:[\dA-Za-z\s]*|[\d\s\-]*)$")
MIN_IBAN_PART = 5  # characters of an IBAN-looking query, at least (less: a word, "ua21")
# a word with its apostrophes and combining marks (one NFC cannot compose: ``text.NAME_WORD``)
_WORDS = re.compile(rf"[\w\u0300-\u036f{re.escape(APOSTROPHES)}]+")
# What one query is searched by, at most: a paste of a page must not hold the cache thread
# (10 000 characters took ~0.9 s, 3 000 words ~5 s, mostly ``translit.to_cyrillic`` at
# ~20-40 us a Latin character). A customer is found by what fits well within these: a
# double surname, name and patronymic (~50 characters), a login (~30), an IBAN with its
# spaces (36), a phone. Only the first ones count, so the rows found are those of a shorter
# query: never fewer than the whole query would find. A word typed twice is one condition.
MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 12

# bm25 column weights: surname, name, paternal, login, phone, iban
RANK = "bm25(10.0, 4.0, 2.0, 2.0, 2.0, 2.0)"
RANK_LIMIT = 1000
# Sort-key ranges a one-word query is served from, at most; beyond, its tier 0 comes from
# FTS, sorted (a prefix with that many и/і is long, so has few matches).
MAX_RANGES = 32


def looks_like_guid(query: str) -> bool:
    """True for a customer/account GUID (with or without dashes/braces): the cache does not
    index GUIDs, so the caller asks the platform."""
    return bool(_GUID.match(query.strip()))


def _phrase(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _digit_query(d: str) -> str:
    # Every stored phone is indexed in full, national and subscriber form, so the digits as
    # typed are a prefix of one of them; a suffix is a prefix of the reversed digits (an
    # IBAN's too: ``text.iban_tokens``).
    rev = _phrase("r" + d[::-1])
    return f"({{phone login iban}} : {_phrase(d)}* OR {{phone iban}} : {rev}*)"


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """How to answer one query.

    ``match``: every matching customer. ``tier0``: the subset whose surname starts with one of
    the query words (shown first, alphabetically); None for phone/IBAN queries. ``ranges``:
    for a one-word query, ``sort_key`` ranges equal to tier 0 (served straight from the
    ``customers_sort`` index, no FTS, no sorting), in ascending order, non-overlapping."""

    match: str
    tier0: str | None = None
    ranges: tuple[tuple[str, str], ...] = ()

    @property
    def rest(self) -> str:
        """Matches outside tier 0."""
        return self.match if self.tier0 is None else f"({self.match}) NOT ({self.tier0})"


_TOP = "\U0010ffff"


def _sort_spellings(prefix: str) -> list[str] | None:
    """The spellings of a folded ``prefix`` in sort keys, which tell й, ї from и, і (``fold``
    does not): each "и" as "и" or "й", each "і" as "і" or "ї". None: more than MAX_RANGES."""
    out = [""]
    for ch in prefix:
        marked = MARKED_LETTERS.get(ch)
        out = [o + c for o in out for c in ((ch, marked) if marked else (ch,))]
        if len(out) > MAX_RANGES:
            return None
    return out


def _ranges(prefixes: list[str]) -> tuple[tuple[str, str], ...]:
    keys: set[str] = set()
    for prefix in prefixes:
        spellings = _sort_spellings(prefix)
        if spellings is None:
            return ()
        keys.update(collate(s) for s in spellings)
    out: list[str] = []
    for p in sorted(keys):
        if not any(p.startswith(kept) for kept in out):
            out.append(p)
    if len(out) > MAX_RANGES:
        return ()  # tier 0 from FTS (SearchPlan.ranges empty)
    return tuple((p, p + _TOP) for p in out)


def looks_like_iban(query: str) -> bool:
    """True when ``query`` is searched as the start of an IBAN (``build_plan``): two
    letters, two digits and more, spaces or dashes between, ``MIN_IBAN_PART`` at least."""
    q = query.strip()
    return bool(_IBANISH.match(q)) and len(IBAN_GAPS.sub("", q)) >= MIN_IBAN_PART


def build_plan(query: str) -> SearchPlan | None:
    """The plan for ``query``; None for a blank query (list everything). The query is read
    in NFC (a pasted decomposed "й" is one letter of its word, as the index stores it) and
    only its first ``MAX_QUERY_CHARS`` characters and ``MAX_QUERY_WORDS`` words count."""
    q = nfc(query.strip()[:MAX_QUERY_CHARS].rstrip())
    if not q:
        return None
    d = digits(q)
    if _PHONEISH.match(q) and len(d) >= 3:
        return SearchPlan(_digit_query(d))
    if looks_like_iban(q):
        return SearchPlan("{iban login} : " + _phrase(fold(IBAN_GAPS.sub("", q))) + "*")
    groups: list[str] = []
    firsts: list[str] = []
    prefixes: list[str] = []
    seen: set[str] = set()
    for raw in _WORDS.findall(q)[:MAX_QUERY_WORDS]:
        if (typed := raw.casefold()) in seen:
            continue
        seen.add(typed)
        variants = query_variants(raw)
        if not variants:
            continue
        groups.append("(" + " OR ".join(_phrase(v) + "*" for v in variants) + ")")
        firsts += ["^" + _phrase(v) + "*" for v in variants]
        prefixes += variants
    if not groups:
        return None
    tier0 = "surname : (" + " OR ".join(firsts) + ")"
    return SearchPlan(" AND ".join(groups), tier0, _ranges(prefixes) if len(groups) == 1 else ())


def build_match(query: str) -> str | None:
    """FTS5 MATCH expression for all matches of ``query`` (None for a blank query)."""
    plan = build_plan(query)
    return None if plan is None else plan.match
