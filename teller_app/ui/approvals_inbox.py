"""The supervisor's inbox: pending change requests of the branch (head office: all), newest
first, approve/reject with a comment; plus cash drafts waiting for a supervisor's confirm.

Requests are found by an incremental scan of customers (``min_updated_at`` watermark) on a
timer, through the ops helper; new ones raise ``new_requests`` for the notification, and
every change of the pending set raises ``pending_changed`` (so a notification can shrink or
go away as soon as requests are decided). Makers are shown by name: their GUIDs are looked up
in the platform's employees list (once per session; the GUID, shortened, is shown until the
name is known or when the lookup fails; the whole GUID is in the tooltip). The reason of the
selected request is shown under the table.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from teller_app.core.approval_codec import ChangeRequest, Decision
from teller_app.core.approvals import (
    AlreadyDecided,
    ApprovalError,
    ApprovalService,
    NotAllowed,
    RequestGone,
    SelfApprovalRefused,
    is_lock_marker,
    pending_request,
)
from teller_app.core.cash import CashReceipt, CashService
from teller_app.platform.models import Customer
from teller_app.ui.change_request_dialog import describe_change
from teller_app.ui.data_text import outcome_text
from teller_app.ui.local_time import local_text
from teller_app.ui.validators import isolate

AnyIndex = QModelIndex | QPersistentModelIndex
EmployeeLookup = Callable[[list[str]], Awaitable[dict[str, str]]]
log = logging.getLogger(__name__)
LOOKUP_PAGE = 100  # the employees list's page size limit


async def lookup_employee_names(client: Any, guids: list[str]) -> dict[str, str]:
    """guid -> display name for ``guids`` (disabled employees too); unknown GUIDs are absent."""
    names: dict[str, str] = {}
    for start in range(0, len(guids), LOOKUP_PAGE):
        chunk = guids[start : start + LOOKUP_PAGE]
        page = await client.list_employees(guids=chunk, include_disabled=True,
                                           limit=len(chunk))
        for employee in page.employees:
            if employee.guid and employee.display_name:
                names[employee.guid] = employee.display_name
    return names


class PendingRequestsModel(QAbstractTableModel):
    TIME_COLUMN, CUSTOMER_COLUMN, CHANGE_COLUMN, MAKER_COLUMN, REASON_COLUMN = range(5)

    def __init__(self, branch_guid: str = "", parent: Any = None) -> None:
        super().__init__(parent)
        self.branch_guid = branch_guid
        self.rows: list[tuple[ChangeRequest, str]] = []  # (request, customer label)
        self.employee_names: dict[str, str] = {}
        self._seen: set[str] = set()
        self.headers = (self.tr("Requested (Kyiv)"), self.tr("Customer"), self.tr("Change"),
                        self.tr("Maker"), self.tr("Reason"))

    def merge(self, customers: list[Customer]) -> list[ChangeRequest]:
        """Apply changed customers; returns requests not seen before (for notifications)."""
        by_customer = {r.customer_guid: (r, label) for r, label in self.rows}
        for customer in customers:
            if is_lock_marker(customer):
                continue
            if self.branch_guid and (customer.branch_guid or "") != self.branch_guid:
                continue
            request = pending_request(customer)
            if request is None:
                by_customer.pop(customer.wallet_user_guid, None)
            else:
                label = " ".join(p for p in (customer.surname, customer.name) if p)
                by_customer[customer.wallet_user_guid] = (request, label or customer.login)
        fresh = [r for r, _ in by_customer.values() if r.id not in self._seen]
        self._seen.update(r.id for r, _ in by_customer.values())
        self.beginResetModel()
        self.rows = sorted(by_customer.values(), key=lambda row: row[0].created_at, reverse=True)
        self.endResetModel()
        return fresh

    def remove(self, request_id: str) -> bool:
        for i, (request, _label) in enumerate(self.rows):
            if request.id == request_id:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self.rows[i]
                self.endRemoveRows()
                return True
        return False

    def pending_ids(self) -> list[str]:
        return [request.id for request, _label in self.rows]

    def maker_guids(self) -> set[str]:
        return {request.maker_guid for request, _label in self.rows if request.maker_guid}

    def set_employee_names(self, names: dict[str, str]) -> None:
        """Add resolved maker names; repaints the Maker column."""
        if not names:
            return
        self.employee_names.update(names)
        if self.rows:
            column = self.MAKER_COLUMN
            self.dataChanged.emit(self.index(0, column), self.index(len(self.rows) - 1, column),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole])

    def request_at(self, row: int) -> ChangeRequest | None:
        return self.rows[row][0] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        request, label = self.rows[index.row()]
        guid = request.maker_guid
        name = self.employee_names.get(guid)
        if index.column() == self.MAKER_COLUMN and role == Qt.ItemDataRole.ToolTipRole:
            return f"{name}\n{guid}" if name else guid
        return (
            local_text(request.created_at),
            isolate(label),  # names and reasons: direction-isolated, never reordering
            describe_change(request.change),
            name or short_guid(guid),  # the whole GUID is in the tooltip
            isolate(request.reason),
        )[index.column()]


def short_guid(guid: str) -> str:
    """A GUID's first group for a narrow column ("c94eb2af…"); short strings as they are."""
    head = guid.split("-", 1)[0]
    return f"{head}…" if len(head) < len(guid) else guid


