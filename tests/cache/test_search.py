from __future__ import annotations

import pytest

from teller_app.cache import BranchCache, looks_like_guid
from tests.cache.conftest import cust, guids


@pytest.fixture()
def people(cache: BranchCache) -> BranchCache:
    cache.upsert_customers(
        [
            cust("c1", "Шевченко", "Тарас", paternal_name="Григорович",
                 phone_number="+380 67 123 45 67", login="taras@kobzar.ua"),
            cust("c2", "Shevchenko", "Ivan", phone_number="0501112233"),
            cust("c3", "Шевченкова", "Олена"),
            cust("c4", "Андрієнко", "Шевчик"),
            cust("c5", "Ґалаґан", "Євген", paternal_name="Їжакович"),
            cust("c6", "Щербак", "Йосип", login="+380931234000"),
            cust("c7", "Müller", "José"),
            cust("c8", "Коваль", "Мар'яна"),
        ]
    )  # fmt: skip
    return cache


def test_latin_query_finds_cyrillic_and_back(people: BranchCache) -> None:
    assert set(guids(people.search("Shevchenko"))) == {"c1", "c2", "c3"}
    assert set(guids(people.search("шевченко"))) == {"c1", "c2", "c3"}
    assert "c2" in guids(people.search("шевч"))  # stored as Latin, found by Cyrillic prefix
    assert "c1" in guids(people.search("Taras"))


@pytest.mark.parametrize(
    ("query", "guid"),
    [("Galagan", "c5"), ("ґалаґ", "c5"), ("Yevhen", "c5"), ("Yizhak", "c5"),
     ("Shcherbak", "c6"), ("Yosyp", "c6"), ("Йосип", "c6"), ("Mariana", "c8"),
     ("мар'яна", "c8"), ("маряна", "c8")],
)  # fmt: skip
def test_special_letters(people: BranchCache, query: str, guid: str) -> None:
    assert guid in guids(people.search(query))


def test_case_and_accents(people: BranchCache) -> None:
    assert guids(people.search("MULLER")) == ["c7"]
    assert guids(people.search("jose")) == ["c7"]
    assert guids(people.search("ШЕВЧЕНКОВА")) == ["c3"]


@pytest.mark.parametrize("query", ["067123", "380671234567", "+380 67 123 45 67", "4567",
                                   "(067) 123-45", "671234567"])  # fmt: skip
def test_phone_digits(people: BranchCache, query: str) -> None:
    assert guids(people.search(query)) == ["c1"]


def test_phone_login_and_national_form(people: BranchCache) -> None:
    assert guids(people.search("0931234")) == ["c6"]
    assert guids(people.search("380501112233")) == ["c2"]


def test_iban(people: BranchCache) -> None:
    people.upsert_accounts(
        "c2",
        [{"guid": "a1", "iban": "UA213223130000026007233566001",
          "assets": [{"code": "UAH", "balance": "12.50", "minor_unit": 2}]}],
    )  # fmt: skip
    assert guids(people.search("UA21 3223 1300")) == ["c2"]
    assert guids(people.search("ua213223130000026007233566001")) == ["c2"]
    acc = people.get_accounts("c2")
    assert acc[0].iban == "UA213223130000026007233566001"
    assert str(acc[0].assets[0].balance) == "12.50"
    assert people.accounts_fetched_at("c2") is not None
    assert people.accounts_fetched_at("c1") is None


def test_multi_word_and(people: BranchCache) -> None:
    assert guids(people.search("шевченко тарас")) == ["c1"]
    assert guids(people.search("Taras Shev")) == ["c1"]
    assert guids(people.search("шевч олена")) == ["c3"]
    assert people.search("шевченко петро") == []


def test_ranking_surname_first_exact_first(people: BranchCache) -> None:
    rows = guids(people.search("шевч"))
    # surname-prefix tier first, alphabetical: Latin "shevchenko", then exact "шевченко",
    # then the longer "шевченкова"; the first-name match "Шевчик" last.
    assert rows == ["c2", "c1", "c3", "c4"]
    assert guids(people.search("шевченко"))[:2] == ["c2", "c1"]


def test_paging_and_count(people: BranchCache) -> None:
    full = guids(people.search("шевч", 0, 100))
    assert guids(people.search("шевч", 1, 2)) == full[1:3]
    assert guids(people.search("шевч", 3, 10)) == full[3:]
    assert people.count("шевч").n == 4
    assert people.count("шевч", cap=2) == people.count("шевч", cap=2)
    capped = people.count("ш", cap=2)
    assert capped.capped and capped.n == 2


def test_one_letter_prefix(people: BranchCache) -> None:
    rows = guids(people.search("щ"))
    assert rows[0] == "c6"
    assert "c6" in guids(people.search("s"))  # "Shcherbak" by Latin letter


def test_empty_query_lists_all_by_surname(people: BranchCache) -> None:
    rows = people.search("")
    assert len(rows) == 8
    keys = [r.surname.casefold() for r in rows]
    assert keys[0] == "muller" or keys[0] == "müller"
    assert guids(people.customers_page(0, 3)) == guids(rows[:3])
    assert people.count("").n == 8


def test_get_customer_and_stats(people: BranchCache) -> None:
    c = people.get_customer("c1")
    assert c is not None and c.full_name == "Шевченко Тарас Григорович"
    assert people.get_customer("nope") is None
    assert people.stats().count == 8
    assert people.is_cold()


def test_looks_like_guid() -> None:
    assert looks_like_guid("b948d0e4-93c0-43ee-b861-7d699c73a355")
    assert looks_like_guid(" B948D0E493C043EEB8617D699C73A355 ")
    assert not looks_like_guid("Шевченко")
    assert not looks_like_guid("0671234567")
