"""Decomposed letters (NFD "и" + U+0306 for "й", "І" + U+0308 for "Ї", as pasted from a PDF
or written by another channel) are one word with the rest of theirs, in the index and in a
query: a pasted NFD "Йосипенко" finds the composed one, an NFD-stored "Ївга" is found by a
typed "Ївга" or "Ivha", and page and count agree. A name with a stress accent (which NFC
cannot compose) is one word too. Names indexed split before this are re-indexed by
``name_rekey.migration_nfd_names``. Real SQLCipher files."""

from __future__ import annotations

import unicodedata

import pytest

from teller_app.cache import BranchCache
from teller_app.cache.name_rekey import migration_nfd_names
from tests.cache.conftest import cust, guids


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _fill(c: BranchCache) -> None:
    c.upsert_customers([
        cust("nfc", "Йосипенко", "Ївга"),
        cust("nfd", nfd("Йосипенко"), nfd("Ївга")),
        cust("other", "Коваль", "Андрій"),
        cust("stress", "Петре\u0301нко", "Оле\u0301на"),
    ])


CASES = [
    ("Йосипенко", ["nfc", "nfd"]),
    (nfd("Йосипенко"), ["nfc", "nfd"]),
    ("Ївга", ["nfc", "nfd"]),
    (nfd("Ївга"), ["nfc", "nfd"]),
    ("Ivha", ["nfc", "nfd"]),
    ("Yosypenko", ["nfc", "nfd"]),
    (nfd("Йосипенко Ївга"), ["nfc", "nfd"]),
    ("Петренко Олена", ["stress"]),
    ("Olena", ["stress"]),
    ("Оле\u0301на", ["stress"]),
]


@pytest.mark.parametrize(("query", "want"), CASES)
def test_decomposed_letters_stay_in_their_word(cache: BranchCache, query: str,
                                               want: list[str]) -> None:
    _fill(cache)
    found = guids(cache.search(query, 0, 100))
    assert sorted(found) == want, query
    assert cache.count(query).n == len(found), query  # page and count agree


def test_names_indexed_split_are_reindexed(cache: BranchCache) -> None:
    _fill(cache)
    conn = cache._conn
    conn.execute("BEGIN IMMEDIATE")
    for guid, surname, name in (("nfd", "и y осипенко osypenko", "і i вга vha"),
                                ("stress", "петре petre нко nko", "оле ole на na")):
        conn.execute(  # the search row the code before NFC wrote: a word split at its mark
            "INSERT OR REPLACE INTO customers_fts(rowid, surname, name, paternal, login, "
            "phone, iban) SELECT id, ?, ?, '', '', '', '' FROM customers WHERE guid = ?",
            (surname, name, guid))
    conn.execute("COMMIT")
    assert guids(cache.search("Ївга", 0, 100)) == ["nfc"]
    conn.execute("BEGIN IMMEDIATE")
    migration_nfd_names(conn)
    conn.execute("COMMIT")
    for query, want in CASES:
        assert sorted(guids(cache.search(query, 0, 100))) == want, query
    assert guids(cache.search("Коваль", 0, 100)) == ["other"]
    conn.execute("INSERT INTO customers_fts(customers_fts) VALUES ('integrity-check')")
