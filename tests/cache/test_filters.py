"""Filter bar in the cache: every filter, combined with text search, sorting by any column
over the whole result, counts, and the indexes the filters use."""

from __future__ import annotations

from teller_app.cache import BranchCache
from teller_app.cache.filters import (
    CustomerFilter,
    SortSpec,
    distinct_values,
    filtered_count,
    filtered_rows,
)
from tests.cache.conftest import cust

KYIV, LVIV = "branch-kyiv", "branch-lviv"


def _fill(cache: BranchCache) -> None:
    cache.upsert_customers([
        cust("g1", "Шевченко", "Тарас", branch_guid=KYIV, status="active", segment="retail",
             kyc_level=2, created_at="2024-01-10T08:00:00.000000Z", login="taras"),
        cust("g2", "Шевченко", "Олена", branch_guid=LVIV, status="blocked", kyc_level=1,
             is_disabled=True, created_at="2024-03-01T08:00:00.000000Z", login="olena"),
        cust("g3", "Шевчук", "Іван", branch_guid=LVIV, login="ivan.s", kyc_level=3,
             status="active", segment="retail",
             created_at="2024-02-01T08:00:00.000000Z",
             updated_at="2024-06-01T10:00:00.000001Z"),
        cust("g4", "Коваль", "Петро", branch_guid=KYIV, status="pending", kyc_level=2,
             created_at="2023-12-31T23:00:00.000000Z", login="petro"),
    ])


def _guids(rows) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.guid for r in rows]


def test_each_filter_and_combined_with_search(cache: BranchCache) -> None:
    _fill(cache)
    f = CustomerFilter
    assert _guids(filtered_rows(cache, "", f(statuses=("active",)), None)) == ["g1", "g3"]
    assert _guids(filtered_rows(cache, "", f(segments=("retail",)), None)) == ["g1", "g3"]
    assert _guids(filtered_rows(cache, "", f(kyc_levels=(2,)), None)) == ["g4", "g1"]
    assert _guids(filtered_rows(cache, "", f(disabled=True), None)) == ["g2"]
    assert len(filtered_rows(cache, "", f(disabled=False), None)) == 3
    assert _guids(filtered_rows(cache, "", f(branch_guid=LVIV), None)) == ["g2", "g3"]
    jan = f(created_from="2024-01-01T00:00:00Z", created_to="2024-02-01T08:00:00.000000Z")
    assert _guids(filtered_rows(cache, "", jan, None)) == ["g1"]
    assert _guids(filtered_rows(cache, "", f(updated_from="2024-05-15"), None)) == ["g3"]
    # with as-you-type text (prefix, transliteration), filters narrow the matches
    assert _guids(filtered_rows(cache, "шевч", f(statuses=("active",)), None)) == ["g1", "g3"]
    assert _guids(filtered_rows(cache, "shevch", f(kyc_levels=(1, 3)), None)) == ["g2", "g3"]
    assert filtered_count(cache, "шевч", f(branch_guid=LVIV)).n == 2
    assert filtered_count(cache, "", f(), cap=2).capped
    assert f().empty and not f(disabled=False).empty


def test_sort_by_any_column_over_the_whole_result(cache: BranchCache) -> None:
    _fill(cache)
    everyone = CustomerFilter()
    assert _guids(filtered_rows(cache, "", everyone, SortSpec("login"))) == [
        "g3", "g2", "g4", "g1"]
    assert _guids(filtered_rows(cache, "", everyone, SortSpec("created_at", True))) == [
        "g2", "g3", "g1", "g4"]
    by_kyc = filtered_rows(cache, "", everyone, SortSpec("kyc_level", True), offset=0, limit=2)
    assert [r.kyc_level for r in by_kyc] == [3, 2]
    page2 = filtered_rows(cache, "", everyone, SortSpec("kyc_level", True), offset=2, limit=2)
    assert [r.kyc_level for r in page2] == [2, 1]
    assert _guids(filtered_rows(cache, "", everyone, SortSpec("status")))[:2] in (
        ["g1", "g3"], ["g3", "g1"])


def test_choices_and_indexes(cache: BranchCache) -> None:
    _fill(cache)
    values = distinct_values(cache)
    assert values["statuses"] == ["active", "blocked", "pending"]
    assert values["segments"] == ["retail"] and values["kyc_levels"] == [1, 2, 3]
    plan = cache._conn.execute(
        "EXPLAIN QUERY PLAN SELECT guid FROM customers c WHERE c.kyc_level = 2 "
        "ORDER BY c.sort_key").fetchall()
    assert any("customers_f_kyc" in str(row) for row in plan)
