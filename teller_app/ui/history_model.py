"""A lazy table of one account's payments: pages are fetched as the view scrolls
(``canFetchMore``/``fetchMore``); offline it shows what was last fetched, marked "as of".

The offline copy is the newest ``COPY_ROWS`` rows: kept as the first pages arrive (each at
most that many rows, built and written off the UI thread), then left alone, so a page
arriving at 40 000 rows does no more than one arriving at 600."""

from __future__ import annotations

import time
from datetime import datetime
from typing import NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from teller_app.core.history import (
    HistoryCopy,
    HistoryFilter,
    HistoryPager,
    HistoryRow,
    HistoryService,
)
from teller_app.core.history_export import UNKNOWN_TIME
from teller_app.core.receipt import kyiv_time, strip_ref
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cash_text import kind_text, status_text
from teller_app.ui.error_text import friendly_message, is_connectivity_error
from teller_app.ui.local_time import moment_text
from teller_app.ui.money import format_money
from teller_app.ui.till_text import voided_text

Index = QModelIndex | QPersistentModelIndex
_KINDS = {"04": "deposit", "02": "withdrawal"}


class HistoryHeaders(NamedTuple):
    """The table's column titles, by name (the export picks its own from them)."""
    date: str
    operation: str
    amount: str
    status: str
    purpose: str
    payment: str


def date_cell(moment: datetime | None) -> str:
    """The Date (Kyiv) column's text ("—" when the payment's time is unknown)."""
    return moment_text(kyiv_time(moment)) if moment is not None else UNKNOWN_TIME


def moved_money(row: HistoryRow) -> bool:
    """Only a confirmed payment moved money: its amount is coloured in or out."""
    status = row.payment.status_raw or str(row.payment.status)
    return not row.voided and status.upper() == "CONFIRMED"


class HistoryModel(QAbstractTableModel):
    loaded = Signal()  # a page arrived (or the offline copy was shown)
    failed = Signal(str)  # translated text

    def __init__(self, ops: OpRunner, service: HistoryService, account_guid: str,
                 minor_unit: int = 2, page_size: int = 50) -> None:
        super().__init__()
        self.ops = ops
        self.service = service
        self.account_guid = account_guid
        self.minor_unit = minor_unit
        self.page_size = page_size
        self.filters = HistoryFilter()
        self.rows: list[HistoryRow] = []
        self.pager: HistoryPager | None = None
        self.offline_as_of: float | None = None  # set while showing the offline copy
        self.offline_cut = False  # that copy holds only the newest rows of the history
        self._copy_complete = False  # this load's copy holds all it will (COPY_ROWS rows)
        self.fetched_at: float | None = None
        self._generation = 0

    def headers(self) -> HistoryHeaders:
        return HistoryHeaders(self.tr("Date (Kyiv)"), self.tr("Operation"), self.tr("Amount"),
                              self.tr("Status"), self.tr("Purpose"), self.tr("Payment"))

    # -- Qt model -----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HistoryHeaders._fields)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(row)[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2:
            from PySide6.QtGui import QColor

            if not moved_money(row):  # a draft (voided or not), a failed payment: grey
                return QColor("#6b6b6b")
            return QColor("#1b5e20") if row.incoming else QColor("#b00020")
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def cells(self, row: HistoryRow) -> list[str]:
        p = row.payment
        code = p.category
        kind = kind_text(_KINDS.get(code, "")) if code in _KINDS else (code or "—")
        amount = format_money(row.signed_amount, self.minor_unit, p.asset_code or "UAH")
        return [date_cell(p.created_at), kind, amount,
                voided_text() if row.voided else status_text(p.status_raw or str(p.status)),
                strip_ref(p.purpose),
                p.guid[:8]]

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        pager = self.pager
        return (not parent.isValid() and pager is not None and not pager.at_end
                and self.offline_as_of is None and not self.loading)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._fetch()

    # -- loading ------------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return bool(self.ops.is_busy(self._key()))

    def _key(self) -> str:
        return f"history:{self.account_guid}:{id(self)}"

    def reload(self, filters: HistoryFilter | None = None) -> None:
        """Start over (new filters, or a refresh)."""
        if filters is not None:
            self.filters = filters
        self._generation += 1
        self.beginResetModel()
        self.rows = []
        self.offline_as_of = None
        self.offline_cut = False
        self._copy_complete = False
        self.pager = self.service.pager(self.account_guid, self.filters, self.page_size)
        self.endResetModel()
        self._fetch()

    def _fetch(self) -> None:
        pager = self.pager
        if pager is None:
            return
        generation = self._generation

        def arrived(page: list[HistoryRow]) -> None:
            if generation != self._generation:
                return  # a newer reload started
            if page:
                start = len(self.rows)
                self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
                self.rows.extend(page)
                self.endInsertRows()
            self.fetched_at = pager.fetched_at or time.time()
            self._keep_copy(pager)
            self.loaded.emit()

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            if not is_connectivity_error(exc) or self.rows:
                self.failed.emit(friendly_message(exc))
                return

            def offline(saved: HistoryCopy | None) -> None:
                if generation != self._generation:
                    return
                if saved is None:  # nothing fetched before, not even before a restart
                    self.failed.emit(friendly_message(exc))
                    return
                self.beginResetModel()
                self.offline_as_of, self.rows = saved.fetched_at, list(saved.rows)
                self.offline_cut = saved.cut
                self.endResetModel()
                self.loaded.emit()

            self.ops.run(lambda: self.service.offline_copy(self.account_guid, self.filters),
                         on_success=offline,
                         on_error=lambda _e: self.failed.emit(friendly_message(exc)),
                         network=False, reauth=False)

        self.ops.run(pager.next_page, on_success=arrived, on_error=failed,
                     key=self._key(), label=self.tr("Reading the account history"))

    def _keep_copy(self, pager: HistoryPager) -> None:
        """The offline copy while it grows: the newest ``copy_rows`` rows (``COPY_ROWS``),
        kept again for each page until they are all in (or the history ends), then no more
        this load."""
        if self._copy_complete:
            return
        loaded, most = len(self.rows), self.service.copy_rows
        cut = loaded > most or (loaded == most and not pager.at_end)
        self._copy_complete = loaded >= most or pager.at_end
        rows, filters, at = self.rows[:most], self.filters, self.fetched_at or time.time()
        self.service.remember(self.account_guid, filters, rows, at, cut)
        self.ops.run(lambda: self.service.keep(self.account_guid, filters, rows, at, cut),
                     key=f"history-keep:{id(self)}", network=False, reauth=False)
