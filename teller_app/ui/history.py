"""One account's history on the card: filters (dates, category, status), a lazy table, the
payment's detail with a receipt reprint (a copy: ``ui.payment_detail``), the CSV export of
every matching row (``core.history_export``), and an "as of" line that says when the rows
were fetched (offline: the last copy)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from teller_app.core.history import HistoryFilter, HistoryRow, HistoryService
from teller_app.core.history_export import (
    EN_CSV,
    UK_CSV,
    CsvStyle,
    ExportWords,
    history_csv,
    read_to_end,
)
from teller_app.core.private_files import write_private
from teller_app.core.receipt import ReceiptContext, kyiv_now, kyiv_tz, mask_iban
from teller_app.core.receipt_origin import OriginLookup, origin_lookup
from teller_app.core.sync import PAGE_SIZE as SYNC_PAGE
from teller_app.platform import PaymentStatus
from teller_app.ui.async_op import OpRunner
from teller_app.ui.banner import Banner
from teller_app.ui.cash_text import category_text, kind_text, status_text
from teller_app.ui.date_boxes import (
    WIDE_MOMENT,
    DateRange,
    TodayFollower,
    fit_moment_column,
    show_dates,
)
from teller_app.ui.error_text import friendly_message
from teller_app.ui.focus_return import FocusBackOnClose
from teller_app.ui.history_model import HistoryModel, date_cell
from teller_app.ui.local_time import local_clock_text, local_text
from teller_app.ui.money import is_ukrainian
from teller_app.ui.payment_detail import PaymentDetailDialog, drop_closed
from teller_app.ui.till_text import voided_text
from teller_app.ui.untrusted import fill, plain_label, shown_lines

# rows a page when the export reads the whole history: the platform's largest ``limit``
# (the sync's page; a server that caps it lower is read on until its total), so 40 000 rows
# are some 40 reads, not 400
EXPORT_PAGE = SYNC_PAGE


def _day(value: QDate) -> date:
    """QDate as a date (PySide's ``toPython`` is typed ``object``)."""
    return date(value.year(), value.month(), value.day())


class HistoryDialog(QDialog):
    exported = Signal(str)
    export_refused = Signal(str)  # translated: why nothing was written

    def __init__(self, ops: OpRunner, service: HistoryService, account_guid: str,
                 desk: ReceiptContext, minor_unit: int = 2, page_size: int = 50,
                 parent: QWidget | None = None, origin: OriginLookup | None = None,
                 now: Callable[[], datetime] = kyiv_now) -> None:
        """``desk``: who prints now (a reprint names them as its printer); ``origin``: who
        took a payment (default: the account's branch, the teller unknown); ``now``: the
        clock whose Kyiv date is "today" (a test sets it)."""
        super().__init__(parent)
        self.setObjectName("historyDialog")
        self.ops, self.service, self.desk = ops, service, desk
        self.origin = origin or origin_lookup(service.client, None, account_guid)
        self.minor_unit = minor_unit
        self.detail: PaymentDetailDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self.setWindowTitle(self.tr("Account history: {account}").format(
            account=mask_iban(desk.iban) or account_guid))
        self.model = HistoryModel(ops, service, account_guid, minor_unit, page_size)

        self.use_dates = QCheckBox(self.tr("&Dates"), self)
        # Kyiv's today (the table and the filter speak Kyiv time). A "to" left at it follows
        # the calendar (``TodayFollower``): a dialog open past midnight hid the new day.
        self._today = TodayFollower(now)
        self.date_from = QDateEdit(self._today.default.addMonths(-1), self)
        self.date_to = QDateEdit(self._today.default, self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setEnabled(False)
        show_dates(self.date_from, self.date_to)  # opened again after a language switch
        self.category = QComboBox(self)
        self.category.setObjectName("historyCategory")
        self.category.addItem(self.tr("All categories"), "")
        self.status = QComboBox(self)
        self.status.setObjectName("historyStatus")
        self.status.addItem(self.tr("Any status"), "")
        self.status.addItem(status_text("CONFIRMED"), "CONFIRMED")
        self.status.addItem(status_text("CREATED"), "CREATED")
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.export_button = QPushButton(self.tr("Export CSV…"), self)
        self.export_button.setObjectName("exportHistory")
        for button in (self.refresh_button, self.export_button):
            # Enter on a row opens that payment: no button of the dialog takes it too (Refresh
            # was the default, and reloaded the history behind the payment's detail)
            button.setAutoDefault(False)
        filters = QHBoxLayout()
        for widget in (self.use_dates, self.date_from, QLabel("—", self), self.date_to,
                       self.category, self.status, self.refresh_button, self.export_button):
            filters.addWidget(widget)
        filters.addStretch(1)

        self.table = QTableView(self)
        self.table.setObjectName("historyTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves it (ui/a11y does it too, later)
        self.table.verticalHeader().hide()
        # Short texts on one line ("Внесення готівки" wrapped at the default width while an
        # empty Purpose took the rest); Purpose gets what is left (``_fit_columns``).
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        fit_moment_column(self.table, 0, date_cell(WIDE_MOMENT))  # one line, not two
        # a double-click (``activated``: ``doubleClicked`` too opened a second detail)
        self.table.activated.connect(self._row_activated)
        self.table.installEventFilter(self)  # Enter: ``eventFilter``
        self.as_of = plain_label(QLabel(self))  # an error may quote the platform's words
        self.as_of.setObjectName("historyAsOf")
        self.as_of.setStyleSheet("color: #666;")
        self.banner = Banner(self)  # an export refused says so here

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.as_of)
        self.resize(860, 480)
        # The payments under the keyboard when the history opens (Ctrl+H): arrows go through
        # the rows, Enter opens one, Shift+Tab reaches the filters. The first focusable
        # widget ("Dates") took it, and Down changed the category instead.
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

        self.use_dates.toggled.connect(self._dates_toggled)
        self.dates = DateRange(self.date_from, self.date_to)  # once a date is set, in order
        self.dates.changed.connect(self.apply_filters)
        self.category.currentIndexChanged.connect(self._filter_picked)
        self.status.currentIndexChanged.connect(self._filter_picked)
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.choose_export_path)
        self.model.loaded.connect(self._paint_state)
        self._columns_fitted = False
        self.model.loaded.connect(self._fit_columns)
        # Bound methods, never a lambda on ``self``: the model is not a child of the dialog
        # (Python owns it), so a lambda connected to its signal stayed connected after the
        # dialog was deleted and kept the closed window and every row it read alive.
        self.model.failed.connect(self._show_failure)
        self._load_categories()
        self.model.reload()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter on a row opens that payment and goes no further: a table passes Enter on to
        its dialog, which pressed its default button (Refresh; once the detail was open, the
        detail's own Close, which is a child of this dialog too)."""
        if watched is self.table and isinstance(event, QKeyEvent) and \
                event.type() == QEvent.Type.KeyPress and \
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_payment(self.table.currentIndex().row())
            return True
        return super().eventFilter(watched, event)

    # -- filters ------------------------------------------------------------------------
    def _load_categories(self) -> None:
        def shown(items: list[tuple[str, str, str]]) -> None:
            for guid, code, description in items:
                self.category.addItem(category_text(code, description), guid)

        self.ops.run(self.service.categories, on_success=shown,
                     on_error=lambda _exc: None, parent=self,
                     label=self.tr("Reading payment categories"))

    def refresh(self) -> None:
        """The rows again (Refresh), up to today if "to" was left at its default."""
        self._today.follow(self.date_to)
        self.model.reload(self.current_filters())

    def _dates_toggled(self, on: bool) -> None:
        self._today.follow(self.date_to)
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.apply_filters()

    def current_filters(self) -> HistoryFilter:
        start = end = None
        if self.use_dates.isChecked():
            tz = kyiv_tz()
            start = datetime.combine(_day(self.date_from.date()), dtime.min, tz)
            # inclusive (``HistoryFilter``) to the microsecond the platform's times carry
            end = datetime.combine(_day(self.date_to.date()), dtime.max, tz)
        return HistoryFilter(start, end, str(self.category.currentData() or ""),
                             str(self.status.currentData() or ""))

    def _filter_picked(self, _index: int) -> None:
        self.apply_filters()

    def apply_filters(self) -> None:
        filters = self.current_filters()
        if filters != self.model.filters:
            self.model.reload(filters)

    def _fit_columns(self) -> None:
        """Operation, amount, status and payment as wide as their texts, once the first rows
        are in: later pages and refreshes keep the widths (a teller's own ones too). Not
        ``ColumnFitter``: it measures every row, and this table pages in as many as the
        account has (Qt's fit reads at most ``resizeContentsPrecision`` rows)."""
        if self._columns_fitted or self.model.rowCount() == 0:
            return
        self._columns_fitted = True
        for column in (1, 2, 3, 5):
            self.table.resizeColumnToContents(column)

    def _paint_state(self) -> None:
        # Kyiv time, as the rows are (not this computer's zone)
        if self.model.offline_as_of is not None:
            stamp = local_text(datetime.fromtimestamp(self.model.offline_as_of, UTC))
            if self.model.offline_cut:  # the copy keeps only the newest rows
                self.as_of.setText(fill(self.tr(
                    "Offline: as of %1, only the newest %n payments, as last fetched", "",
                    len(self.model.rows)), stamp))
            else:
                self.as_of.setText(self.tr("Offline: as of {time}, as last fetched").format(
                    time=stamp))
        else:
            stamp = local_clock_text(datetime.fromtimestamp(self.model.fetched_at or 0, UTC))
            total = self.model.pager.total if self.model.pager else None
            shown = len(self.model.rows)
            if total is None:
                text = self.tr("%n payments, fetched at %1", "", shown).replace("%1", stamp)
            else:
                text = fill(self.tr("%1 of %n payments, fetched at %2", "", total),
                            str(shown), stamp)
            self.as_of.setText(text)

    def _show_failure(self, text: str) -> None:
        self.as_of.setText(shown_lines(text))

    # -- detail / export ----------------------------------------------------------------
    def _row_activated(self, index: QModelIndex) -> None:
        self.open_payment(index.row())

    def open_payment(self, row: int) -> None:
        if not 0 <= row < len(self.model.rows):
            return
        drop_closed(self.detail)  # the one before: each stayed until the history closed
        self.detail = PaymentDetailDialog(self.model.rows[row], self.desk, self.minor_unit,
                                          self.ops, self, self.origin)
        FocusBackOnClose(self.detail)  # closed, the keys go back to the row's table
        self.detail.open()

    def choose_export_path(self) -> None:
        dialog = self.file_dialog = QFileDialog(self, self.tr("Export history"),
                                                "history.csv", self.tr("CSV files (*.csv)"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("csv")
        dialog.fileSelected.connect(self.export_to)
        dialog.open()

    def export_words(self) -> ExportWords:
        """The export's headers and the words its cells use, as the table says them (Qt's
        translator: on the UI thread; the cells are made off it)."""
        head = self.model.headers()
        return ExportWords(
            headers=(head.date, self.tr("Time (ISO 8601)"), head.operation, self.tr("Direction"),
                     head.amount, self.tr("Currency"), head.status, head.purpose,
                     self.tr("Payment ID"), self.tr("Stellar transaction")),
            incoming=self.tr("Incoming"), outgoing=self.tr("Outgoing"),
            # HistoryModel.cells: cash deposits and withdrawals by name, others by code
            operations={"04": kind_text("deposit"), "02": kind_text("withdrawal")},
            statuses={s.value: status_text(s.value) for s in PaymentStatus},
            other_status=status_text(""), voided=voided_text())

    def export_to(self, path: str) -> None:
        """Every payment the filters match, not only those scrolled into view: the history
        is read to its end first (off the UI thread), then written as CSV (BOM, 0600).
        When it cannot be read whole (offline, an error) nothing is written and the banner
        says why."""
        self.banner.clear()
        if self.model.offline_as_of is not None:
            self._refuse(self.tr("Not exported: the platform cannot be reached, and the copy "
                                 "shown may be only part of the history. Export again when "
                                 "the desk is online."))
            return
        pager = self.service.pager(self.model.account_guid, self.model.filters, EXPORT_PAGE)
        self.ops.run(lambda: read_to_end(pager),
                     on_success=lambda rows: self._write_export(path, rows),
                     on_error=lambda exc: self._refuse(self.tr(
                         "Not exported: the whole history could not be read ({reason}). "
                         "Nothing was written.").format(reason=friendly_message(exc))),
                     parent=self, key=f"history-export:{id(self)}",
                     label=self.tr("Reading the whole history for the export"),
                     disable=(self.export_button,))

    def _write_export(self, path: str, rows: list[HistoryRow]) -> None:
        # the words and the style here (the translator, the locale); the CSV itself off the
        # UI thread: 50 000 rows take most of a second
        words, style, minor_unit = self.export_words(), self.csv_style(), self.minor_unit

        def write() -> None:  # 0600 from the first byte, even over an older file
            text = history_csv(rows, words, minor_unit, style)
            write_private(Path(path), text.encode("utf-8-sig"))

        def done(_result: object) -> None:
            self.as_of.setText(self.tr("Exported to {path}").format(path=path))
            self.exported.emit(path)

        self.ops.run(lambda: asyncio.to_thread(write), on_success=done,
                     on_error=lambda exc: self._refuse(friendly_message(exc)),
                     parent=self, label=self.tr("Exporting"), network=False)

    @staticmethod
    def csv_style() -> CsvStyle:
        return UK_CSV if is_ukrainian() else EN_CSV

    def _refuse(self, text: str) -> None:
        self.banner.show_message(text, "error")
        self.export_refused.emit(text)
