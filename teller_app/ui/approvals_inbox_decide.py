"""The inbox's decisions on the selected request: Approve / Reject a pending one (approve sends
the SHA-256 of the change as shown; one refused for its phone number, another customer's,
stays pending with the comment box ready for its rejection), Resume an approved one the hub
could not apply. The hub decides who may. A selected customer change is read again with
what another desk changed on its customer since filing (``current``), so the approver sees
it before deciding. A request that leaves the list takes the selection with it
(``RequestsTable``): the next one is chosen by the supervisor, never by the list. The
strings keep the ``ApprovalsInbox`` translation context."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QTableView, QWidget

from teller_app.core.approvals import (
    CUSTOMER_UPDATE,
    AlreadyDecided,
    ApprovalService,
    ExecutionFailed,
    PhoneNumberTaken,
)
from teller_app.core.approvals_resume import StillNotApplied, resume_request
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.approvals_detail import (
    change_line,
    customer_line,
    decided_text,
    request_id_line,
    requested_line,
)
from teller_app.ui.approvals_drift import CURRENT_READ_KEY, moved_warning
from teller_app.ui.approvals_inbox_jump import BlockerJump
from teller_app.ui.approvals_model import PendingRequestsModel
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cash_text import request_reason_text
from teller_app.ui.untrusted import shown_lines
from teller_app.ui.validators import isolate

log = logging.getLogger(__name__)
translate = QCoreApplication.translate  # context "ApprovalsInbox", as in ApprovalsInbox.tr


def decision_text(outcome: str, result: ChangeRequest, model: PendingRequestsModel,
                  request: ChangeRequest) -> str:
    """What a decision did, naming the customer (or setting) and the change decided."""
    return decided_text(outcome, result.state, model.subject_text(request),
                        model.change_text(request))


class RequestsTable(QTableView):
    """The inbox's list. A selected request that leaves it (decided here or at another desk,
    withdrawn) leaves nothing selected: Qt's single selection moved to the next request, so
    a second Alt+A approved one whose reason and drift warning (read when it is selected)
    the supervisor had not seen. The current row becomes the one above, so Down reaches the
    request that took the decided one's place."""

    def rowsAboutToBeRemoved(self, parent: QModelIndex | QPersistentModelIndex, start: int,
                             end: int) -> None:
        selection, current = self.selectionModel(), self.currentIndex()
        if selection is not None and not parent.isValid():
            gone = range(start, end + 1)
            if any(index.row() in gone for index in selection.selectedRows()):
                selection.clearSelection()
            if current.isValid() and current.row() in gone:
                above = self.model().index(start - 1, current.column()) if start else \
                    QModelIndex()  # none: Down goes to the first row
                selection.setCurrentIndex(above, QItemSelectionModel.SelectionFlag.NoUpdate)
        super().rowsAboutToBeRemoved(parent, start, end)


