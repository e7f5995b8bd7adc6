"""Search results as a lazy table: pages are read on demand (canFetchMore/fetchMore), so a
100 000-customer branch never sits in memory and no widget is made per row.

Keystroke -> painted rows must fit one frame (16 ms): the first page is small (``FIRST_PAGE``,
more than a screenful), a source that can count later (``LazyCountSource``) shows "N+" at once
and the exact count when it arrives, and ``data()`` answers from display strings made once per
row (a paint asks ~10 roles per cell).

Rows are whatever the source returns (``SearchRow``: the cache's ``CustomerRow``, the platform's
``Customer``, or an edited customer's ``CustomerView``); all three carry the wire field names
the columns read, so no row is converted before it is painted. The columns and the texts a
row shows in them: ``customer_columns``.

Names sort in Ukrainian alphabetical order by the cache's key (``name_key``), never Python's
("Їжакевич" came after "Чорновіл"), and so do the other text columns (``text_key``); rows a
source gives in that order (``NameOrderedSource``: the cache's whole list) are not sorted
again: no work per row on the start page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush

from teller_app.cache.text import sort_key
from teller_app.ui import theme
from teller_app.ui.async_op import OpRunner
from teller_app.ui.customer_columns import COLUMNS as COLUMNS  # importable here (as before)
from teller_app.ui.customer_columns import WORDED, cell_value
from teller_app.ui.customer_columns import display_texts as display_texts
from teller_app.ui.customer_columns import full_name as full_name
from teller_app.ui.customer_columns import row_guid as row_guid
from teller_app.ui.customer_columns import turns_direction as turns_direction
from teller_app.ui.search_source_types import LazyCountSource, NameOrderedSource
from teller_app.ui.search_source_types import SearchSource as SearchSource  # importable here

if TYPE_CHECKING:  # typing only: the table is painted before pydantic is needed
    from teller_app.cache.rows import CustomerRow
    from teller_app.core.views import CustomerView
    from teller_app.platform.models.customers import Customer

    SearchRow = CustomerRow | Customer | CustomerView

PAGE_SIZE = 100
FIRST_PAGE = 50  # more rows than a maximised window shows; the rest come with fetchMore
Index = QModelIndex | QPersistentModelIndex


def name_key(row: SearchRow) -> str:
    """The cache's sort key: Ukrainian alphabetical order (а б в г ґ … є … и і ї й … ю я) by
    surname, name, patronymic; Latin letters before Cyrillic."""
    return sort_key(row.surname or "", row.name or "", row.paternal_name or "")


def text_key(text: str) -> str:
    """Another text column's sort key (Branch, Login, …): the names' (``name_key``), the same
    Ukrainian order (Python's put є, і, ї, ґ after я)."""
    return sort_key(text, "", "")


# Roles as plain ints: data() is called ~10 times per painted cell.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_USER = int(Qt.ItemDataRole.UserRole.value)
_DISABLED = len(COLUMNS)  # display_texts' last item: "1" for a disabled customer
NAME_COLUMN = [attribute for attribute, _header in COLUMNS].index("full_name")


class CustomerTableModel(QAbstractTableModel):
    results_shown = Signal(str)  # the query whose first page is now in the model
    total_changed = Signal(int, bool)  # (total, capped)
    loading_changed = Signal(bool)
    search_failed = Signal(object)  # the exception

    def __init__(self, ops: OpRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._rows: list[SearchRow] = []
        self._total = 0
        self._capped = False
        self._query = ""
        self._source: SearchSource | None = None
        self._generation = 0  # bumps on every new search: late pages of old ones are dropped
        self._fetching = False
        self._sort: tuple[int, Qt.SortOrder] | None = None
        # each loaded row's key for the sort asked (by id, the row kept to know it is the
        # same one): a page sorts in with the rows before it, none keyed twice
        self._keys: dict[int, tuple[SearchRow, tuple[int, int | str]]] = {}
        self._texts: dict[int, tuple[str, ...]] = {}  # row -> display_texts, made when painted

    # -- searching --------------------------------------------------------------------
    def search(self, source: SearchSource, query: str) -> None:
        self._generation += 1
        generation = self._generation
        self._fetching = False
        self.ops.cancel("search-page")  # the old search's paging (it may read far) stops
        self.loading_changed.emit(True)
        self.ops.run(
            lambda: source.first_page(query, FIRST_PAGE),
            on_success=lambda result: self._first_page_arrived(generation, source, query,
                                                               result),
            on_error=lambda exc: self._failed(generation, exc),
            label=QCoreApplication.translate("CustomerTableModel", "Searching…"),
            key="search",
            network=not source.immediate,
        )

    def clear(self) -> None:
        """No rows, no search: a search on its way or its paging lands nowhere (another
        employee took over the desk: nothing of the last one's results stays)."""
        self._generation += 1
        self._fetching = False
        self.ops.cancel("search-page")
        self.beginResetModel()
        self._rows = []
        self._texts.clear()
        self._keys.clear()
        self._total = 0
        self._capped = False
        self._source, self._query = None, ""
        self.endResetModel()
        self.total_changed.emit(0, False)

    @property
    def query(self) -> str:
        """The query whose results are shown (a newer one may be on its way)."""
        return self._query

    @property
    def total(self) -> int:
        return self._total

    @property
    def capped(self) -> bool:
        return self._capped

    def row_at(self, row: int) -> SearchRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def loaded_count(self) -> int:
        return len(self._rows)

    def replace_row(self, customer: SearchRow) -> None:
        """An edited customer is shown changed at once, without re-running the search."""
        guid = row_guid(customer)
        for i, row in enumerate(self._rows):
            if row_guid(row) == guid:
                self._rows[i] = customer
                self._texts.pop(i, None)
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def retranslate(self) -> None:
        """A live language switch: the cached display texts ("active", "disabled") are made
        again when next painted; no reset, so the selection and the scroll position stay."""
        self._texts.clear()
        if self._sort is not None and COLUMNS[self._sort[0]][0] in WORDED:
            self._keys.clear()  # sorted by words of the other language: by these now
            self._resort()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, len(COLUMNS) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)

    def _first_page_arrived(self, generation: int, source: SearchSource, query: str,
                            result: tuple[Sequence[SearchRow], int, bool]) -> None:
        if generation != self._generation:
            return
        rows, total, capped = result
        self.beginResetModel()
        self._source, self._query = source, query
        self._rows = list(rows)
        self._texts.clear()
        self._keys.clear()
        self._total = max(total, len(self._rows))
        self._capped = capped
        if not self._in_source_order():  # the cache's list: in order as it comes
            self._apply_sort()
        self.endResetModel()
        self.loading_changed.emit(False)
        self.total_changed.emit(self._total, self._capped)
        self.results_shown.emit(self._query)
        if capped and isinstance(source, LazyCountSource):
            self._count_later(generation, source, query)

    def _count_later(self, generation: int, source: LazyCountSource, query: str) -> None:
        """The exact count ("12 345" or "10 000+") after the rows are painted."""
        self.ops.run(
            lambda: source.count(query),
            on_success=lambda result: self._count_arrived(generation, result),
            on_error=lambda _exc: None,  # the rows are shown; the summary stays "N+"
            key="search-count",
            network=False,
        )

    def _count_arrived(self, generation: int, result: tuple[int, bool]) -> None:
        if generation != self._generation:
            return
        total, capped = result
        self._total = max(total, len(self._rows))
        self._capped = capped
        self.total_changed.emit(self._total, self._capped)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self.loading_changed.emit(False)
        self.search_failed.emit(exc)

    # -- lazy paging ------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._source is None or self._fetching:
            return False
        # "N+": there may be more, even after a short first page (a source that drops rows
        # the platform listed hands over what it has so far); an empty page ends it
        return len(self._rows) < self._total or self._capped

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        source = self._source
        assert source is not None
        self._fetching = True
        generation = self._generation
        query, offset = self._query, len(self._rows)
        self.ops.run(
            lambda: source.page(query, offset, PAGE_SIZE),
            on_success=lambda rows: self._page_arrived(generation, rows),
            on_error=lambda exc: self._failed(generation, exc),
            label=QCoreApplication.translate("CustomerTableModel", "Loading more results…"),
            key="search-page",
            network=not source.immediate,
        )

    def _page_arrived(self, generation: int, rows: Sequence[SearchRow]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        if not rows:
            self._total = len(self._rows)
            self._capped = False
            self.total_changed.emit(self._total, self._capped)
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()
        if self._sort is not None and not self._in_source_order():
            self._resort()  # sorted view: new rows take their sorted places
        if len(self._rows) > self._total:
            self._total = len(self._rows)
            self.total_changed.emit(self._total, self._capped)

    # -- Qt model API -----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> object:
        # the tooltip: a header elided beside the inbox dock (``fit_columns``) reads whole
        if orientation == Qt.Orientation.Horizontal and role in (_DISPLAY, _TOOLTIP):
            return QCoreApplication.translate("CustomerTableModel", COLUMNS[section][1])
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> object:
        if role in (_DISPLAY, _FOREGROUND):
            r = index.row()
            texts = self._texts.get(r)
            if texts is None:
                if not index.isValid():
                    return None
                texts = self._texts[r] = display_texts(self._rows[r])
            if role == _DISPLAY:
                return texts[index.column()]
            return QBrush(theme.error_color()) if texts[_DISABLED] else None
        if (role == _USER or (role == _TOOLTIP and index.column() == 0)) and index.isValid():
            return row_guid(self._rows[index.row()])  # the name's tooltip: the GUID
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # Sorts what is loaded; pages fetched later are merged into the same order.
        self._sort = (column, order)
        self._keys.clear()
        self._resort()

    def _resort(self) -> None:
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        guids = [(row_guid(self._rows[i.row()]), i.column()) for i in persistent]
        self._apply_sort()
        self._texts.clear()
        position = {row_guid(r): n for n, r in enumerate(self._rows)}
        moved = [self.index(position.get(g, 0), c) for g, c in guids]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _in_source_order(self) -> bool:
        """The sort asked is Name, ascending, and the source's rows come in that order."""
        source = self._source
        return self._sort == (NAME_COLUMN, Qt.SortOrder.AscendingOrder) and isinstance(
            source, NameOrderedSource) and source.in_name_order(self._query)

    def _apply_sort(self) -> None:
        # a click sorts whatever is loaded (a Name descending then ascending: in order again)
        if self._sort is None:
            return
        column, order = self._sort
        attribute = COLUMNS[column][0]

        keys = self._keys

        def key(row: SearchRow) -> tuple[int, int | str]:
            known = keys.get(id(row))
            if known is not None and known[0] is row:
                return known[1]
            if attribute == "full_name":
                made: tuple[int, int | str] = (1, name_key(row))
            elif attribute in WORDED:  # by the words shown ("VIP" before "роздрібний")
                made = (1, text_key(WORDED[attribute](cell_value(row, attribute))))
            else:
                value = cell_value(row, attribute)
                made = (0, int(value)) if isinstance(value, bool | int) else (
                    1, text_key(str(value or "")))
            keys[id(row)] = (row, made)
            return made

        self._rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