class ApprovalsInbox(QWidget):
    new_requests = Signal(list)  # [ChangeRequest] first seen by this poll
    pending_changed = Signal(list)  # [request id] still pending, after any change
    decided = Signal(object)  # Decision
    cash_confirmed = Signal(object)  # CashReceipt
    message = Signal(str)  # a line for the banner / status bar

    def __init__(
        self,
        ops: Any,
        approvals: Callable[[], ApprovalService],
        *,
        branch_guid: str = "",
        cash: Callable[[], CashService | None] | None = None,
        employee_names: EmployeeLookup | None = None,
        poll_interval_ms: int = 20_000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("approvalsInbox")
        self.ops = ops
        self.approvals = approvals
        self.cash = cash
        self.model = PendingRequestsModel(branch_guid, self)
        self._watermark: datetime | None = None
        # Maker names: ``employee_names`` (default: the approvals client's employees list).
        self._lookup = employee_names
        self._unknown_makers: set[str] = set()  # the platform has no such employee
        self._pending_ids: list[str] = []

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, mode in (
            (PendingRequestsModel.TIME_COLUMN, QHeaderView.ResizeMode.ResizeToContents),
            (PendingRequestsModel.CUSTOMER_COLUMN, QHeaderView.ResizeMode.Stretch),
            (PendingRequestsModel.CHANGE_COLUMN, QHeaderView.ResizeMode.ResizeToContents),
            (PendingRequestsModel.MAKER_COLUMN, QHeaderView.ResizeMode.ResizeToContents),
        ):
            header.setSectionResizeMode(column, mode)
        # The reason is free text: shown for the selected request under the table instead.
        self.table.setColumnHidden(PendingRequestsModel.REASON_COLUMN, True)
        # Rows grow to fit wrapped text.
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.reason = QLabel()
        self.reason.setObjectName("requestReason")
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table.selectionModel().selectionChanged.connect(self._show_reason)
        self.model.modelReset.connect(self._show_reason)
        self.model.rowsRemoved.connect(self._show_reason)
        self.comment = QLineEdit()
        self.comment.setMaxLength(300)
        self.comment.setPlaceholderText(self.tr("Comment (optional)"))
        self.approve_button = QPushButton(self.tr("Approve"))
        self.reject_button = QPushButton(self.tr("Reject"))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.status = QLabel()
        self.status.setWordWrap(True)

        self.drafts = QTableWidget(0, 4)
        self.drafts.setHorizontalHeaderLabels(
            [self.tr("Cash draft"), self.tr("Category"), self.tr("Amount"), self.tr("Created")])
        self.drafts.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.drafts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.drafts.horizontalHeader().setStretchLastSection(True)
        self.confirm_cash_button = QPushButton(self.tr("Confirm cash operation"))

        decide = QHBoxLayout()
        for widget in (self.approve_button, self.reject_button, self.refresh_button):
            decide.addWidget(widget)
        box = QVBoxLayout(self)
        box.addWidget(QLabel(self.tr("Change requests")))
        box.addWidget(self.table, 2)
        box.addWidget(self.reason)
        box.addWidget(self.comment)  # its own full-width row, above the buttons
        box.addLayout(decide)
        self.cash_title = QLabel(self.tr("Cash operations awaiting a supervisor"))
        box.addWidget(self.cash_title)
        box.addWidget(self.drafts, 1)
        box.addWidget(self.confirm_cash_button)
        box.addWidget(self.status)
        for widget in (self.cash_title, self.drafts, self.confirm_cash_button):
            widget.setVisible(cash is not None)

        self.approve_button.clicked.connect(lambda: self.decide_selected("approved"))
        self.reject_button.clicked.connect(lambda: self.decide_selected("rejected"))
        self.refresh_button.clicked.connect(self.poll)
        self.confirm_cash_button.clicked.connect(self.confirm_selected_cash)
        self.timer = QTimer(self)
        self.timer.setInterval(poll_interval_ms)
        self.timer.timeout.connect(self.poll)

    # -- polling ------------------------------------------------------------------------
    def start(self) -> None:
        self.poll()
        self.timer.start()

    def poll(self) -> None:
        service = self.approvals()
        since = self._watermark

        def merged(result: tuple[list[Customer], datetime | None]) -> None:
            customers, newest = result
            if newest is not None:
                self._watermark = newest
            fresh = self.model.merge(customers)
            self._pending_maybe_changed()
            self.resolve_makers()
            if fresh and since is not None:  # the first full scan is not "news"
                self.new_requests.emit(fresh)

        self.ops.run(lambda: service.scan(since), on_success=merged, on_error=self._failed,
                     parent=self, key="approvals-poll", label=self.tr("Checking approvals"))
        if self.cash is not None:
            self.refresh_drafts()

    # -- maker names ----------------------------------------------------------------------
    def resolve_makers(self) -> None:
        """Look up the names of makers not known yet (one call; failures keep the GUID)."""
        wanted = sorted(self.model.maker_guids() - self.model.employee_names.keys()
                        - self._unknown_makers)
        if not wanted:
            return
        lookup = self._lookup or self._lookup_with_session_client

        def resolved(names: dict[str, str]) -> None:
            self._unknown_makers.update(g for g in wanted if g not in names)
            self.model.set_employee_names(names)

        def failed(exc: BaseException) -> None:  # GUIDs stay; the next poll tries again
            log.info("maker names could not be looked up: %s", type(exc).__name__)

        self.ops.run(lambda: lookup(wanted), on_success=resolved, on_error=failed, parent=self,
                     key="approvals-makers", label=self.tr("Looking up employee names"))

    async def _lookup_with_session_client(self, guids: list[str]) -> dict[str, str]:
        return await lookup_employee_names(self.approvals().client, guids)

    def _pending_maybe_changed(self) -> None:
        ids = self.model.pending_ids()
        if set(ids) != set(self._pending_ids):
            self._pending_ids = ids
            self.pending_changed.emit(list(ids))

    def pending_ids(self) -> list[str]:
        return list(self._pending_ids)

    def refresh_drafts(self) -> None:
        cash = self.cash() if self.cash else None
        if cash is None:
            return
        self.ops.run(cash.pending_drafts, on_success=self._show_drafts, on_error=self._failed,
                     parent=self, key="cash-drafts", label=self.tr("Checking cash drafts"))

    def _show_drafts(self, payments: list[Any]) -> None:
        self.drafts.setRowCount(len(payments))
        for row, p in enumerate(payments):
            created = local_text(p.created_at)
            kind = self.tr("deposit") if p.category == "04" else self.tr("withdrawal")
            for col, text in enumerate((p.guid, kind, str(p.amount), created)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, p.guid)
                self.drafts.setItem(row, col, item)

    # -- deciding -----------------------------------------------------------------------
    def selected_request(self) -> ChangeRequest | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.request_at(rows[0].row()) if rows else None

    def _show_reason(self, *_args: Any) -> None:
        request = self.selected_request()
        self.reason.setText(self.tr("Reason: %1").replace("%1", request.reason)
                            if request is not None and request.reason else "")

    def decide_selected(self, outcome: str) -> None:
        request = self.selected_request()
        if request is None:
            self.status.setText(self.tr("Select a request first."))
            return
        service = self.approvals()
        comment = self.comment.text().strip()
        call = service.approve if outcome == "approved" else service.reject

        def done(decision: Decision) -> None:
            self.model.remove(request.id)
            self._pending_maybe_changed()
            self.comment.clear()
            text = (self.tr("Approved and applied.") if outcome == "approved"
                    else self.tr("Rejected."))
            self._say(text)
            self.decided.emit(decision)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, AlreadyDecided | RequestGone):
                self.model.remove(request.id)
                self._pending_maybe_changed()
            self._failed(exc)

        self.ops.run(lambda: call(request.customer_guid, request.id, comment), on_success=done,
                     on_error=failed, parent=self, label=self.tr("Deciding"),
                     disable=(self.approve_button, self.reject_button))

    def confirm_selected_cash(self) -> None:
        cash = self.cash() if self.cash else None
        items = self.drafts.selectedItems()
        if cash is None or not items:
            self.status.setText(self.tr("Select a cash draft first."))
            return
        guid = items[0].data(Qt.ItemDataRole.UserRole)

        def done(receipt: CashReceipt) -> None:
            self._say(self.tr("Confirmed. Receipt reference: %1").replace("%1", receipt.reference))
            self.cash_confirmed.emit(receipt)
            self.refresh_drafts()

        self.ops.run(lambda: cash.confirm(guid), on_success=done, on_error=self._failed,
                     parent=self, label=self.tr("Confirming"),
                     disable=(self.confirm_cash_button,))

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.message.emit(text)

    def _failed(self, exc: BaseException) -> None:
        self._say(approval_error_text(exc))


