"""A paste of a page into the search box stays a keystroke's work: only the query's first
``MAX_QUERY_CHARS`` characters and ``MAX_QUERY_WORDS`` words are searched by (a 10 000-
character paste held the cache thread ~0.9 s, 3 000 words ~5 s), and a word typed twice is
one condition. The rows found are a shorter query's: never fewer. Real SQLCipher file; the
work is counted (transliterated words), not timed."""

from __future__ import annotations

import pytest

from teller_app.cache import BranchCache, search
from teller_app.cache.search import MAX_QUERY_CHARS, MAX_QUERY_WORDS, build_plan
from tests.cache.conftest import cust, guids


def test_a_long_word_is_searched_by_its_start() -> None:
    plan, capped = build_plan("x" * 10_000), build_plan("x" * MAX_QUERY_CHARS)
    assert plan is not None and plan == capped
    assert build_plan("  " + "Коваленко " * 3_000) == build_plan("Коваленко")
    assert build_plan("+380 67 " + "1" * 5_000) == build_plan(("+380 67 " + "1" * 5_000)[
        :MAX_QUERY_CHARS])


def test_only_the_first_words_are_transliterated(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = search.query_variants

    def counting(word: str) -> list[str]:
        seen.append(word)
        return real(word)

    monkeypatch.setattr(search, "query_variants", counting)
    plan = build_plan(" ".join(f"w{i}" for i in range(3_000)))
    assert plan is not None
    assert len(seen) == MAX_QUERY_WORDS and seen[0] == "w0"
    assert plan.match.count(" AND ") == MAX_QUERY_WORDS - 1


def test_a_pasted_page_still_finds_the_customer(cache: BranchCache) -> None:
    cache.upsert_customers([cust("olena", "Коваленко", "Олена"),
                            cust("petro", "Коваленко", "Петро")])
    paste = "Коваленко Олена " * 2_000
    assert guids(cache.search(paste, 0, 100)) == ["olena"]
    assert cache.count(paste).n == 1
    assert guids(cache.search("Коваленко " + "x" * 5_000, 0, 100)) == []  # "x…" is a word
