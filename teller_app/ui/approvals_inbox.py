"""The supervisor's inbox: pending four-eyes requests of the branch (head office: all), read
from the Teller Hub and kept LIVE by the hub's event stream (no polling): a filed request
appears, a decided/withdrawn one leaves, an "unapproved change" alert is listed.

Shown per request: when, the customer's name, the maker's name, the change formatted (amounts
with grouping, statuses/segments translated) and the reason. Approve sends the SHA-256 of the
change exactly as shown here (the hub refuses anything else); reject needs a comment. Cash
drafts waiting for a supervisor's confirm are listed under the requests.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from teller_app.core.approvals import (
    AlreadyDecided,
    ApprovalError,
    ApprovalService,
    ChangedAfterView,
    ExecutionFailed,
    HubRequired,
    NotAllowed,
    SelfApprovalRefused,
)
from teller_app.core.cash import CashReceipt, CashService
from teller_app.platform.hub_models import ChangeRequest, HubEvent
from teller_app.ui.change_request_dialog import describe_change
from teller_app.ui.local_time import local_text
from teller_app.ui.validators import isolate

AnyIndex = QModelIndex | QPersistentModelIndex
NameLookup = Callable[[list[str]], Awaitable[dict[str, str]]]
log = logging.getLogger(__name__)
LOOKUP_PAGE = 100  # the employees list's page size limit
LOOKUP_PAGES = 20
GONE_KINDS = frozenset({"request.approved", "request.rejected", "request.withdrawn",
                        "request.applied", "request.failed"})


async def lookup_employee_names(client: Any, emails: list[str]) -> dict[str, str]:
    """e-mail -> display name (disabled employees too) from the platform's employees list
    (the hub names makers by e-mail); unknown e-mails are absent."""
    wanted = {e.lower() for e in emails}
    names: dict[str, str] = {}
    offset = 0
    for _ in range(LOOKUP_PAGES):
        page = await client.list_employees(include_disabled=True, offset=offset,
                                           limit=LOOKUP_PAGE)
        for employee in page.employees:
            key = (employee.email or "").lower()
            if key in wanted and employee.display_name:
                names[key] = employee.display_name
        offset += len(page.employees)
        if not page.employees or wanted <= names.keys() or offset >= (page.total or 0):
            break
    return names


async def lookup_customer_names(client: Any, guids: list[str]) -> dict[str, str]:
    """customer guid -> "Surname Name" (the login when nameless); unreadable ones absent."""
    names: dict[str, str] = {}
    for guid in guids:
        try:
            customer = await client.get_customer(guid)
        except Exception:  # a name is decoration: the GUID stays
            continue
        label = " ".join(p for p in (customer.surname, customer.name) if p)
        names[guid] = label or customer.login
    return names


class PendingRequestsModel(QAbstractTableModel):
    TIME_COLUMN, CUSTOMER_COLUMN, CHANGE_COLUMN, MAKER_COLUMN, REASON_COLUMN = range(5)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[ChangeRequest] = []
        self.employee_names: dict[str, str] = {}
        self.customer_names: dict[str, str] = {}
        self.headers = (self.tr("Requested (Kyiv)"), self.tr("Customer"), self.tr("Change"),
                        self.tr("Maker"), self.tr("Reason"))

    def replace(self, requests: list[ChangeRequest]) -> None:
        self.beginResetModel()
        self.rows = sorted((r for r in requests if r.pending), key=lambda r: r.created_at,
                           reverse=True)
        self.endResetModel()

    def add(self, request: ChangeRequest) -> bool:
        if not request.pending or any(r.id == request.id for r in self.rows):
            return False
        self.beginInsertRows(QModelIndex(), 0, 0)
        self.rows.insert(0, request)
        self.endInsertRows()
        return True

    def remove(self, request_id: str) -> bool:
        for i, request in enumerate(self.rows):
            if request.id == request_id:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self.rows[i]
                self.endRemoveRows()
                return True
        return False

    def pending_ids(self) -> list[str]:
        return [r.id for r in self.rows]

    def set_names(self, employees: dict[str, str], customers: dict[str, str]) -> None:
        self.employee_names.update(employees)
        self.customer_names.update(customers)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, len(self.headers) - 1))

    def request_at(self, row: int) -> ChangeRequest | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

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
        r = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.MAKER_COLUMN:
                return r.maker
            if column == self.CUSTOMER_COLUMN:
                return r.customer_guid
            return None
        return (
            local_text(datetime.fromtimestamp(r.created_at, UTC)),
            # names and reasons: direction-isolated, never reordering the text around them
            isolate(self.customer_names.get(r.customer_guid) or short_guid(r.customer_guid)),
            describe_change(r.displayed_change()),
            isolate(self.employee_names.get(r.maker.lower()) or r.maker),
            isolate(r.reason),
        )[column]


def short_guid(guid: str) -> str:
    """A GUID's first group for a narrow column ("c94eb2af…"); short strings as they are."""
    head = guid.split("-", 1)[0]
    return f"{head}…" if len(head) < len(guid) else guid


