"""The audit trail for supervisors: a table, filters (action, employee, dates, customer), a
chain check and CSV export (formula-safe). Reading the file runs off the UI thread."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
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

from teller_app.core.audit import AuditAction, AuditEntry, AuditLog, VerifyResult, export_csv
from teller_app.ui.local_time import local_text

AnyIndex = QModelIndex | QPersistentModelIndex
COLUMNS = ("seq", "at", "action", "actor", "customer", "details")


class AuditTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.entries: list[AuditEntry] = []
        self.headers = (
            self.tr("#"), self.tr("When (Kyiv)"), self.tr("Action"), self.tr("Employee"),
            self.tr("Customer"), self.tr("Details"),
        )

    def set_entries(self, entries: list[AuditEntry]) -> None:
        self.beginResetModel()
        self.entries = list(reversed(entries))  # newest first
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self.entries[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return entry
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        col = COLUMNS[index.column()]
        if col == "seq":
            return entry.seq
        if col == "at":
            return local_text(entry.at, seconds=True)
        if col == "action":
            return entry.action
        if col == "actor":
            return entry.actor
        if col == "customer":
            return entry.customer_guid
        details = {k: v for k, v in entry.details.items() if k != "customer_guid"}
        return ", ".join(f"{k}={v}" for k, v in sorted(details.items()))


class AuditFilterProxy(QSortFilterProxyModel):
    """Rows matching every set filter: action, employee guid, customer guid, date range."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.action = ""
        self.employee = ""
        self.customer = ""
        self.date_from: date | None = None
        self.date_to: date | None = None

    def set_filters(self, *, action: str = "", employee: str = "", customer: str = "",
                    date_from: date | None = None, date_to: date | None = None) -> None:
        begin = getattr(self, "beginFilterChange", None)  # Qt >= 6.9; invalidateFilter older
        if begin is not None:
            begin()
        self.action = action
        self.employee = employee.strip().lower()
        self.customer = customer.strip().lower()
        self.date_from, self.date_to = date_from, date_to
        if begin is not None:
            self.endFilterChange()
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: AnyIndex) -> bool:
        model = self.sourceModel()
        entry: AuditEntry = model.data(model.index(row, 0, parent), Qt.ItemDataRole.UserRole)
        if self.action and entry.action != self.action:
            return False
        if self.employee and self.employee not in entry.actor.lower():
            return False
        if self.customer and self.customer not in entry.customer_guid.lower():
            return False
        day = _day(entry.at)
        if self.date_from and (day is None or day < self.date_from):
            return False
        return not (self.date_to and (day is None or day > self.date_to))

    def visible_entries(self) -> list[AuditEntry]:
        return [
            self.data(self.index(r, 0), Qt.ItemDataRole.UserRole) for r in range(self.rowCount())
        ]


def _day(at: str) -> date | None:
    try:
        return date.fromisoformat(at[:10])
    except ValueError:
        return None


class AuditView(QWidget):
    verified = Signal(object)  # VerifyResult
    exported = Signal(str)  # path

    def __init__(self, log: AuditLog, ops: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.log = log
        self.ops = ops
        self.model = AuditTableModel(self)
        self.proxy = AuditFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.action = QComboBox()
        self.action.addItem(self.tr("All actions"), "")
        for action in AuditAction.ALL:
            self.action.addItem(action, action)
        self.employee = QLineEdit()
        self.employee.setPlaceholderText(self.tr("Employee guid"))
        self.customer = QLineEdit()
        self.customer.setPlaceholderText(self.tr("Customer guid"))
        self.date_from = QDateEdit(QDate.currentDate().addMonths(-1))
        self.date_to = QDateEdit(QDate.currentDate())
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.verify_button = QPushButton(self.tr("Verify chain"))
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.status = QLabel()

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)

        filters = QHBoxLayout()
        for widget in (self.action, self.employee, self.customer, QLabel(self.tr("From")),
                       self.date_from, QLabel(self.tr("to")), self.date_to):
            filters.addWidget(widget)
        buttons = QHBoxLayout()
        for widget in (self.refresh_button, self.verify_button, self.export_button):
            buttons.addWidget(widget)
        buttons.addWidget(self.status, 1)
        box = QVBoxLayout(self)
        box.addLayout(filters)
        box.addWidget(self.table, 1)
        box.addLayout(buttons)

        self.action.currentIndexChanged.connect(self.apply_filters)
        self.employee.textChanged.connect(self.apply_filters)
        self.customer.textChanged.connect(self.apply_filters)
        self.date_from.dateChanged.connect(self.apply_filters)
        self.date_to.dateChanged.connect(self.apply_filters)
        self.refresh_button.clicked.connect(self.refresh)
        self.verify_button.clicked.connect(self.verify)
        self.export_button.clicked.connect(self.choose_export_path)
        self.apply_filters()

    def apply_filters(self) -> None:
        self.proxy.set_filters(
            action=self.action.currentData() or "",
            employee=self.employee.text(),
            customer=self.customer.text(),
            date_from=self.date_from.date().toPython(),
            date_to=self.date_to.date().toPython(),
        )

    def refresh(self) -> None:
        self.ops.run(lambda: asyncio.to_thread(self.log.entries), on_success=self.model.set_entries,
                     parent=self, label=self.tr("Reading the audit trail"), network=False,
                     key="audit-refresh")

    def verify(self) -> None:
        def shown(result: VerifyResult) -> None:
            if result.ok:
                self.status.setText(self.tr("Chain intact: %1 entries.").replace(
                    "%1", str(result.entries)))
            else:
                self.status.setText(self.tr("Chain broken at entry %1: %2").replace(
                    "%1", str(result.first_broken_seq)).replace("%2", result.reason))
            self.verified.emit(result)

        self.ops.run(lambda: asyncio.to_thread(self.log.verify), on_success=shown, parent=self,
                     label=self.tr("Verifying the audit trail"), network=False)

    def choose_export_path(self) -> None:
        dialog = QFileDialog(self, self.tr("Export audit trail"), "audit.csv",
                             self.tr("CSV files (*.csv)"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("csv")
        dialog.fileSelected.connect(self.export_to)
        dialog.open()

    def export_to(self, path: str) -> None:
        """Exports the rows the filters show (formula-safe cells)."""
        entries = list(reversed(self.proxy.visible_entries()))
        self.ops.run(lambda: asyncio.to_thread(export_csv, entries, Path(path)),
                     on_success=lambda _text: self._exported(path), parent=self,
                     label=self.tr("Exporting"), network=False)

    def _exported(self, path: str) -> None:
        self.status.setText(self.tr("Exported to %1").replace("%1", path))
        self.exported.emit(path)
