"""The audit trail's table (``AuditTableModel``): an entry a row, newest first, its action's
name, Kyiv time, employee and customer by name when the view has looked them up (a cash
row that names only its payment: its draft's or request's customer), and its
details on one line (``audit_details``; in full, one a line, in the tooltip). A hub that reads
newest first gives the rows a page at a time: the view says whether older ones exist
(``more``) and fetches them when the table reaches its end (``canFetchMore``/``fetchMore``,
called by Qt's views), then ``append_entries`` adds them below: no reset, the selection and
the scroll position stay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from teller_app.platform.hub_models import AuditRecord
from teller_app.ui.audit_customers import CustomerLinks
from teller_app.ui.audit_details import details_text
from teller_app.ui.audit_entry import entry_action_text, when
from teller_app.ui.untrusted import tip

AnyIndex = QModelIndex | QPersistentModelIndex
COLUMNS = ("seq", "at", "action", "actor", "customer", "details")


class AuditTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.entries: list[AuditRecord] = []
        self.employee_names: dict[str, str] = {}
        self.customer_names: dict[str, str] = {}
        self.links = CustomerLinks()  # a cash row's customer, by its payment or request
        self.headers: tuple[str, ...] = ()
        self.more = False  # older entries exist beyond the last row (the view says so)
        self.fetch_older: Callable[[], None] | None = None  # the view's page read
        self.retranslate()

    def retranslate(self) -> None:
        """Headers in the current language; the rows (translated action names) are made at
        display time, so views just repaint: no reset, the selection stays."""
        self.headers = (
            self.tr("#"), self.tr("When (Kyiv)"), self.tr("Action"), self.tr("Employee"),
            self.tr("Customer"), self.tr("Details"),
        )
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        self._rows_changed()

    def set_entries(self, entries: list[AuditRecord]) -> None:
        self.beginResetModel()
        self.links.learn(entries)
        self.entries = sorted(entries, key=lambda e: e.seq, reverse=True)  # newest first
        self.endResetModel()

    def append_entries(self, entries: list[AuditRecord]) -> int:
        """Older entries below the last row (rows inserted, not a reset); an entry not older
        than the last row is left out (never a repeat). Answers how many were added."""
        oldest = self.entries[-1].seq if self.entries else None
        older = sorted((e for e in entries if oldest is None or e.seq < oldest),
                       key=lambda e: e.seq, reverse=True)
        self.links.learn(entries)
        if older:
            first = len(self.entries)
            self.beginInsertRows(QModelIndex(), first, first + len(older) - 1)
            self.entries.extend(older)
            self.endInsertRows()
        return len(older)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and self.more and self.fetch_older is not None

    def fetchMore(self, parent: AnyIndex) -> None:
        if self.canFetchMore(parent) and self.fetch_older is not None:
            self.fetch_older()  # one read in flight: the view ignores calls meanwhile

    def set_names(self, employees: dict[str, str], customers: dict[str, str]) -> None:
        self.employee_names.update(employees)
        self.customer_names.update(customers)
        self._rows_changed()

    def _rows_changed(self) -> None:
        """Every row to be painted again (their texts are made at display time)."""
        if self.entries:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.entries) - 1, len(COLUMNS) - 1))

    def customer_of(self, entry: AuditRecord) -> str:
        """The customer's GUID the entry names, or the one of its payment or request."""
        return self.links.customer_of(entry)

    def row_texts(self, entry: AuditRecord) -> tuple[Any, ...]:
        customer = self.customer_of(entry)
        return (
            entry.seq, when(entry), entry_action_text(entry),
            self.employee_names.get(entry.actor.lower()) or entry.actor,
            self.customer_names.get(customer) or customer,
            # labelled, Kyiv time, money, employees' names (``ui/audit_details``)
            details_text(entry.detail, names=self.employee_names),
        )

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
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[index.column()] == "actor":
            return tip(entry.actor)  # any desk's words: escaped, clipped
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[index.column()] == "customer":
            return tip(self.row_texts(entry)[index.column()]) or None  # a long name whole
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[index.column()] == "details":
            # one item a line (long ones read whole); desks write the values: escaped
            return tip(details_text(entry.detail, "\n", self.employee_names))
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.row_texts(entry)[index.column()]
