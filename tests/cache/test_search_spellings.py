"""Search-audit gaps on a real SQLCipher cache: spellings people type that KMU 2010 does not
write ("g" for "г"; "Yulia"/"Iuliia" for "Юлія"), every apostrophe form, and surnames
stored with leading/trailing spaces or quote marks."""

from __future__ import annotations

import pytest

from teller_app.cache import BranchCache
from teller_app.cache.search import build_plan
from teller_app.cache.text import MAX_QUERY_VARIANTS
from tests.cache.conftest import cust, guids, misses


@pytest.fixture()
def names(cache: BranchCache) -> BranchCache:
    cache.upsert_customers([
        cust("serhii", "Гнатюк", "Сергій", paternal_name="Григорович"),
        cust("olha", "Гончаренко", "Ольга", paternal_name="Ігорівна"),
        cust("yevhen", "Захарченко", "Євген"),
        cust("yuliia", "Коваль", "Юлія"),
        cust("nataliia", "Бойко", "Наталія"),
        cust("andrii", "Мороз", "Андрій"),
        cust("yurii", "Петренко", "Юрій"),
        cust("latin", "Shevchuk", "Olha"),  # stored in Latin
        cust("other", "Руденко", "Юля"),
    ])  # fmt: skip
    return cache


def test_latin_g_for_cyrillic_h(names: BranchCache) -> None:
    assert misses(names, "serhii", ["Sergiy", "Sergii", "Serhiy", "Serhii", "Serg", "Sergi",
                                    "Gnatiuk", "Gnat", "Sergiy Gnatiuk", "Grygorovych"]) == []
    assert misses(names, "olha", ["Olga", "Olha", "Olg", "Goncharenko", "Gonch",
                                  "Olga Goncharenko", "Igorivna"]) == []
    assert misses(names, "yevhen", ["Yevgen", "Yevg", "Yevhen"]) == []
    assert misses(names, "latin", ["Olga", "Olha", "Ольга"]) == []
    # precision kept: "Olga" is not any "ol..." name
    assert "yuliia" not in guids(names.search("Olga"))
    # each typed word stands for a few prefixes, however many g's and ia's it has
    plan = build_plan("Grygoriy Gnatiuk Yulia Gggggggiaiaia")
    assert plan is not None
    for group in plan.match.split(" AND "):
        assert group.count("*") <= MAX_QUERY_VARIANTS


def test_yulia_spellings_and_endings(names: BranchCache) -> None:
    assert misses(names, "yuliia", ["Yulia", "Yuliia", "Iuliia", "Yuliya", "Julia", "Julija",
                                    "Yuli", "Yulii", "Iulii", "Yuliy", "Юлія"]) == []
    assert misses(names, "nataliia", ["Natalia", "Nataliia", "Nataliya", "Natalya",
                                      "Natali"]) == []
    assert misses(names, "andrii", ["Andriy", "Andrii", "Andrij", "Andri"]) == []
    assert misses(names, "yurii", ["Yuriy", "Yurii", "Iurii", "Yurij", "Jurij"]) == []
    # "Yulia" is also the short "Юля": both are found
    assert set(guids(names.search("Yulia"))) == {"yuliia", "other"}
    assert guids(names.search("Yuliia")) == ["yuliia"]


APOSTROPHES = ["'", "\u2019", "\u2018", "\u02bc", "`"]


@pytest.mark.parametrize("stored", APOSTROPHES)
def test_every_apostrophe_matches_every_other(cache: BranchCache, stored: str) -> None:
    cache.upsert_customers([
        cust("a1", f"Солов{stored}ян", f"Мар{stored}яна"),
        cust("a2", "Соловяненко", "Яна"),
        cust("a3", "Марченко", "Анна"),
    ])  # fmt: skip
    for typed in APOSTROPHES:
        assert guids(cache.search(f"Мар{typed}яна")) == ["a1"], typed
        # surname prefix tier, sorted as the plain spelling "соловян" < "соловяненко"
        assert guids(cache.search(f"Солов{typed}ян")) == ["a1", "a2"], typed
        assert guids(cache.search(f"солов{typed}ян мар{typed}")) == ["a1"], typed
        assert cache.count(f"Солов{typed}я").n == 2, typed
    assert guids(cache.search("Solovian Mariana")) == ["a1"]
    assert guids(cache.search("Соловян")) == ["a1", "a2"]
    assert guids(cache.customers_page()) == ["a3", "a1", "a2"]


EDGED = ["  Іваненко", '"Іваненко"', "«Іваненко»", "Іваненко  ", "„Іваненко“", "'Іваненко'",
         "\u2018Іваненко\u2019", "\u00a0Іваненко\t"]


def test_surname_with_edge_spaces_and_quotes(cache: BranchCache) -> None:
    first = ["Андрій", "Борис", "Василь", "Гнат", "Дмитро", "Едуард", "Жанна", "Зоя"]
    rows = [cust(f"e{i}", surname, first[i]) for i, surname in enumerate(EDGED)]
    rows += [cust("plain", "Іваненко", "Ярема"), cust("longer", "Іваненкова", "Анна"),
             cust("before", "Абрамчук", "Олег"), cust("after", "Якименко", "Петро")]
    cache.upsert_customers(rows)
    ours = [f"e{i}" for i in range(len(EDGED))] + ["plain"]
    for query in ("Іваненко", "іван", "Ivanenko"):
        found = guids(cache.search(query, 0, 100))
        assert found[:len(ours)] == ours, query  # tier 0, by first name
        assert "longer" in found and len(found) == len(set(found))
        assert cache.count(query).n == len(found), query
        paged = guids(cache.search(query, 0, 3)) + guids(cache.search(query, 3, 100))
        assert paged == found, query
    # multi-word and branch-filtered paths sort by the same key
    assert guids(cache.search("Іваненко Б")) == ["e1"]
    # the whole list in Ukrainian order: "Абрамчук", every "Іваненко", "Іваненкова", "Якименко"
    assert guids(cache.customers_page(0, 100)) == ["before", *ours, "longer", "after"]
