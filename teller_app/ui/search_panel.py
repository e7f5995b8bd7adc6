"""The search box, branch filter and results table: the teller's home screen.

Cache searches run on every keystroke (they answer in milliseconds on the DB thread);
platform searches wait ~150 ms of quiet typing. Either way a newer query cancels the older
one (the model's ops key "search"), so results never arrive out of order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, QTimer, Signal
from PySide6.QtGui import QKeyEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from teller_app.ui.async_op import OpRunner
from teller_app.ui.customer_table_model import CustomerTableModel, SearchSource
from teller_app.ui.error_text import friendly_message
from teller_app.ui.filter_sources import narrows
from teller_app.ui.fit_columns import SpareWidthToNames
from teller_app.ui.screen_fit import rows_high
from teller_app.ui.search_sources import iban_in_part, iban_mistake
from teller_app.ui.untrusted import plain_label, shown_lines

PLATFORM_DEBOUNCE_MS = 150


def configure_results_table(table: QTableView) -> None:
    """The results table's look. Nothing in it depends on the rows: fixed row heights and
    column widths from the headers and the viewport (``SpareWidthToNames``), so a new page
    of results is laid out without measuring any text. Call it after ``setModel``."""
    table.setSortingEnabled(True)
    table.horizontalHeader().setSortIndicatorShown(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    rows = table.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(24)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    # a header narrowed beside the inbox ends in "…" (cut at both ends it read "мкнен")
    header.setTextElideMode(Qt.TextElideMode.ElideRight)
    SpareWidthToNames(table)


class SearchPanel(QWidget):
    open_requested = Signal(object)  # the row (customer) to open
    results_shown = Signal(str)

    def __init__(
        self,
        ops: OpRunner,
        source_for: Callable[[str | None], SearchSource],
        parent: QWidget | None = None,
    ) -> None:
        """``source_for(branch_guid)`` picks where to search (cache or platform)."""
        super().__init__(parent)
        self.ops = ops
        self.source_for = source_for
        self.model = CustomerTableModel(ops, self)
        # the results shown came from a search with a filter on (the filter bar's or a
        # branch); the one under way, until its first page replaces them
        self.narrowed = self._narrowing = False

        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("searchBox")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setPlaceholderText(
            self.tr("Search: surname, name, login, phone or IBAN (Ctrl+F)")
        )
        self.search_box.installEventFilter(self)

        self.branch_filter = QComboBox(self)
        self.branch_filter.setObjectName("branchFilter")
        self.branch_filter.setToolTip(self.tr("Show customers of one branch"))
        self.branch_filter.hide()  # only head-office staff get it (set_branches)

        self.summary = plain_label(QLabel(self), wrap=False)  # may quote the platform's words
        self.summary.setObjectName("searchSummary")

        self.table = QTableView(self)
        self.table.setObjectName("resultsTable")
        self.table.setModel(self.model)
        configure_results_table(self.table)
        # three rows stay in view on a short window (150 %, a large font): a stretching
        # table gets only its minimum there, which was one row
        self.table.setMinimumHeight(rows_high(self.table, 3, scroll_bar=True))
        self.table.doubleClicked.connect(lambda _index: self.open_current())
        self.table.installEventFilter(self)

        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.branch_filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(PLATFORM_DEBOUNCE_MS)
        self.debounce.timeout.connect(self.run_search)
        self.search_box.textChanged.connect(self._text_changed)
        self.branch_filter.currentIndexChanged.connect(lambda _i: self.run_search())
        self.model.results_shown.connect(self._shown)
        self.model.total_changed.connect(lambda *_: self._update_summary())
        self.model.search_failed.connect(self._failed)

    # -- public -----------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def set_branches(self, branches: list[tuple[str, str]] | None) -> None:
        """Head office: a filter of (guid, name); None for branch staff (fixed to theirs)."""
        self.branch_filter.blockSignals(True)
        self.branch_filter.clear()
        if branches:
            self.branch_filter.addItem(self.tr("All branches"), None)
            for guid, name in branches:
                self.branch_filter.addItem(name, guid)
            self.branch_filter.show()
        else:
            self.branch_filter.hide()
        self.branch_filter.blockSignals(False)

    def selected_branch(self) -> str | None:
        if self.branch_filter.isHidden():
            return None
        data = self.branch_filter.currentData()
        return str(data) if data else None

    def run_search(self) -> None:
        self.debounce.stop()
        branch = self.selected_branch()
        source = self.source_for(branch)
        # the model drops every older search's answer, so what it shows next is this one's
        self._narrowing = branch is not None or narrows(source)
        self.model.search(source, self.search_box.text().strip())

    def forget(self) -> None:
        """Another employee takes over the desk: the last one's query (and its undo
        history: ``setText`` clears it) and results go before anything is searched again,
        so a failed or slow first search never leaves their rows to open."""
        self.debounce.stop()
        with QSignalBlocker(self.search_box):
            self.search_box.setText("")
        self.model.clear()
        self._update_summary()

    def current_row(self) -> Any | None:
        index = self.table.currentIndex()
        if not index.isValid() and self.model.rowCount() > 0:
            return self.model.row_at(0)
        return self.model.row_at(index.row()) if index.isValid() else None

    def open_current(self) -> None:
        row = self.current_row()
        if row is not None:
            self.open_requested.emit(row)

    # -- internals --------------------------------------------------------------------
    def _text_changed(self, _text: str) -> None:
        source_is_fast = self.source_for(self.selected_branch()).immediate
        if source_is_fast:
            self.run_search()
        else:
            self.debounce.start()

    def _to_table(self) -> None:
        if self.model.rowCount():
            self.table.setFocus()
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)

    def _shown(self, query: str) -> None:
        self.narrowed = self._narrowing
        self._update_summary()
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        self.results_shown.emit(query)

    def _update_summary(self) -> None:
        total, capped, query = self.model.total, self.model.capped, self.model.query
        if total == 0 and query:
            text = self._nothing_found(query)
            if self.narrowed:  # it may be the filters that found no one
                text += " " + self.tr("Filters are on.")
        elif total == 0:
            text = self.tr("No customers match the filters.") if self.narrowed else ""
        else:
            count = f"{total:,}".replace(",", "\u00a0") + ("+" if capped else "")
            text = (self.tr("%n customer(s) match the filters", "", total) if self.narrowed
                    else self.tr("%n customer(s)", "", total)).replace(str(total), count)
        self.summary.setText(text)

    def _nothing_found(self, query: str) -> str:
        # An IBAN in part finds only accounts this desk has read; a whole one, any account.
        if iban_in_part(query):
            return self.tr("No customers found. To search by IBAN, type it in full.")
        mistake = iban_mistake(query)
        return self.tr("No customers found.") + (f" {mistake}" if mistake else "")

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText(shown_lines(friendly_message(exc)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_current()
                return True
            if watched is self.search_box and key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
                self._to_table()
                return True
            if watched is self.table and key == Qt.Key.Key_Escape:
                self.focus_search()
                return True
            if watched is self.search_box and key == Qt.Key.Key_Escape and self.search_box.text():
                self.search_box.clear()
                return True
        return super().eventFilter(watched, event)
