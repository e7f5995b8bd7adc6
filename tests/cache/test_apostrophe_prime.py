"""U+02B9 (ʹ, modifier letter prime), and U+02BB (ʻ) and U+2032 (′), which some tools and
symbol tables give for the apostrophe, are apostrophes like ' ’ ‘ ʼ: "Марʹян" and "Мар'ян"
find each other and sort alike. Real SQLCipher file."""

from __future__ import annotations

from teller_app.cache import BranchCache
from teller_app.cache.text import fold, name_tokens, sort_key
from teller_app.cache.translit import apostrophe_free_part, to_latin
from tests.cache.conftest import cust, guids, misses

SPELLINGS = ["Мар'ян", "Марʹян", "Марʼян", "Мар’ян", "Марʻян", "Мар′ян"]


def test_prime_and_apostrophe_find_each_other(cache: BranchCache) -> None:
    cache.upsert_customers([cust(f"m{i}", s, "Ігор") for i, s in enumerate(SPELLINGS)]
                           + [cust("login", "Коваль", "Петро", login="марʹян.коваль")])
    for i, _ in enumerate(SPELLINGS):
        assert misses(cache, f"m{i}", [*SPELLINGS, "Марян", "Marian", "марʹян ігор"]) == []
    assert guids(cache.search("марян.коваль", 0, 100)) == ["login"]
    # stored in the order written, listed by name only: every spelling has the same key
    assert guids(cache.customers_page(1, 6)) == [f"m{i}" for i in range(6)]  # after "Коваль"


def test_prime_is_dropped_like_an_apostrophe() -> None:
    assert fold("Марʹян") == fold("Мар'ян") == fold("Мар′ян") == fold("Марʻян") == "марян"
    assert sort_key("Марʹян", "", "") == sort_key("Мар'ян", "", "")
    assert name_tokens("Марʹян") == name_tokens("Мар'ян") == "марян marian"
    assert to_latin("Марʹян") == "Marian"
    assert apostrophe_free_part("Марʹян") == "Мар"
