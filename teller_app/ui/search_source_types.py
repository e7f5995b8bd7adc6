"""What the customer table reads its rows from (``CustomerTableModel``): a source of pages,
one that counts after the rows are shown, one whose rows come in the name order already."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from teller_app.ui.customer_table_model import SearchRow


class SearchSource(Protocol):
    """Where results come from. ``immediate``: fast enough to search on every keystroke."""

    immediate: bool
    label: str

    async def first_page(self, query: str, limit: int
                         ) -> tuple[Sequence[SearchRow], int, bool]:
        """(rows, total, capped)."""
        ...

    async def page(self, query: str, offset: int, limit: int) -> Sequence[SearchRow]: ...


@runtime_checkable
class LazyCountSource(Protocol):
    """A source whose ``first_page`` returns ``capped`` = True for a full page without counting
    ("50+"); the model asks ``count`` after the rows are shown."""

    async def count(self, query: str) -> tuple[int, bool]:
        """(total, capped)."""
        ...


@runtime_checkable
class NameOrderedSource(Protocol):
    """Says when its rows come in ``name_key`` order, all pages: the sort Name ascending."""

    def in_name_order(self, query: str) -> bool: ...
