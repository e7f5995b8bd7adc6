"""й and ї are letters of their own in the sort key (и < і < ї < й), while the search folds
them into и and і: a one-word query's first tier, served from sort-key ranges, must hold
exactly the surnames FTS finds starting with the word, whichever of the letters they have.
Real SQLCipher file."""

from __future__ import annotations

import pytest

from teller_app.cache import BranchCache, search
from teller_app.cache.search import build_plan
from teller_app.cache.text import fold, sort_key
from tests.cache.conftest import cust, guids

SURNAMES = ["Кравець", "Йосипенко", "Іщенко", "Ївженко", "Іваненко", "Иванків", "Їжак",
            "Иосипенко", "Ійченко", "Кийко", "Кіїк", "Кийченко", "Пилипишин", "Пилипішин",
            "Пийлипишин", "Ivanenko", "Yizhak", "Йотка", "Кирилйвишинівська",
            "Кириливишинівський", "Кириливишинівська"]
QUERIES = ["И", "Й", "І", "Ї", "Йо", "Иосип", "Ів", "Їв", "Ів'", "Кий", "Кії", "Кі",
           "Пилипишин", "Пилипиш", "Yi", "Ivan", "Iva", "Yosyp", "Ij", "Кийк"]


@pytest.fixture()
def filled(cache: BranchCache) -> BranchCache:
    # stored in reverse of their order, names alike: the order comes from the surname's key
    cache.upsert_customers([cust(s, s, "Ірина") for s in sorted(SURNAMES, reverse=True)])
    return cache


def test_ukrainian_order_of_marked_letters(filled: BranchCache) -> None:
    order = guids(filled.customers_page(0, 100))
    cyr = [g for g in order if not g.isascii()]
    assert cyr[:9] == ["Иванків", "Иосипенко", "Іваненко", "Ійченко", "Іщенко", "Ївженко",
                       "Їжак", "Йосипенко", "Йотка"]
    assert cyr[9:15] == ["Кийко", "Кийченко", "Кириливишинівська", "Кириливишинівський",
                         "Кирилйвишинівська", "Кіїк"]


def test_ranges_hold_exactly_fts_tier_0(filled: BranchCache,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with_ranges = {q: guids(filled.search(q, 0, 100)) for q in QUERIES}
    for q in QUERIES:
        plan = build_plan(q)
        assert plan is not None and plan.ranges, q  # these are served from ranges
        # paged in any cut, the same list; the count agrees
        found = with_ranges[q]
        assert guids(filled.search(q, 0, 2)) + guids(filled.search(q, 2, 100)) == found, q
        assert filled.count(q).n == len(found), q
    monkeypatch.setattr(search, "MAX_RANGES", 0)  # tier 0 from FTS instead, sorted
    for q in QUERIES:
        plan = build_plan(q)
        assert plan is not None and not plan.ranges
        assert guids(filled.search(q, 0, 100)) == with_ranges[q], q


def test_a_letter_typed_without_its_mark(filled: BranchCache) -> None:
    # "и" typed for "й" (and "і" for "ї"): the surnames with either, in their order, first
    assert guids(filled.search("Иосип", 0, 100))[:2] == ["Иосипенко", "Йосипенко"]
    assert guids(filled.search("Івж", 0, 100)) == ["Ївженко"]
    assert guids(filled.search("Кии", 0, 100))[:2] == ["Кийко", "Кийченко"]
    # a word with many и/і: its spellings are too many ranges, FTS serves its first tier
    many = build_plan("Кириливишинів")
    assert many is not None and many.ranges == ()
    assert guids(filled.search("Кириливишинів", 0, 100)) == [
        "Кириливишинівська", "Кириливишинівський", "Кирилйвишинівська"]


def test_decomposed_and_composed_letters_sort_alike() -> None:
    assert sort_key("И\u0306осипенко", "Ї\u0308", "") != sort_key("Иосипенко", "І", "")
    assert sort_key("И\u0306осипенко", "І\u0308жак", "") == sort_key("Йосипенко", "Їжак", "")
    assert sort_key("ЙОСИПЕНКО", "", "") == sort_key("йосипенко", "", "")
    assert fold("Йосипенко") == fold("Иосипенко")  # the search still folds them
