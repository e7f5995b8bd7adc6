"""Search results as a lazy table: pages are read on demand (canFetchMore/fetchMore), so a
100 000-customer branch never sits in memory and no widget is made per row.

Rows are whatever the source returns (cache ``CustomerRow`` or platform ``Customer``): both
use the wire field names, so the model reads attributes by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush

from teller_app.ui import theme
from teller_app.ui.async_op import OpRunner
from teller_app.ui.data_text import segment_text, status_text
from teller_app.ui.validators import isolate

PAGE_SIZE = 100
Index = QModelIndex | QPersistentModelIndex


class SearchSource(Protocol):
    """Where results come from. ``immediate``: fast enough to search on every keystroke."""

    immediate: bool
    label: str

    async def first_page(self, query: str, limit: int) -> tuple[list[Any], int, bool]:
        """(rows, total, capped)."""
        ...

    async def page(self, query: str, offset: int, limit: int) -> list[Any]: ...


def full_name(row: Any) -> str:
    parts = (getattr(row, "surname", ""), getattr(row, "name", ""),
             getattr(row, "paternal_name", ""))
    return " ".join(p for p in parts if p)


def row_guid(row: Any) -> str:
    return str(getattr(row, "wallet_user_guid", "") or getattr(row, "guid", ""))


# (attribute, header) — headers are translated when asked for (context "CustomerTableModel"),
# not at import.
COLUMNS: Sequence[tuple[str, str]] = (
    ("full_name", str(QT_TRANSLATE_NOOP("CustomerTableModel", "Name"))),
    ("phone_number", str(QT_TRANSLATE_NOOP("CustomerTableModel", "Phone"))),
    ("login", str(QT_TRANSLATE_NOOP("CustomerTableModel", "Login"))),
    ("kyc_level", str(QT_TRANSLATE_NOOP("CustomerTableModel", "KYC"))),
    ("segment", str(QT_TRANSLATE_NOOP("CustomerTableModel", "Segment"))),
    ("status", str(QT_TRANSLATE_NOOP("CustomerTableModel", "Status"))),
    ("is_disabled", str(QT_TRANSLATE_NOOP("CustomerTableModel", "Disabled"))),
    ("branch_name", str(QT_TRANSLATE_NOOP("CustomerTableModel", "Branch"))),
)


def cell_value(row: Any, attribute: str) -> Any:
    if attribute == "full_name":
        return full_name(row)
    return getattr(row, attribute, "")


class CustomerTableModel(QAbstractTableModel):
    results_shown = Signal(str)  # the query whose first page is now in the model
    total_changed = Signal(int, bool)  # (total, capped)
    loading_changed = Signal(bool)
    search_failed = Signal(object)  # the exception

    def __init__(self, ops: OpRunner, parent: Any = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._rows: list[Any] = []
        self._total = 0
        self._capped = False
        self._query = ""
        self._source: SearchSource | None = None
        self._generation = 0  # bumps on every new search: late pages of old ones are dropped
        self._fetching = False
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # -- searching --------------------------------------------------------------------
    def search(self, source: SearchSource, query: str) -> None:
        self._generation += 1
        generation = self._generation
        self._fetching = False
        self.loading_changed.emit(True)
        self.ops.run(
            lambda: source.first_page(query, PAGE_SIZE),
            on_success=lambda result: self._first_page_arrived(generation, source, query,
                                                               result),
            on_error=lambda exc: self._failed(generation, exc),
            label=QCoreApplication.translate("CustomerTableModel", "Searching…"),
            key="search",
            network=not source.immediate,
        )

    def clear(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._total = 0
        self._capped = False
        self.endResetModel()

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

    def row_at(self, row: int) -> Any | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def loaded_count(self) -> int:
        return len(self._rows)

    def replace_row(self, customer: Any) -> None:
        """An edited customer is shown changed at once, without re-running the search."""
        guid = row_guid(customer)
        for i, row in enumerate(self._rows):
            if row_guid(row) == guid:
                self._rows[i] = customer
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def _first_page_arrived(self, generation: int, source: SearchSource, query: str,
                            result: tuple[list[Any], int, bool]) -> None:
        if generation != self._generation:
            return
        rows, total, capped = result
        self.beginResetModel()
        self._source, self._query = source, query
        self._rows = list(rows)
        self._total = max(total, len(self._rows))
        self._capped = capped
        self._apply_sort()
        self.endResetModel()
        self.loading_changed.emit(False)
        self.total_changed.emit(self._total, self._capped)
        self.results_shown.emit(self._query)

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
        return len(self._rows) < self._total or (self._capped and len(self._rows) >= PAGE_SIZE)

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

    def _page_arrived(self, generation: int, rows: list[Any]) -> None:
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
        if self._sort is not None:
            self._resort()  # sorted view: new rows take their sorted places
        if len(self._rows) > self._total:
            self._total = len(self._rows)
            self.total_changed.emit(self._total, self._capped)

    # -- Qt model API -----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("CustomerTableModel", COLUMNS[section][1])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        attribute = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            value = cell_value(row, attribute)
            if attribute == "is_disabled":
                return QCoreApplication.translate("CustomerTableModel", "disabled") if value else ""
            if attribute == "status":
                return status_text(value)
            if attribute == "segment":
                return segment_text(value)
            if attribute == "full_name":  # a right-to-left name cannot reorder the row
                return isolate(str(value))
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole and attribute == "full_name":
            return row_guid(row)
        if role == Qt.ItemDataRole.ForegroundRole and getattr(row, "is_disabled", False):
            return QBrush(theme.error_color())
        if role == Qt.ItemDataRole.UserRole:
            return row_guid(row)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # Sorts what is loaded; pages fetched later are merged into the same order.
        self._sort = (column, order)
        self._resort()

    def _resort(self) -> None:
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        guids = [(row_guid(self._rows[i.row()]), i.column()) for i in persistent]
        self._apply_sort()
        position = {row_guid(r): n for n, r in enumerate(self._rows)}
        moved = [self.index(position.get(g, 0), c) for g, c in guids]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        if self._sort is None:
            return
        column, order = self._sort
        attribute = COLUMNS[column][0]

        def key(row: Any) -> tuple[int, Any]:
            value = cell_value(row, attribute)
            if isinstance(value, bool | int):
                return (0, int(value))
            return (1, str(value or "").casefold())

        self._rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
