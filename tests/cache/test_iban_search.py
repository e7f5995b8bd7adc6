"""An account's IBAN typed in part finds its customer in the cache (``text.iban_tokens``):
the start of the IBAN as typed (spaces, dashes, lowercase), the BBAN, the account number
without its leading zeros, and the last digits. Real SQLCipher file."""

from __future__ import annotations

from teller_app.cache import BranchCache
from teller_app.cache.search import build_plan
from teller_app.cache.text import iban_tokens
from tests.cache.conftest import cust, guids, misses

IBAN = "UA213223130000026007233566001"  # bank 322313, account 0000026007233566001
OTHER = "UA903052992990004149123456789"


def _fill(cache: BranchCache) -> None:
    cache.upsert_customers([
        cust("owner", "Петренко", "Ольга", phone_number="+380501112233"),
        cust("other", "Сидоренко", "Іван", phone_number="+380671234567"),
        cust("none", "Коваль", "Петро", phone_number="+380931110000", login="ab12cd@ukr.net"),
    ])  # fmt: skip
    cache.upsert_accounts("owner", [{"guid": "a1", "iban": IBAN, "assets": []}])
    cache.upsert_accounts("other", [{"guid": "a2", "iban": OTHER, "assets": []}])


def test_an_iban_in_part_finds_its_owner(cache: BranchCache) -> None:
    _fill(cache)
    typed = [
        "UA21 3223 1300 0002 6007",  # the start, as printed
        "ua213223",  # lowercase, no spaces
        "UA21-3223-1300",  # dashes
        "UA21\u00a03223",  # a no-break space (pasted)
        "3223 1300 0002 6007",  # the BBAN
        "26007233566001",  # the account number, without its leading zeros
        "2600 7233",  # its start
        "0000026007233566001",  # with them (its last digits)
        "6600 1",  # the last digits, as read out in groups
        "6001",
        "233566001",
    ]
    assert misses(cache, "owner", typed) == []
    for q in typed:
        assert "other" not in guids(cache.search(q, 0, 100)), q
    assert guids(cache.search(IBAN, 0, 100)) == ["owner"]


def test_digits_still_find_phones_and_no_one_else(cache: BranchCache) -> None:
    _fill(cache)
    assert guids(cache.search("4567", 0, 100)) == ["other"]  # a phone's last digits
    assert guids(cache.search("0501112233", 0, 100)) == ["owner"]
    assert cache.search("26007233566002", 0, 100) == []
    assert cache.search("UA21 3223 9", 0, 100) == []
    # a login that looks like the start of an IBAN is still found by it
    assert guids(cache.search("ab12cd", 0, 100)) == ["none"]


def test_the_tokens_of_an_iban() -> None:
    tokens = iban_tokens([IBAN]).split()
    assert tokens == [IBAN.lower(), IBAN[4:], "26007233566001", "r" + IBAN[4:][::-1]]
    # not Ukrainian: no account number of its own, the rest alike
    assert iban_tokens(["DE89 3704 0044 0532 0130 00"]).split() == [
        "de89370400440532013000", "370400440532013000", "r000310235044004073"]
    assert iban_tokens([]) == ""


def test_plans() -> None:
    plan = build_plan("ua21 3223-13")
    assert plan is not None and plan.match == '{iban login} : "ua21322313"*'
    plan = build_plan("6600 1")
    assert plan is not None and '{phone iban} : "r10066"*' in plan.match


def test_a_login_typed_with_a_dash_is_not_taken_for_an_iban(cache: BranchCache) -> None:
    """Review: "kv01-olena" (two letters, two digits, a dash) read as an IBAN start, and the
    login's customer was no longer found; dashes between digit groups still are one."""
    cache.upsert_customers([
        cust("g1", "Коваль", "Петро", login="ab12-cd@ukr.net"),
        cust("g2", "Бойко", "Іра", login="kv01-olena"),
        cust("g3", "Марко", "Ян", login="ua21-petrenko"),
    ])  # fmt: skip
    for query, found in (("kv01-olena", "g2"), ("kv01-ol", "g2"), ("ua21-petrenko", "g3"),
                         ("ab12-cd", "g1")):
        assert found in guids(cache.search(query, 0, 10)), query
    plan = build_plan("UA21-3223-1300")
    assert plan is not None and plan.match.startswith("{iban login}")
