"""The audit trail for supervisors, read from the Teller Hub's append-only log: every desk of
the branch (head office: one branch or all), filters (branch, action, employee, dates) applied
by the hub, human names (employees and customers), translated action names (the table:
``ui/audit_model``), the hub's chain check, and a formula-safe CSV export of everything the
list matches. The newest page is shown first and older pages load as the table reaches its
end (an older hub: the whole range at once; the reads: ``ui/audit_pages``). All reads run
off the UI thread, one older page at a time, and a page read for an earlier list (filters,
Refresh) is dropped. Enter or Space on a row opens the entry in full
(``ui/audit_entry``); Tab leaves the table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEvent, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from teller_app.core.audit import HUB_ACTIONS
from teller_app.core.receipt import kyiv_now, kyiv_tz
from teller_app.core.session import HubLink
from teller_app.platform.hub_models import AuditRecord, AuditVerify
from teller_app.ui.audit_entry import (
    AuditEntryDialog,
    AuditTable,
    filter_text,
    widest_action_text,
)
from teller_app.ui.audit_entry import when as when  # importable here
from teller_app.ui.audit_model import COLUMNS as COLUMNS  # importable here
from teller_app.ui.audit_model import AuditTableModel
from teller_app.ui.audit_pages import (
    TrailPage,
    csv_style,
    export_all,
    first_read,
    look_up,
    missing_names,
    older_page,
)
from teller_app.ui.date_boxes import (
    WIDE_MOMENT,
    DateRange,
    TodayFollower,
    fit_moment_column,
    show_dates,
)
from teller_app.ui.local_time import local_text
from teller_app.ui.people_lookup import NameLookup
from teller_app.ui.untrusted import fill

OLDER_KEY = "audit-older"  # the one older page in flight
TYPICAL_EMAIL = "olena.koval@branch-12.bank.ua"  # the Employee column's width
TYPICAL_CUSTOMER = "Коваленко Олександра"  # the Customer column's (a GUID: cut)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class AuditView(QWidget):
    loaded = Signal(int)  # rows shown
    verified = Signal(object)  # AuditVerify
    exported = Signal(str)  # path

    def __init__(
        self,
        link: Callable[[], HubLink | None],
        ops: Any,
        *,
        branches: list[tuple[str, str]] | None = None,
        employee_names: NameLookup | None = None,
        customer_names: NameLookup | None = None,
        parent: QWidget | None = None,
        now: Callable[[], datetime] = kyiv_now,
    ) -> None:
        """``branches``: (guid, name) a head-office supervisor may pick from (None: the
        hub scopes a branch supervisor to their branch); ``now``: the clock whose Kyiv date
        is "today" (a test sets it)."""
        super().__init__(parent)
        self.link = link
        self.ops = ops
        self._employee_names = employee_names
        self._customer_names = customer_names
        self.model = AuditTableModel(self)
        self.model.fetch_older = self.fetch_older  # the table reached its end
        self._status_text: Callable[[], str] | None = None  # made again on a switch
        # the list shown: its number (a page read for an earlier one is dropped), its hub
        # query, where its next older page starts (None: all shown), a page in flight
        self._list = 0
        self._list_filters: dict[str, Any] = {}
        self._older: int | None = None
        self._fetching = False

        self.branch = QComboBox()
        self.branch.addItem("", "")  # "All branches" (retranslate)
        for guid, name in branches or []:
            self.branch.addItem(name or guid, guid)
        self.branch.setVisible(branches is not None)
        self.action = QComboBox()
        self.action.addItem("", "")  # "All actions" (retranslate)
        for action in HUB_ACTIONS:
            self.action.addItem(action, action)
        self.employee = QLineEdit()
        # Kyiv's today, as the filter reads its days (a UTC machine's date is a day behind from
        # 00:00 to 02:00-03:00 Kyiv); a "to" left at it follows the calendar (``TodayFollower``:
        # the panel lives all session, and hid everything after midnight until a restart).
        self._today = TodayFollower(now)
        self.date_from = QDateEdit(self._today.default.addMonths(-1))
        self.date_to = QDateEdit(self._today.default)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)  # the format: retranslate (the language's)
        self.refresh_button = QPushButton()
        self.verify_button = QPushButton()
        self.export_button = QPushButton()
        self.status = QLabel()
        self.employee_label, self.from_label, self.to_label = QLabel(), QLabel(), QLabel()
        for label, field in ((self.employee_label, self.employee),
                             (self.from_label, self.date_from), (self.to_label, self.date_to)):
            label.setBuddy(field)  # Alt+letter (retranslate), and the box's name read aloud
        self.entry_dialog: AuditEntryDialog | None = None

        self.table = AuditTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)  # Tab goes on to the buttons, arrows move
        self.table.activated.connect(self.open_entry)  # Enter, Space, a double-click
        # the last row reached by keys (End, Ctrl+End, Down) when the view need not scroll
        self.table.selectionModel().currentRowChanged.connect(self._row_reached)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)  # the number
        header.setStretchLastSection(True)

        filters = QHBoxLayout()
        filter_widgets: tuple[QWidget, ...] = (
            self.branch, self.action, self.employee_label, self.employee, self.from_label,
            self.date_from, self.to_label, self.date_to)
        for widget in filter_widgets:
            filters.addWidget(widget)
        buttons = QHBoxLayout()
        for button in (self.refresh_button, self.verify_button, self.export_button):
            buttons.addWidget(button)
        buttons.addWidget(self.status, 1)
        box = QVBoxLayout(self)
        box.addLayout(filters)
        box.addWidget(self.table, 1)
        box.addLayout(buttons)

        for combo in (self.branch, self.action):
            combo.currentIndexChanged.connect(self.refresh)
        self.employee.editingFinished.connect(self.refresh)
        self.dates = DateRange(self.date_from, self.date_to)  # once a date is set, in order
        self.dates.changed.connect(self.refresh)
        self.refresh_button.clicked.connect(self.refresh)
        self.verify_button.clicked.connect(self.verify)
        self.export_button.clicked.connect(self.choose_export_path)
        self.retranslate()

    # -- texts ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Every text in the current language, in place: combo items by index (the picks
        stay, no refresh), the table's headers and actions, a status that states a fact
        (not configured, entries shown, the chain check); filters and rows stay."""
        self.branch.setItemText(0, self.tr("All branches"))
        self.action.setItemText(0, self.tr("All actions"))
        for index in range(1, self.action.count()):
            self.action.setItemText(index, filter_text(str(self.action.itemData(index))))
        self.employee.setPlaceholderText(self.tr("Employee e-mail"))
        self.employee_label.setText(self.tr("&Employee:"))
        self.from_label.setText(self.tr("Fro&m"))
        self.to_label.setText(self.tr("t&o"))
        self.table.setAccessibleName(self.tr("Audit entries"))
        show_dates(self.date_from, self.date_to)
        self.refresh_button.setText(self.tr("Refresh"))
        self.verify_button.setText(self.tr("Verify chain"))
        self.export_button.setText(self.tr("Export CSV…"))
        self.model.retranslate()
        # "When" on one line (English moments are longer than Ukrainian ones)
        fit_moment_column(self.table, 1, local_text(WIDE_MOMENT, seconds=True))
        # the action on one line: the longest name (a desk's record, a refused decision)
        fit_moment_column(self.table, 2, widest_action_text(self.table.fontMetrics()))
        # an employee's e-mail whole (names are shorter); a longer one: its tooltip
        fit_moment_column(self.table, 3, TYPICAL_EMAIL)
        # a customer's usual name whole (Qt's default 100 px cut most); a longer: its tooltip
        fit_moment_column(self.table, 4, TYPICAL_CUSTOMER)
        if self._status_text is not None:
            self.status.setText(self._status_text())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show_status(self, make: Callable[[], str]) -> None:
        """A status line ``retranslate`` makes again in the new language."""
        self._status_text = make
        self.status.setText(make())

    # -- reading ------------------------------------------------------------------------
    def filters(self) -> dict[str, Any]:
        kyiv = kyiv_tz()  # the days the header names ("When (Kyiv)"), not UTC's
        start = datetime.combine(_day(self.date_from.date()), time.min, kyiv)
        # the next day's midnight: the hub's bound is exclusive (23:59:59.999 lost an entry)
        end = datetime.combine(_day(self.date_to.date()) + timedelta(days=1), time.min, kyiv)
        action = self.action.currentData() or ""
        return {
            "branch_guid": self.branch.currentData() or None,
            "actor": self.employee.text().strip() or None,
            "actions": (action,) if action else (),
            "since_ms": int(start.timestamp() * 1000),
            "until_ms": int(end.timestamp() * 1000),
        }

    def refresh(self) -> None:
        self._today.follow(self.date_to)
        self._list += 1  # a page still being read for the list before is dropped
        self.ops.cancel(OLDER_KEY)
        self._fetching = False
        # nothing more fetched until the new list is shown; ``_older`` and
        # ``_list_filters`` still describe the list shown (an export exports it whole)
        self.model.more = False
        link = self.link()
        if link is None:
            self._show_status(lambda: self.tr("The audit trail is on the Teller Hub, which is "
                                              "not configured."))
            return
        filters, number = self.filters(), self._list

        def shown(read: TrailPage) -> None:
            if number != self._list:
                return
            self._list_filters = filters
            self.model.set_entries(read.entries)
            self.table.scrollToTop()  # a new list starts at its newest (a view left at
            # its end would not scroll again, and Qt fetches more when it scrolls there)
            self._set_older(read.older)
            self._show_count()
            self.resolve_names(read.entries)
            self.loaded.emit(len(read.entries))

        def failed(exc: BaseException) -> None:
            if number == self._list:  # the list shown stays, and goes on loading
                self.model.more = self._older is not None
            self._failed(exc)

        self.ops.run(lambda: first_read(link, filters), on_success=shown,
                     on_error=failed, parent=self,
                     label=self.tr("Reading the audit trail"), key="audit-refresh")

    def fetch_older(self) -> None:
        """The next older page below the rows shown (the table reached its end: Qt's
        ``fetchMore``); one at a time, and only into the list it was read for."""
        link = self.link()
        if self._fetching or self._older is None or not self.model.more or link is None:
            return
        self._fetching = True
        before, filters, number = self._older, self._list_filters, self._list

        def shown(read: TrailPage) -> None:
            if number != self._list:
                return  # read for an earlier list
            self._fetching = False
            self.model.append_entries(read.entries)
            self._set_older(read.older)
            self._show_count()
            self.resolve_names(read.entries)
            self.loaded.emit(len(self.model.entries))

        def failed(exc: BaseException) -> None:
            if number == self._list:
                self._fetching = False  # reaching the end again tries again
                self._failed(exc)

        self.ops.run(lambda: older_page(link, before, filters), on_success=shown,
                     on_error=failed, parent=self,
                     label=self.tr("Reading older audit entries"), key=OLDER_KEY)

    def _row_reached(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.row() == self.model.rowCount() - 1 and self.model.canFetchMore(
                QModelIndex()):
            self.fetch_older()

    def _set_older(self, older: int | None) -> None:
        self._older = older
        self.model.more = older is not None

    def _show_count(self) -> None:
        count = len(self.model.entries)
        if self._older is None:
            self._show_status(lambda: self.tr("%n entries", "", count))
        else:
            self._show_status(lambda: self.tr(
                "%n entries shown; older entries load as you scroll down", "", count))

    def open_entry(self, index: QModelIndex) -> None:
        """The entry in full, plain text (its details one a line); focus back here after."""
        entry = self.model.data(index, Qt.ItemDataRole.UserRole)
        if not isinstance(entry, AuditRecord):
            return
        texts = self.model.row_texts(entry)  # the names as the table shows them
        if self.entry_dialog is not None:
            self.entry_dialog.close()
        dialog = self.entry_dialog = AuditEntryDialog(
            entry, actor=texts[3], customer=texts[4], names=self.model.employee_names,
            customer_names=self.model.customer_names, parent=self)
        dialog.finished.connect(lambda _result: self._entry_closed(dialog))
        dialog.open()

    def _entry_closed(self, dialog: AuditEntryDialog) -> None:
        if self.entry_dialog is dialog:
            self.entry_dialog = None
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        dialog.deleteLater()

    def resolve_names(self, entries: list[AuditRecord]) -> None:
        """Names for a page's employees (and those its details name) and customers."""
        actors, customers = missing_names(self.model, entries)
        people, clients = self._employee_names, self._customer_names
        if (not actors or people is None) and (not customers or clients is None):
            return
        self.ops.run(lambda: look_up(actors, customers, people, clients),
                     on_success=lambda pair: self.model.set_names(*pair),
                     on_error=lambda _exc: None, parent=self,
                     label=self.tr("Looking up names"))

    def verify(self) -> None:
        link = self.link()
        if link is None:
            return

        def shown(result: AuditVerify) -> None:
            if result.ok:
                self._show_status(lambda: self.tr("Chain intact: %n entries.", "",
                                                  result.count))
            else:
                self._show_status(lambda: fill(self.tr("Chain broken at entry %1: %2"),
                                               str(result.bad_seq), result.problem or ""))
            self.verified.emit(result)

        self.ops.run(lambda: link.call(lambda hub: hub.verify_audit()), on_success=shown,
                     on_error=self._failed, parent=self,
                     label=self.tr("Verifying the audit trail"))

    # -- export -------------------------------------------------------------------------
    def choose_export_path(self) -> None:
        dialog = QFileDialog(self, self.tr("Export audit trail"), "audit.csv",
                             self.tr("CSV files (*.csv)"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("csv")
        dialog.fileSelected.connect(self.export_to)
        dialog.open()

    def export_to(self, path: str) -> None:
        """Exports everything the list matches, newest first: the rows shown, then the older
        pages read from the hub (a page at a time, written as it goes, off the UI thread),
        as shown (names, translated actions), formula-safe; with each entry's own action
        code, details as recorded (JSON) and hash, for machines. The file appears under its
        name only once complete (0600), its separator the language's now (``csv_style``:
        ";" in Ukrainian), each time also in ISO 8601 with its offset."""
        link = self.link()
        older = self._older if link is not None else None
        loaded, filters, style = list(self.model.entries), self._list_filters, csv_style()
        self.ops.run(lambda: export_all(Path(path), self.model, loaded, older, link, filters,
                                        self._employee_names, style),
                     on_success=lambda count: self._exported(path, count),
                     on_error=self._export_failed, parent=self, label=self.tr("Exporting"),
                     network=older is not None)

    def _exported(self, path: str, count: int) -> None:
        self._show_status(lambda: fill(self.tr("Exported %n entries to %1", "", count), path))
        self.exported.emit(path)

    def _export_failed(self, exc: BaseException) -> None:
        from teller_app.ui.error_text import friendly_message

        self._show_status(lambda: fill(self.tr("Nothing was exported: %1"),
                                       friendly_message(exc)))

    def _failed(self, exc: BaseException) -> None:
        from teller_app.ui.error_text import friendly_message

        self._show_status(lambda: friendly_message(exc))
