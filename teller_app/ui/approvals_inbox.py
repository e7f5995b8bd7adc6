"""The supervisor's inbox: pending four-eyes requests of the branch (head office: all), read
from the Teller Hub and kept LIVE by the hub's event stream (no polling): a filed request
appears, a decided/withdrawn one leaves, a watcher's alert is listed (``approvals_alerts``)
and leaves when acknowledged, here or at another desk (``alert.acknowledged``).

Shown per request: when, the customer's name, the maker's name, the change formatted (amounts
with grouping, statuses/segments translated) and the reason. Approve sends the SHA-256 of the
change exactly as shown here (the hub refuses anything else); reject needs a comment. An
approved request the hub could not apply (``request.interrupted``) is listed as "Approved,
not applied" with Resume (the hub decides who may). Every request is announced once
(``new_requests``), however it arrived; the signed-in employee's own requests are not listed
(the hub never lets them decide those). Cash drafts waiting for a supervisor are listed
under the requests, but never one a listed ``cash_confirm`` request stands for: that request
is the one place to decide it. Approve waits for the drift read (``approvals_drift``). The
decisions: ``approvals_inbox_decide``; names and the status line: ``approvals_inbox_lookups``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from teller_app.core.approvals import ApprovalService
from teller_app.core.approvals_resume import interrupted_requests
from teller_app.core.cash import CashService
from teller_app.core.cash_drafts import requested_drafts
from teller_app.platform.hub_models import AlertList, ChangeRequest, HubEvent
from teller_app.ui.approvals_alerts import AlertsList, open_alerts
from teller_app.ui.approvals_alerts_ack import AlertAck
from teller_app.ui.approvals_drift import ApproveGate
from teller_app.ui.approvals_inbox_decide import RequestsTable
from teller_app.ui.approvals_inbox_jump import BlockerJump
from teller_app.ui.approvals_inbox_lookups import InboxLookups
from teller_app.ui.approvals_inbox_room import AlertsRoom
from teller_app.ui.approvals_inbox_state import InboxMemory
from teller_app.ui.approvals_model import PendingRequestsModel
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cash_drafts_panel import CashDraftsPanel
from teller_app.ui.cash_drafts_panel import short_guid as short_guid  # imported from here
from teller_app.ui.fit_columns import ColumnFitter
from teller_app.ui.people_lookup import NameLookup
from teller_app.ui.people_lookup import lookup_employee_names as lookup_employee_names  # here too
from teller_app.ui.scroll_when_short import scrolling_part
from teller_app.ui.untrusted import plain_label, shown_lines

log = logging.getLogger(__name__)
FIT_SAMPLE = 50  # rows the column widths are measured on (besides those in view)
ROW_LINES = 2  # a row's height in lines: a wrapped name or change, never measured per row
ALERT_ACKNOWLEDGED = "alert.acknowledged"  # hub ``routes_audit.ALERT_ACKNOWLEDGED``
GONE_KINDS = frozenset({"request.approved", "request.rejected", "request.withdrawn",
                        "request.applied", "request.failed"})


class ApprovalsInbox(InboxLookups):
    new_requests = Signal(list)  # [ChangeRequest] listed for the first time (in that state)
    pending_changed = Signal(list)  # [request id] still pending, after any change
    alert_raised = Signal(object)  # HubEvent alert.unapproved_change

    def __init__(
        self,
        ops: OpRunner,
        approvals: Callable[[], ApprovalService],
        *,
        cash: Callable[[], CashService | None] | None = None,
        employee_names: NameLookup | None = None,
        customer_names: NameLookup | None = None,
        own_email: Callable[[], str] | None = None,
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
        self._connected: bool | None = None  # the live line's state (None: not shown yet)
        self._status_text: Callable[[], str] | None = None  # made again on a switch
        self._status_sticky = False  # the inbox's state (a read failed), not one request's
        self._own_email = own_email  # the signed-in employee (their requests: not listed)
        self._memory = InboxMemory()
        # the employee's own pending requests: not listed, but their cash drafts are still
        # "requested" (decided as requests by another supervisor, never listed as drafts)
        self._own: dict[str, ChangeRequest] = {}

        self.table = RequestsTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setColumnHidden(PendingRequestsModel.REASON_COLUMN, True)
        self.table.verticalHeader().hide()  # no row numbers (the cash drafts' table: none)
        # the dock is narrow (1280 px in Ukrainian: ~390): names and changes wrap at word
        # breaks, never cut into fragments; the customer's name takes what is left. A branch
        # may have thousands pending: widths from the headers, the first rows and those in
        # view, every row two lines high (the change whole in its tooltip and the details)
        self.columns = ColumnFitter(self.table, grow=(PendingRequestsModel.CUSTOMER_COLUMN,
                                                      PendingRequestsModel.CHANGE_COLUMN),
                                    sample=FIT_SAMPLE, row_lines=ROW_LINES)
        self.details = plain_label(QLabel())  # names and values: never markup
        self.details.setObjectName("requestDetails")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.request_ref = plain_label(QLabel())  # "Request: 9b41c0d2…", as a refusal says
        self.request_ref.setObjectName("requestId")
        self.request_ref.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason = plain_label(QLabel())  # the maker's words: never markup
        self.reason.setObjectName("requestReason")
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.moved = plain_label(QLabel())  # another desk's change since filing (values)
        self.moved.setObjectName("requestMoved")
        self.table.selectionModel().selectionChanged.connect(self._show_reason)
        self.table.selectionModel().selectionChanged.connect(self._read_current)
        self.table.selectionModel().selectionChanged.connect(self._forget_status)
        self.model.modelReset.connect(self._show_reason)
        self.model.rowsRemoved.connect(self._show_reason)
        self.model.dataChanged.connect(self._show_reason)  # names read after the selection
        self.comment = QLineEdit()
        self.comment.setMaxLength(300)
        self.comment_label = QLabel()
        self.comment_label.setBuddy(self.comment)  # its Alt+letter (retranslate)
        self.approve_button = QPushButton()
        self.reject_button = QPushButton()
        self.resume_button = QPushButton()  # an approved request the hub could not apply
        self.resume_button.setObjectName("resumeButton")
        # the list updates by itself: a small button at its corner, not beside the decisions
        self.refresh_button = QToolButton()
        self.refresh_button.setObjectName("inboxRefresh")
        self.refresh_button.setAutoRaise(True)
        self.refresh_button.setIcon(self.style().standardIcon(
            QStyle.StandardPixmap.SP_BrowserReload))
        self.refresh_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.refresh_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable by Tab
        self.approve_gate = ApproveGate(ops, self.approve_button, self.reject_button)
        self.live = QLabel()
        self.live.setObjectName("inboxLive")
        self.status = plain_label(QLabel())  # may quote the platform's or the hub's words
        self.jump = BlockerJump(self.model, self.table, self)  # to a refusal's blocker
        self.alert_list = AlertsList()
        self.alerts, self.alerts_title = self.alert_list.list, self.alert_list.title
        self.alert_ack = AlertAck(self.alert_list, ops, approvals,
                                  lambda make: self.message.emit(self.alert_list.say(make)),
                                  self)
        # the alerts list grows into the room the requests leave empty
        self.alerts_room = AlertsRoom(self, self.table, self.alert_list.list)
        self.title = QLabel()
        self.title.setBuddy(self.table)  # names the list for a screen reader (ui/a11y)

        self.drafts = CashDraftsPanel(ops, self._cash_service, self._people, self._customers)
        self.drafts.message.connect(self._say)
        self.drafts.failed.connect(self._failed)
        self.drafts.drafts_read.connect(self.model.set_drafts)  # a cash request's draft
        for changed in (self.model.modelReset, self.model.rowsInserted, self.model.rowsRemoved):
            changed.connect(lambda *_: self._drafts_requested())

        decide = QHBoxLayout()
        for widget in (self.approve_gate, self.reject_button, self.resume_button):
            decide.addWidget(widget)
        box = QVBoxLayout(self)
        box.addWidget(self.title)
        corner = QHBoxLayout()
        corner.addWidget(self.live, 1)
        corner.addWidget(self.refresh_button)
        box.addLayout(corner)
        box.addWidget(self.table, 2)
        # the selected request, and the status under the buttons, scroll when the inbox is
        # short (a large font on a small screen; squeezed, the wrapped texts were drawn over
        # each other); the comment and the buttons between them stay in view
        self.request_area = scrolling_part(
            lambda: 2 * self.details.fontMetrics().lineSpacing(), self.details,
            self.request_ref, self.reason, self.moved, keys_scroll=True)
        self.request_area.setObjectName("requestArea")
        box.addWidget(self.request_area)
        comment_row = QHBoxLayout()
        comment_row.addWidget(self.comment_label)
        comment_row.addWidget(self.comment, 1)
        box.addLayout(comment_row)
        box.addLayout(decide)
        self.status_area = scrolling_part(  # under the buttons and the comment it is about
            self.status.sizeHint().height, self.status, self.jump.button,  # "Show request …"
            at_left=(self.jump.button,))
        self.status_area.setObjectName("inboxStatusArea")
        box.addWidget(self.status_area)
        box.addWidget(self.alerts_title)
        box.addWidget(self.alerts, 1)
        box.addWidget(self.alert_list.ack_bar)  # the selected alert's comment, Acknowledge
        box.addWidget(self.alert_list.ack_status)  # what came of it, under its button
        box.addWidget(self.alert_list.more)  # hidden unless the hub has more than shown
        box.addWidget(self.drafts, 1)
        self.drafts.setVisible(cash is not None)
        for hidden in (self.alerts_title, self.alerts):
            hidden.setVisible(False)

        self.approve_button.clicked.connect(lambda: self.decide_selected("approved"))
        self.reject_button.clicked.connect(lambda: self.decide_selected("rejected"))
        self.resume_button.clicked.connect(self.resume_selected)
        self.resume_button.setVisible(False)
        for changed in (self.model.modelReset, self.model.rowsInserted, self.model.rowsRemoved,
                        self.model.dataChanged):
            changed.connect(self._show_resume)
        self.refresh_button.clicked.connect(self.reload)
        self.retranslate()

    # -- texts ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Every text in the current language, made again from what is remembered (live
        state, alerts, the selected request's reason, a status that states a fact); the
        rows, the selection and the typed comment stay. The cash drafts panel gets its own
        LanguageChange."""
        self.title.setText(self.tr("Change requests"))
        self.request_area.setAccessibleName(self.tr("Selected request"))  # when it scrolls
        self.comment.setPlaceholderText(self.tr("Comment (required to reject)"))
        self.comment_label.setText(self.tr("Comme&nt:"))
        self.approve_button.setText(self.tr("&Approve"))
        self.reject_button.setText(self.tr("&Reject"))
        self.resume_button.setText(self.tr("Resume"))
        self.resume_button.setToolTip(self.tr(
            "Apply an approved change the Teller Hub could not finish"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr(
            "The list updates by itself; Refresh reads it again from the Teller Hub"))
        self.model.retranslate()
        if self._connected is not None:
            self.show_live(self._connected)
        self.alert_list.retranslate()
        self._show_reason()
        self.jump.retranslate()
        if self._status_text is not None:
            self.status.setText(shown_lines(self._status_text()))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- loading / live -----------------------------------------------------------------
    def start(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Everything pending now, and what was approved but not applied (at start, on
        Refresh and after the stream reconnects). Requests not listed before are announced."""
        service = self.approvals()

        async def read() -> list[ChangeRequest]:
            pending = await service.pending()
            return pending + await interrupted_requests(service)

        def loaded(requests: list[ChangeRequest]) -> None:
            if self._status_sticky:  # the list could not be read: it could now
                self._status_text, self._status_sticky = None, False
                self.status.clear()
            # a decision whose event came while this read was on its way stays decided
            requests = self._memory.fresh(requests)
            self._own = {r.id: r for r in requests if self._is_own(r)}
            requests = [r for r in requests if r.id not in self._own]
            self.model.replace(requests)
            self._memory.keep_announced(self.model.pending_ids())
            self._pending_maybe_changed()
            self.resolve_names(requests)
            self._announce(self.model.rows)

        self.ops.run(read, on_success=loaded, on_error=self._read_failed, parent=self,
                     key="approvals-load", label=self.tr("Reading approvals"))
        number = self.alert_list.read_sent()  # acknowledged after it: not shown again

        def alerts_read(found: AlertList) -> None:
            self.alert_list.show_alerts(list(found.alerts), more=found.more, read=number)
            self._name_alerts()

        def alerts_failed(exc: BaseException) -> None:
            log.info("alerts not read: %s", type(exc).__name__)
            self.alert_list.read_ended(number)

        self.ops.run(lambda: open_alerts(service), on_success=alerts_read,
                     on_error=alerts_failed,
                     parent=self, key="approvals-alerts", label=self.tr("Reading alerts"))
        if self.cash is not None:
            self.refresh_drafts()

    def show_live(self, connected: bool) -> None:
        self._connected = connected
        self.live.setText(self.tr("Live") if connected else
                          self.tr("Reconnecting to the Teller Hub…"))

    def set_live(self, connected: bool) -> None:
        self.show_live(connected)
        if connected:
            self.reload()  # anything that happened while the stream was down

    def on_event(self, event: HubEvent) -> None:
        """One hub event (from the supervision controller's feed)."""
        if self.cash is not None:
            self.drafts.on_event(event)  # cash drafts filed, decided or voided
        self._memory.note_event(event)
        if event.kind in ("request.filed", "request.interrupted") and event.request_id:
            request_id = event.request_id
            service = self.approvals()

            def arrived(request: ChangeRequest) -> None:
                # read before a decision this inbox already knows of: not shown again
                if self._memory.is_stale(request):
                    return
                if self._is_own(request):
                    self._own[request.id] = request
                    self._drafts_requested()
                    return
                if self.model.add(request):
                    self._pending_maybe_changed()
                    self.resolve_names([request])
                    self._announce([request])

            self.ops.run(lambda: service.get(request_id), on_success=arrived,
                         on_error=self._failed, parent=self,  # one request's, not the list's
                         label=self.tr("Reading a new request"))
        elif event.kind in GONE_KINDS and event.request_id:
            if self._own.pop(event.request_id, None) is not None:
                self._drafts_requested()
            # "approved" ends a pending row only: one listed as approved-not-applied stays
            if event.kind == "request.approved" and \
                    self.model.state_of(event.request_id) != "pending":
                return
            if self.model.remove(event.request_id):
                self._pending_maybe_changed()
        elif event.kind in ("alert.unapproved_change", "alert.unapproved_cash"):
            self.alert_list.add(event.customer_guid or "", event.login or "",
                                dict(event.fields), list(event.reasons), event.alert_id,
                                datetime.fromtimestamp(event.ts_ms / 1000, UTC)
                                if event.ts_ms else None)
            self._name_alerts()
            self.alert_raised.emit(event)
        elif event.kind == ALERT_ACKNOWLEDGED and event.alert_id is not None:
            # acknowledged at another desk (or this one): off the list, and off a read's
            # answer that may still list it; an older hub never sends it
            self.alert_list.acknowledged(event.alert_id)

    def _pending_maybe_changed(self) -> None:
        ids = self.model.pending_ids()
        if set(ids) != set(self._pending_ids):
            self._pending_ids = ids
            self.pending_changed.emit(list(ids))

    def pending_ids(self) -> list[str]:
        return list(self._pending_ids)

    def _announce(self, requests: list[ChangeRequest]) -> None:
        new = self._memory.to_announce(requests)
        if new:
            self.new_requests.emit(new)

    def _is_own(self, request: ChangeRequest) -> bool:
        """Made by the signed-in employee: the hub never lets them decide it."""
        own = self._own_email() if self._own_email is not None else ""
        return bool(own) and request.maker.lower() == own.lower()

    def _drafts_requested(self) -> None:
        """The cash drafts that pending requests stand for (listed or the employee's own)."""
        self.drafts.set_requested(requested_drafts([*self.model.rows, *self._own.values()]))

    # -- deciding -----------------------------------------------------------------------
    def _show_status(self, make: Callable[[], str], *, announce: bool = True,
                     sticky: bool = False) -> None:
        self.jump.clear()  # a new message: the way to an earlier one's blocker goes
        super()._show_status(make, announce=announce, sticky=sticky)

    def selected_request(self) -> ChangeRequest | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.request_at(rows[0].row()) if rows else None