class ApprovalsInbox(QWidget):
    new_requests = Signal(list)  # [ChangeRequest] that arrived live
    pending_changed = Signal(list)  # [request id] still pending, after any change
    decided = Signal(object)  # ChangeRequest as the hub answered the decision
    alert_raised = Signal(object)  # HubEvent alert.unapproved_change
    cash_confirmed = Signal(object)  # CashReceipt
    message = Signal(str)  # a line for the banner / status bar

    def __init__(
        self,
        ops: Any,
        approvals: Callable[[], ApprovalService],
        *,
        cash: Callable[[], CashService | None] | None = None,
        employee_names: NameLookup | None = None,
        customer_names: NameLookup | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("approvalsInbox")
        self.ops = ops
        self.approvals = approvals
        self.cash = cash
        self.model = PendingRequestsModel(self)
        self._employee_names = employee_names
        self._customer_names = customer_names
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
        self.table.setColumnHidden(PendingRequestsModel.REASON_COLUMN, True)
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
        self.comment.setPlaceholderText(self.tr("Comment (required to reject)"))
        self.approve_button = QPushButton(self.tr("Approve"))
        self.reject_button = QPushButton(self.tr("Reject"))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.live = QLabel()
        self.live.setObjectName("inboxLive")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.alerts = QListWidget()
        self.alerts.setObjectName("unapprovedAlerts")
        self.alerts_title = QLabel(self.tr("Changed without approval"))

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
        box.addWidget(self.live)
        box.addWidget(self.table, 2)
        box.addWidget(self.reason)
        box.addWidget(self.comment)
        box.addLayout(decide)
        box.addWidget(self.alerts_title)
        box.addWidget(self.alerts, 1)
        self.cash_title = QLabel(self.tr("Cash operations awaiting a supervisor"))
        box.addWidget(self.cash_title)
        box.addWidget(self.drafts, 1)
        box.addWidget(self.confirm_cash_button)
        box.addWidget(self.status)
        for widget in (self.cash_title, self.drafts, self.confirm_cash_button):
            widget.setVisible(cash is not None)
        for widget in (self.alerts_title, self.alerts):
            widget.setVisible(False)

        self.approve_button.clicked.connect(lambda: self.decide_selected("approved"))
        self.reject_button.clicked.connect(lambda: self.decide_selected("rejected"))
        self.refresh_button.clicked.connect(self.reload)
        self.confirm_cash_button.clicked.connect(self.confirm_selected_cash)

    # -- loading / live -----------------------------------------------------------------
    def start(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Everything pending now (at start, on Refresh and after the stream reconnects)."""
        service = self.approvals()

        def loaded(requests: list[ChangeRequest]) -> None:
            self.model.replace(requests)
            self._pending_maybe_changed()
            self.resolve_names(requests)

        self.ops.run(service.pending, on_success=loaded, on_error=self._failed, parent=self,
                     key="approvals-load", label=self.tr("Reading approvals"))
        self.ops.run(lambda: self._open_alerts(service), on_success=self._show_alerts,
                     on_error=lambda exc: log.info("alerts not read: %s", type(exc).__name__),
                     parent=self, key="approvals-alerts", label=self.tr("Reading alerts"))
        if self.cash is not None:
            self.refresh_drafts()

    @staticmethod
    async def _open_alerts(service: ApprovalService) -> list[Any]:
        if service.link is None:
            return []
        found = await service.link.call(lambda hub: hub.alerts("open"))
        return list(found.alerts)

    def show_live(self, connected: bool) -> None:
        self.live.setText(self.tr("Live") if connected else
                          self.tr("Reconnecting to the Teller Hub…"))

    def set_live(self, connected: bool) -> None:
        self.show_live(connected)
        if connected:
            self.reload()  # anything that happened while the stream was down

    def on_event(self, event: HubEvent) -> None:
        """One hub event (from the supervision controller's feed)."""
        if event.kind == "request.filed" and event.request_id:
            request_id = event.request_id
            service = self.approvals()

            def arrived(request: ChangeRequest) -> None:
                if self.model.add(request):
                    self._pending_maybe_changed()
                    self.resolve_names([request])
                    self.new_requests.emit([request])

            self.ops.run(lambda: service.get(request_id), on_success=arrived,
                         on_error=self._failed, parent=self,
                         label=self.tr("Reading a new request"))
        elif event.kind in GONE_KINDS and event.request_id:
            if self.model.remove(event.request_id):
                self._pending_maybe_changed()
        elif event.kind == "alert.unapproved_change":
            self._add_alert(event.customer_guid or "", event.login or "",
                            dict(event.fields), list(event.reasons))
            self.alert_raised.emit(event)

    # -- names ----------------------------------------------------------------------------
    def resolve_names(self, requests: list[ChangeRequest]) -> None:
        makers = sorted({r.maker.lower() for r in requests} - self.model.employee_names.keys())
        customers = sorted({r.customer_guid for r in requests} -
                           self.model.customer_names.keys())
        if not makers and not customers:
            return
        client = self.approvals().platform
        people = self._employee_names or (lambda e: lookup_employee_names(client, e))
        clients = self._customer_names or (lambda g: lookup_customer_names(client, g))

        async def both() -> tuple[dict[str, str], dict[str, str]]:
            return (await people(makers) if makers else {},
                    await clients(customers) if customers else {})

        self.ops.run(both, on_success=lambda pair: self.model.set_names(*pair),
                     on_error=lambda exc: log.info("names not resolved: %s",
                                                   type(exc).__name__),
                     parent=self, label=self.tr("Looking up names"))

    def _pending_maybe_changed(self) -> None:
        ids = self.model.pending_ids()
        if set(ids) != set(self._pending_ids):
            self._pending_ids = ids
            self.pending_changed.emit(list(ids))

    def pending_ids(self) -> list[str]:
        return list(self._pending_ids)

    # -- alerts -------------------------------------------------------------------------
    def _show_alerts(self, alerts: list[Any]) -> None:
        self.alerts.clear()
        for alert in alerts:
            self._add_alert(alert.customer_guid, alert.login or "", dict(alert.fields),
                            list(alert.reasons))

    def _add_alert(self, customer_guid: str, login: str, fields: dict[str, Any],
                   reasons: list[str]) -> None:
        after = {k: (v.get("after") if isinstance(v, dict) else v) for k, v in fields.items()}
        who = login or short_guid(customer_guid)
        self.alerts.insertItem(0, self.tr("%1: %2 (no approved request)").replace(
            "%1", who).replace("%2", describe_change(after)))
        for widget in (self.alerts_title, self.alerts):
            widget.setVisible(True)

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
        comment = self.comment.text().strip()
        if outcome == "rejected" and not comment:
            self.status.setText(self.tr("A rejection needs a comment."))
            return
        service = self.approvals()

        async def call() -> ChangeRequest:
            if outcome == "approved":
                return await service.approve(request, comment)
            return await service.reject(request, comment)

        def done(result: ChangeRequest) -> None:
            self.model.remove(request.id)
            self._pending_maybe_changed()
            self.comment.clear()
            self._say(self.tr("Approved and applied.") if outcome == "approved"
                      else self.tr("Rejected."))
            self.decided.emit(result)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, AlreadyDecided | ExecutionFailed):
                self.model.remove(request.id)
                self._pending_maybe_changed()
            self._failed(exc)

        self.ops.run(call, on_success=done, on_error=failed, parent=self,
                     label=self.tr("Deciding"), disable=(self.approve_button,
                                                         self.reject_button))

    # -- cash drafts --------------------------------------------------------------------
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
    """What to tell the user about a four-eyes outcome or any other error."""
    translate = QCoreApplication.translate
    if isinstance(exc, AlreadyDecided):
        return translate("ApprovalsInbox", "Someone else has already decided this request.")
    if isinstance(exc, ChangedAfterView):
        return translate("ApprovalsInbox", "The request differs from what was shown: "
                                           "refused, nothing was changed. Look again.")
    if isinstance(exc, SelfApprovalRefused):
        return translate("ApprovalsInbox",
                         "You cannot decide your own request: another supervisor must.")
    if isinstance(exc, NotAllowed):
        return translate("ApprovalsInbox", "Your role does not allow this.")
    if isinstance(exc, HubRequired):
        return translate("ApprovalsInbox", "Four-eyes approval needs the Teller Hub.")
    from teller_app.ui.error_text import friendly_message, safe_text

    if isinstance(exc, ExecutionFailed):
        return translate("ApprovalsInbox", "Approved, but the platform refused the change: %1"
                         ).replace("%1", safe_text(exc))
    if isinstance(exc, ApprovalError):
        return translate("ApprovalsInbox", "The request could not be processed: %1").replace(
            "%1", safe_text(exc))
    return friendly_message(exc)
