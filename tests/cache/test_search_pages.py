"""Paging through a match too large to rank (more than RANK_LIMIT): every customer once, in
cache order, whichever path serves the page (the first ids of one pass, or SQL paging)."""

from __future__ import annotations

from teller_app.cache import BranchCache
from teller_app.cache.search import RANK_LIMIT

N = RANK_LIMIT + 200


def _customer(i: int) -> dict[str, object]:
    return {"wallet_user_guid": f"{i:08x}-0000-4000-8000-000000000000", "login": f"u{i}",
            "name": "Андрій", "surname": f"Прізвище{i % 7}", "paternal_name": "",
            "phone_number": "", "branch_guid": "b-1",
            "updated_at": f"2024-01-01T00:00:00.{i:06d}Z"}


def test_pages_of_a_large_unranked_match_cover_it_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cache = BranchCache.open(tmp_path / "c.db", None)
    try:
        cache.upsert_customers([_customer(i) for i in range(N)])
        assert cache.count("андрій", cap=10 * N).n == N
        seen: list[str] = []
        offset = 0
        while True:
            page = cache.search("андрій", offset=offset, limit=100)
            if not page:
                break
            seen += [r.wallet_user_guid for r in page]
            offset += len(page)
        assert len(seen) == N == len(set(seen))
        first = [r.wallet_user_guid for r in cache.search("андрій", limit=50)]
        assert first == seen[:50]
        # Latin input finds the same customers (transliteration), first page alike.
        assert [r.wallet_user_guid for r in cache.search("andrii", limit=50)] == first
    finally:
        cache.close()
