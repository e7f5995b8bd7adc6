"""Spellings reported by tellers, on a real SQLCipher cache: Є typed as "E" ("Evgen",
"Evgenii"), Russian-style surname endings ("Kovalskiy", "Zhytomyrskaya"), "Ilya" for "Ілля",
and Cyrillic queries for names stored in Latin in the spellings people use, not KMU 2010's.
All query side: the index is as before."""

from __future__ import annotations

import pytest

from teller_app.cache import BranchCache
from teller_app.cache.search import build_plan
from teller_app.cache.text import MAX_QUERY_VARIANTS, fold, query_variants
from teller_app.cache.translit import cyrillic_text_spellings
from tests.cache.conftest import cust, guids, misses


@pytest.fixture()
def people(cache: BranchCache) -> BranchCache:
    cache.upsert_customers([
        cust("yevhen", "Захарченко", "Євген"),
        cust("yevheniia", "Мороз", "Євгенія"),
        cust("olena", "Шевчук", "Олена"),
        cust("eduard", "Бойко", "Едуард"),
        cust("koval", "Ковальський", "Петро"),
        cust("kovalska", "Ковальська", "Анна"),
        cust("zhytomyrska", "Житомирська", "Оксана"),
        cust("zhytomyrskyi", "Житомирський", "Тарас"),
        cust("illia", "Бондар", "Ілля"),
        cust("ilin", "Ілін", "Марко"),
        # stored in Latin: KMU, and the spellings people use
        cust("ivanenko", "Ivanenko", "Petro"),
        cust("olga", "Shevchenko", "Olga"),
        cust("evgeniy", "Kovalskiy", "Evgeniy"),
        cust("sergiy", "Melnyk", "Sergiy"),
        cust("yulia", "Bondarenko", "Yulia"),
    ])  # fmt: skip
    return cache


def test_ye_typed_as_e(people: BranchCache) -> None:
    assert misses(people, "yevhen", ["Evgen", "Evg", "Evgeni", "Evgenii", "Evgeniy", "Evgeny",
                                     "Yevhen", "Yevgen", "Yevgeniy"]) == []
    assert misses(people, "yevheniia", ["Evgenia", "Evgeniya", "Yevheniia"]) == []
    # "Elena" is another name than "Олена": no "е" -> "о", and "Єлена" is nobody
    assert guids(people.search("Elena")) == []
    assert "olena" not in guids(people.search("Ele"))
    assert guids(people.search("Eduard")) == ["eduard"]
    assert set(guids(people.search("Evgen"))) == {"yevhen", "yevheniia", "evgeniy"}
    # KMU's own "-ii" is "-ій": "Yevhenii" is "Євгеній", not "Євген" too
    people.upsert_customers([cust("yevhenii", "Левченко", "Євгеній")])
    assert "yevhen" not in guids(people.search("Yevhenii"))
    assert {"yevhen", "yevhenii"} <= set(guids(people.search("Evgenii")))


def test_russian_style_surname_endings(people: BranchCache) -> None:
    assert misses(people, "koval", ["Kovalskiy", "Kovalsky", "Kovalskyi", "Kovalskii",
                                    "Kovalski", "Kovalskij", "Kovalskyy"]) == []
    assert misses(people, "kovalska", ["Kovalska", "Kovalskaya", "Kovalskaia",
                                       "Kovalskaja"]) == []
    assert misses(people, "zhytomyrska", ["Zhytomyrska", "Zhytomyrskaya"]) == []
    assert misses(people, "zhytomyrskyi", ["Zhytomyrskyi", "Zhytomyrskiy", "Zhytomyrsky"]) == []
    # the gender of the ending is kept
    assert "kovalska" not in guids(people.search("Kovalskiy"))
    assert set(guids(people.search("Kovalskaya"))) == {"kovalska"}
    assert set(guids(people.search("Zhytomyrskaya"))) == {"zhytomyrska"}


def test_ilya_for_illia(people: BranchCache) -> None:
    assert misses(people, "illia", ["Ilya", "Illia", "Ilia", "Ilja", "Illya", "Iliya",
                                    "Ilya Bondar"]) == []
    assert guids(people.search("Ilya")) == ["illia"]  # not "Ілін"
    assert "ilin" in guids(people.search("Ili"))


def test_cyrillic_query_finds_latin_names(people: BranchCache) -> None:
    # KMU Latin: the index holds a Cyrillic reading of every Latin name already
    assert misses(people, "ivanenko", ["Іваненко", "Петро", "Іваненко Петро", "Петро Іван"]) == []
    # the spellings people write instead of KMU's: "g" for "г", "E" for "Є", "-skiy", "-iy"
    assert misses(people, "olga", ["Ольга", "Ольга Шевченко"]) == []
    assert misses(people, "evgeniy", ["Євген", "Ковальський", "Євген Ковальський"]) == []
    assert misses(people, "sergiy", ["Сергій", "Сергій Мельник"]) == []
    # ... but not "-ія" as "-ia": "yulia" is the KMU Latin of "Юля", another name
    people.upsert_customers([cust("yulia-cyr", "Руденко", "Юля")])
    assert "yulia-cyr" not in guids(people.search("Юлія"))
    assert set(guids(people.search("Ковальський"))) == {"koval", "evgeniy"}  # not "Ковальська"


QUERIES = ["Evgenii", "Yevgeniia", "Gggggggiaiaia", "Kovalskaya", "Iliya", "Євгенія",
           "Ковальський", "Grygoriy", "Olga", "user1", "Мар'яна", "Sergiy"]


@pytest.mark.parametrize("query", QUERIES)
def test_variants_are_few_folded_prefixes(query: str) -> None:
    variants = query_variants(query)
    assert 0 < len(variants) <= MAX_QUERY_VARIANTS
    assert all(fold(v) == v and v.isalnum() for v in variants)
    # none is covered by another (it would only cost one more lookup)
    assert not [v for v in variants for u in variants if u != v and v.startswith(u)]
    plan = build_plan(query)
    assert plan is not None and plan.match.count("*") == len(variants)


@pytest.mark.parametrize(("typed", "stored"), [
    ("Kovalskiy", "Ковальський"), ("Kovalskyi", "Ковальський"), ("Kovalskaya", "Ковальська"),
    ("Melnyk", "Мельник"), ("Olga", "Ольга"), ("Boiko", "Бойко"), ("Oliinyk", "Олійник"),
    ("Kuzmenko", "Кузьменко"), ("Poltavets", "Полтавець"), ("Volkov", "Волков"),
    ("Maria", "Марія"), ("Yulia", "Юля"), ("Ilya", "Ілля"), ("Evgenii", "Євген"),
    ("Sergiy", "Сергій"), ("Shevchenko Taras", "Шевченко Тарас"), ("Zaika", "Заїка"),
    ("Kyivska", "Київська"), ("Ukraina", "Україна"), ("Zaika Serhii", "Заїка Сергій"),
])  # fmt: skip
def test_a_text_search_gets_a_part_of_the_cyrillic_name(typed: str, stored: str) -> None:
    """For the platform's search as typed (cold cache): one of at most two spellings is a
    part of the stored name."""
    spellings = cyrillic_text_spellings(typed)
    assert 0 < len(spellings) <= 2
    assert any(s in stored.casefold() for s in spellings), spellings