def approval_error_text(exc: BaseException) -> str:
    """What to tell the user about an approval-protocol outcome or any other error."""
    if isinstance(exc, AlreadyDecided):
        d = exc.decision
        if d is None:
            return QCoreApplication.translate(
                "ApprovalsInbox", "Someone else has already decided this request.")
        return QCoreApplication.translate(
            "ApprovalsInbox", "Already decided (%1) by %2 at %3.").replace(
            "%1", outcome_text(d.outcome)).replace(
            "%2", d.decider_guid).replace("%3", d.decided_at[:19].replace("T", " "))
    if isinstance(exc, SelfApprovalRefused):
        return QCoreApplication.translate(
            "ApprovalsInbox", "You cannot decide your own request: another supervisor must.")
    if isinstance(exc, RequestGone):
        return QCoreApplication.translate("ApprovalsInbox", "This request is no longer pending.")
    if isinstance(exc, NotAllowed):
        return QCoreApplication.translate("ApprovalsInbox", "Your role does not allow this.")
    from teller_app.ui.error_text import friendly_message, safe_text

    if isinstance(exc, ApprovalError):
        return QCoreApplication.translate(
            "ApprovalsInbox", "The request could not be processed: %1").replace(
            "%1", safe_text(exc))

    return friendly_message(exc)