class InboxDecisions(QWidget):
    decided = Signal(object)  # ChangeRequest as the hub answered the decision
    # set by ApprovalsInbox
    ops: OpRunner
    approvals: Callable[[], ApprovalService]
    model: PendingRequestsModel
    table: RequestsTable
    comment: QLineEdit
    details: QLabel
    request_ref: QLabel  # the request's short id, as a refusal names one
    reason: QLabel
    moved: QLabel
    approve_button: QPushButton
    reject_button: QPushButton
    resume_button: QPushButton
    status: QLabel
    jump: BlockerJump  # a refusal's blocker, when listed: "Show request …"
    _status_text: Callable[[], str] | None
    _status_sticky: bool

    def selected_request(self) -> ChangeRequest | None:
        raise NotImplementedError

    def _pending_maybe_changed(self) -> None:
        raise NotImplementedError

    def _show_status(self, make: Callable[[], str], *, announce: bool = True) -> None:
        raise NotImplementedError

    def _failed(self, exc: BaseException) -> None:
        raise NotImplementedError

    def _forget_status(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        """A status line (a decision's outcome, a refusal) under Approve/Reject reads as the
        selected request's: another request selected, it goes (a decision's words stay in
        the window's banner). Nothing selected because rows left or were read again (a
        decision, a reload): it stays, since it is about what just happened. The list's own
        state (it could not be read) stays whatever is selected."""
        if not selected.isEmpty() and not self._status_sticky:
            self._status_text = None  # not made again on a language switch either
            self.status.clear()
            self.jump.clear()  # its blocker was the message's

    def _show_reason(self, *_args: object) -> None:
        """The selected request: its customer, who asked and when, the change (at filing →
        wanted), its short id, its reason, and what moved on its customer since filing."""
        request = self.selected_request()
        self.details.setText(shown_lines(self._details_text(request)))
        self.details.setVisible(bool(self.details.text()))
        self.request_ref.setText(shown_lines(request_id_line(request)) if request else "")
        self.request_ref.setVisible(request is not None)
        self.reason.setText(
            translate("ApprovalsInbox", "Reason: %1").replace(
                "%1", shown_lines(request_reason_text(request.reason), 300))
            if request is not None and request.reason else "")
        self.moved.setText(shown_lines(moved_warning(request)))  # other desks' values
        self.moved.setVisible(bool(self.moved.text()))

    def _details_text(self, request: ChangeRequest | None) -> str:
        if request is None:
            return ""
        model = self.model
        subject = model.subject_text(request)  # as the list and the decision's result name it
        maker = isolate(model.employee_names.get(request.maker.lower()) or request.maker)
        first = customer_line(request, subject) if request.customer_guid else subject
        return "\n".join((first, requested_line(request, maker),
                          change_line(request, model.change_text(request))))

    def _read_current(self, *_args: object) -> None:
        """Read the selected customer change again with its customer's ``current`` (one DCM
        read on the hub, for the request looked at: never one per listed row)."""
        request = self.selected_request()
        link = self.approvals().link
        if request is None or link is None or request.kind != CUSTOMER_UPDATE:
            self.ops.cancel(CURRENT_READ_KEY)  # an earlier row's read no longer holds Approve
            return
        request_id = request.id

        async def read() -> ChangeRequest:
            return await link.call(lambda hub: hub.get_request(request_id, current=True))

        def got(fresh: ChangeRequest) -> None:
            if fresh.current is not None and self.model.set_current(fresh):
                self._show_reason()

        self.ops.run(read, on_success=got, parent=self, key=CURRENT_READ_KEY,
                     on_error=lambda exc: log.info("request not read again: %s",
                                                   type(exc).__name__),
                     label=translate("ApprovalsInbox", "Reading the customer"))

    def decide_selected(self, outcome: str) -> None:
        request = self.selected_request()
        if request is None:
            self._show_status(lambda: translate("ApprovalsInbox", "Select a request first."),
                              announce=False)
            return
        if not request.pending and outcome == "approved":
            self.resume_selected()  # the approval stands: applying it is what is left
            return
        if not request.pending:
            self._show_status(lambda: translate(
                "ApprovalsInbox", "This request is approved already: Resume applies it."),
                announce=False)
            return
        comment = self.comment.text().strip()
        if outcome == "rejected" and not comment:
            self._show_status(lambda: translate("ApprovalsInbox",
                                                "A rejection needs a comment."), announce=False)
            self.comment.setFocus(Qt.FocusReason.OtherFocusReason)  # where it is typed
            return
        service = self.approvals()

        async def call() -> ChangeRequest:
            if outcome == "approved":
                return await service.approve(request, comment)
            return await service.reject(request, comment)

        def done(result: ChangeRequest) -> None:
            self.model.remove(request.id)  # nothing selected after it (``RequestsTable``)
            self._pending_maybe_changed()
            self.comment.clear()
            self._back_to_list()
            model = self.model  # the names stay known after the row left
            self._show_status(lambda: decision_text(outcome, result, model, request))
            self.decided.emit(result)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, AlreadyDecided | ExecutionFailed):
                self.model.remove(request.id)
                self._pending_maybe_changed()
            self._failed(exc)
            self.jump.offer(exc)  # a blocker the list holds: a way to it
            if isinstance(exc, PhoneNumberTaken):  # still pending: its rejection is typed here
                self.comment.setFocus(Qt.FocusReason.OtherFocusReason)

        self.ops.run(call, on_success=done, on_error=failed, parent=self,
                     label=translate("ApprovalsInbox", "Deciding"),
                     disable=(self.approve_button, self.reject_button), write=True)

    def _back_to_list(self) -> None:
        """The list under the keyboard after a decision made in the inbox (from its comment
        or a button): the supervisor arrows to the next request."""
        focus = QApplication.focusWidget()
        if focus is not None and (focus is self or self.isAncestorOf(focus)):
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_resume(self, *_args: object) -> None:
        self.resume_button.setVisible(any(not r.pending for r in self.model.rows))

    def resume_selected(self) -> None:
        """Ask the hub to apply the selected approved-not-applied request with this
        approver's own session; the hub decides whether they may."""
        request = self.selected_request()
        if request is None or request.pending:
            self._show_status(lambda: translate(
                "ApprovalsInbox", "Select an approved request that was not applied first."),
                announce=False)
            return
        service = self.approvals()

        def done(result: ChangeRequest) -> None:
            self.model.remove(request.id)
            self._pending_maybe_changed()
            self._show_status(lambda: translate("ApprovalsInbox",
                                                "Resumed: approved and applied."))
            self.decided.emit(result)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, StillNotApplied):
                self._show_status(lambda: translate(
                    "ApprovalsInbox",
                    "Still not applied: the Teller Hub could not finish it. Try again later."))
                return
            if isinstance(exc, AlreadyDecided | ExecutionFailed):
                self.model.remove(request.id)
                self._pending_maybe_changed()
            self._failed(exc)
            self.jump.offer(exc)

        self.ops.run(lambda: resume_request(service, request), on_success=done,
                     on_error=failed, parent=self, label=translate("ApprovalsInbox", "Resuming"),
                     disable=(self.approve_button, self.reject_button, self.resume_button),
                     write=True)

