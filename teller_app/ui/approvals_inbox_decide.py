"""The inbox's decisions on the selected request: Approve / Reject a pending one (approve sends
the SHA-256 of the change as shown), Resume an approved one the hub could not apply. The hub
decides who may; the strings keep the ``ApprovalsInbox`` translation context."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QLineEdit, QPushButton, QWidget

from teller_app.core.approvals import AlreadyDecided, ApprovalService, ExecutionFailed
from teller_app.core.approvals_resume import StillNotApplied, resume_request
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.approvals_model import PendingRequestsModel
from teller_app.ui.async_op import OpRunner

translate = QCoreApplication.translate  # context "ApprovalsInbox", as in ApprovalsInbox.tr


def decision_text(outcome: str, result: ChangeRequest) -> str:
    """What a decision did: "approved" is "applied" only when the hub says so."""
    if outcome != "approved":
        return translate("ApprovalsInbox", "Rejected.")
    if result.state == "applied":
        return translate("ApprovalsInbox", "Approved and applied.")
    return translate("ApprovalsInbox", "Approved, waiting to be applied.")


class InboxDecisions(QWidget):
    decided = Signal(object)  # ChangeRequest as the hub answered the decision
    # set by ApprovalsInbox
    ops: OpRunner
    approvals: Callable[[], ApprovalService]
    model: PendingRequestsModel
    comment: QLineEdit
    approve_button: QPushButton
    reject_button: QPushButton
    resume_button: QPushButton

    def selected_request(self) -> ChangeRequest | None:
        raise NotImplementedError

    def _pending_maybe_changed(self) -> None:
        raise NotImplementedError

    def _show_status(self, make: Callable[[], str], *, announce: bool = True) -> None:
        raise NotImplementedError

    def _failed(self, exc: BaseException) -> None:
        raise NotImplementedError

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
            self._show_status(lambda: decision_text(outcome, result))
            self.decided.emit(result)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, AlreadyDecided | ExecutionFailed):
                self.model.remove(request.id)
                self._pending_maybe_changed()
            self._failed(exc)

        self.ops.run(call, on_success=done, on_error=failed, parent=self,
                     label=translate("ApprovalsInbox", "Deciding"),
                     disable=(self.approve_button, self.reject_button), write=True)

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

        self.ops.run(lambda: resume_request(service, request), on_success=done,
                     on_error=failed, parent=self, label=translate("ApprovalsInbox", "Resuming"),
                     disable=(self.approve_button, self.reject_button, self.resume_button),
                     write=True)

