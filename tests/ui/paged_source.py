"""A search source for the customer table's tests: given rows, in the order given (no order,
as the platform's search may answer), handed out page by page."""

from __future__ import annotations

from collections.abc import Sequence

from teller_app.cache.rows import CustomerRow


class PagedSource:
    immediate = True
    label = "test"

    def __init__(self, rows: list[CustomerRow]) -> None:
        self.rows = rows

    async def first_page(self, query: str, limit: int
                         ) -> tuple[Sequence[CustomerRow], int, bool]:
        return self.rows[:limit], len(self.rows), False

    async def page(self, query: str, offset: int, limit: int) -> Sequence[CustomerRow]:
        return self.rows[offset:offset + limit]
