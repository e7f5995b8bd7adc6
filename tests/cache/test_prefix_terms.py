"""Long name prefixes spelled out as their indexed terms (cache/prefix_terms.py): the same
rows, in the same order, on every page and in every count, as the plain FTS5 prefix query."""

from __future__ import annotations

from typing import Any

import pytest

from teller_app.cache import BranchCache, prefix_terms
from teller_app.cache.filters import CustomerFilter, filtered_count, filtered_rows
from teller_app.cache.search import build_plan
from tests.cache.conftest import cust

SURNAMES = ["Шевченко", "Shevchenko", "Яковенко", "Ющенко", "Ґалаґан", "Zozulia", "Їжаченко",
            "Яяйченко", "Zzyzx", "Андрієнко"]
NAMES = ["Андрій", "Andrii", "Олександр", "Олександра", "Oleksandr", "Яна", "Їжак", "Zoe"]
PATERNAL = ["Андрійович", "Андріївна", "Олександрович", "", "Яремович"]
QUERIES = ["андрій", "Andrii", "андрійович", "олександ", "oleksand", "яковен", "ющенк",
           "ґалаґ", "galag", "zozul", "zzyz", "яяйч", "їжаче", "yizhach", "user12", "user1",
           "шевченко андрій", "Андрій Олександрович", "яна", "неіснуюч"]


@pytest.fixture()
def crowd(cache: BranchCache) -> BranchCache:
    rows = [
        cust(f"g{i:04d}", SURNAMES[i % len(SURNAMES)], NAMES[(i // 3) % len(NAMES)],
             paternal_name=PATERNAL[(i // 7) % len(PATERNAL)], login=f"user{i}@bank.ua",
             is_disabled=i % 4 == 0, branch_guid=f"b{i % 3}")
        for i in range(600)
    ]
    cache.upsert_customers(rows)
    return cache


def answers(c: BranchCache, q: str) -> list[Any]:
    def ids(rows: list[Any]) -> list[str]:
        return [r.wallet_user_guid for r in rows]

    flt = CustomerFilter(disabled=True)
    return [ids(c.search(q, 0, 100)), ids(c.search(q, 0, 5)), ids(c.search(q, 37, 50)),
            ids(c.search(q, 0, 30, branch_guid="b1")), ids(c.search(q, 10, 30, branch_guid="b2")),
            c.count(q), c.count(q, cap=20), c.count(q, branch_guid="b0"),
            ids(filtered_rows(c, q, flt, None)), filtered_count(c, q, flt)]


@pytest.mark.parametrize("rank_limit", [1000, 40])  # 40: crowded results in cache order
@pytest.mark.parametrize("query", QUERIES)
def test_spelled_out_prefixes_answer_like_the_plain_prefix(
        crowd: BranchCache, query: str, rank_limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from teller_app.cache import store_read

    monkeypatch.setattr(store_read, "RANK_LIMIT", rank_limit)  # read there since the split
    got = answers(crowd, query)
    monkeypatch.setattr(prefix_terms, "MAX_TERMS", 0)  # every prefix keeps its * form
    assert got == answers(crowd, query)


def test_long_prefixes_are_spelled_out_short_and_crowded_ones_not(
        crowd: BranchCache, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = crowd._conn
    plan = prefix_terms.expand(conn, build_plan("андрій"))
    assert plan is not None and "*" not in plan.match
    assert '"андріиович"' in plan.match and '"andriivna"' in plan.match
    assert plan.tier0 == build_plan("андрій").tier0  # type: ignore[union-attr]
    # end of the alphabet: ї/я/z prefixes, and a prefix with no term at all
    zz = prefix_terms.expand(conn, build_plan("zzyz"))
    assert zz is not None and zz.match.startswith('(("zzyzx")')
    assert prefix_terms.expand(conn, build_plan("неіснуюч")) == build_plan("неіснуюч")
    assert prefix_terms.expand(conn, build_plan("анд")) == build_plan("анд")  # prefix index
    assert prefix_terms.expand(conn, build_plan("067123")) == build_plan("067123")  # digits
    monkeypatch.setattr(prefix_terms, "MAX_TERMS", 10)
    many = prefix_terms.expand(conn, build_plan("user1"))  # 111 logins: too many terms
    assert many is not None and '"user1"*' in many.match
    assert len(crowd.search("user1", 0, 1000)) == 111
