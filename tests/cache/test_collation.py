"""The cache sorts names in Ukrainian alphabetical order (``text.collate``, migration 9): by
code point і, ї, є and ґ come after я, so every "Іваненко" was listed after "Яковенко".
Real SQLCipher file; the one-word search ranges (tier 0 served from the sort index) follow
the same order, and a cache keyed before migration 9 is re-keyed once on open."""

from __future__ import annotations

from pathlib import Path

from teller_app.cache import BranchCache
from teller_app.cache.schema import MIGRATIONS
from teller_app.cache.text import RANK_BASE, UKRAINIAN_ORDER, collate, fold
from tests.cache.conftest import cust, guids

# Surnames in the order a Ukrainian reader expects (а б в г ґ д е є ж з и і ї й к … ь ю я).
# ї and й are letters of their own in the key (migration 10), although the search folds them
# into і and и: a one-word query is served from the ranges of both spellings
# (``test_collation_marks.py``).
IN_ORDER = ["Андрієнко", "Гнатюк", "Ґудзь", "Дмитренко", "Ерделі", "Євтушенко", "Жук",
            "Иванків", "Іваненко", "Іщенко", "Ївженко", "Їжакевич", "Йосипенко", "Кравець",
            "Щур", "Юрченко", "Яковенко"]
LATIN = "Adams"  # Latin names keep their place before Cyrillic


def _fill(c: BranchCache) -> list[str]:
    # stored in reverse, so the order found comes from the key, not from insertion
    c.upsert_customers([cust(f"s{i:02d}", s, "Ім'я") for i, s in reversed(list(
        enumerate(IN_ORDER)))] + [cust("latin", LATIN, "John")])
    return ["latin", *[f"s{i:02d}" for i in range(len(IN_ORDER))]]


def test_the_list_is_in_ukrainian_order(cache: BranchCache) -> None:
    want = _fill(cache)
    assert guids(cache.customers_page(0, 100)) == want


def test_one_word_ranges_and_paging_follow_it(cache: BranchCache) -> None:
    cache.upsert_customers([cust("i1", "Іванів", "Богдан"), cust("i2", "Іваненко", "Петро"),
                            cust("i3", "Іваненко", "Андрій"), cust("y1", "Яковенко", "Іван"),
                            cust("g1", "Ґалаґан", "Іван"), cust("g2", "Гаврилюк", "Іван")])
    # tier 0 (surname starts with the word) first, by the sort key; then the rest (ranked)
    found = guids(cache.search("Іван", 0, 100))
    assert found[:3] == ["i3", "i2", "i1"] and sorted(found[3:]) == ["g1", "g2", "y1"]
    assert guids(cache.search("Іван", 0, 2)) + guids(cache.search("Іван", 2, 100)) == found
    assert cache.count("Іван").n == 6
    assert guids(cache.search("Ґ", 0, 100)) == ["g1"]  # ґ is its own letter, after г
    # "г" typed for "ґ" (AltGr on most layouts) finds it too, in its place after г
    assert guids(cache.search("Г", 0, 100)) == ["g2", "g1"]
    assert guids(cache.search("Гу", 0, 100)) == guids(cache.search("Ґу", 0, 100)) == []
    cache.upsert_customers([cust("g3", "Ґудзь", "Оксана")])
    assert guids(cache.search("Гу", 0, 100)) == ["g3"]
    assert cache.count("Г").n == 3


def test_a_cache_keyed_before_is_rekeyed_once(db_path: Path, key: bytes) -> None:
    with BranchCache.open(db_path, key) as c:
        want = _fill(c)
        conn = c._conn
        conn.execute("BEGIN IMMEDIATE")  # what the code before migration 9 stored: folded names
        for row_id, surname in conn.execute("SELECT id, surname FROM customers").fetchall():
            conn.execute("UPDATE customers SET sort_key = ? WHERE id = ?",
                         (f"{surname.lower()} ім'я".replace("'", ""), row_id))
        conn.execute("PRAGMA user_version = 8")
        conn.execute("COMMIT")
        assert guids(c.customers_page(0, 100)) != want
    with BranchCache.open(db_path, key) as c:  # 8 -> 9
        assert c._conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert guids(c.customers_page(0, 100)) == want
        assert guids(c.search("Іваненко")) == ["s08"]  # its range, collated
        assert c.integrity_check() == "ok"


def test_no_folded_letter_lands_on_a_rank() -> None:
    """The ranks are capitals, which folded text never holds: the mapping stays one to one,
    so a range for one prefix never takes in another letter's names."""
    ranks = {chr(RANK_BASE + i) for i in range(len(UKRAINIAN_ORDER))}
    assert not [hex(c) for c in range(0x30000) if ranks & set(fold(chr(c)))]
    assert len({collate(ch) for ch in UKRAINIAN_ORDER}) == len(UKRAINIAN_ORDER)
