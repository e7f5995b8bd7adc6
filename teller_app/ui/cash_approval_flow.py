"""The cash dialog's side of an over-threshold draft (issue 15): file it as a four-eyes
``cash_confirm`` request, follow it live (the hub's event stream reaches the dialog through
``on_event``), let a supervisor decide it in place at this desk (their credentials in a
dialog opened with ``open()``; their own short-lived session decides, the hub checks them),
and settle once the hub applied it: the receipt, the till count — never a second confirm.
A filing that failed can be sent again (``refile``) with the same request id: the hub answers
it with the request it stored, so it is never filed twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from teller_app.core.approvals import ApprovalService
from teller_app.core.cash import CashDraft, CashReceipt, CashService, ConfirmFailed
from teller_app.core.cash_approval import (
    END_KINDS,
    SETTLE_KINDS,
    concerns,
    request_approval,
    settle_approved,
)
from teller_app.core.cash_settle import read_approved
from teller_app.core.intent_id import IntentIds
from teller_app.platform.hub_models import ChangeRequest, HubEvent
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.async_op import OpRunner
from teller_app.ui.untrusted import fill, shown

# (supervisor e-mail, password, request, "approved"|"rejected", comment) -> the request
DecideInPlace = Callable[[str, str, ChangeRequest, str, str], Awaitable[ChangeRequest]]


class CashApprovalFlow(QObject):
    filed = Signal(object)  # ChangeRequest
    settled = Signal(object)  # CashReceipt
    ended = Signal(str)  # rejected / withdrawn / failed: the line to show
    status = Signal(str)  # progress for the dialog's note
    error = Signal(object)  # an exception while settling (ConfirmFailed: refused for good)
    filing_failed = Signal(object)  # an exception while filing: ``refile`` may send it again

    def __init__(self, parent: QWidget, ops: OpRunner, service: CashService,
                 approvals: ApprovalService, in_place: DecideInPlace | None = None) -> None:
        super().__init__(parent)
        self.widget = parent
        self.ops = ops
        self.service = service
        self.approvals = approvals
        self.in_place = in_place
        self.draft: CashDraft | None = None
        self.request: ChangeRequest | None = None
        self.ids = IntentIds()  # one request id per draft: every filing of it sends it
        self.reason = ""
        self.dialog: ApproveInPlaceDialog | None = None
        self._settling = False
        self._rejection_said = False  # in place, then its live event: said once

    def file(self, draft: CashDraft, reason: str) -> None:
        self.draft, self.reason = draft, reason
        self.refile()

    def refile(self) -> None:
        """File (again) the draft's request, with its one request id."""
        draft, reason = self.draft, self.reason
        if draft is None or self.request is not None:
            return
        request_id = self.ids.id_for(draft.payment_guid)
        branch = self.service.branch_guid

        def done(request: ChangeRequest) -> None:
            self.request = request
            self.status.emit(self.tr(
                "Sent to a supervisor for approval. This window updates by itself when they "
                "decide; a supervisor may also decide here."))
            self.filed.emit(request)
            # A filing whose answer was lost may have been decided meanwhile.
            if request.state == "applied":
                self.settle()
            elif request.state in ("rejected", "withdrawn", "failed"):
                self._end(f"request.{request.state}", request.result or "")

        self.ops.run(lambda: request_approval(self.approvals, draft, branch, reason,
                                              request_id),
                     on_success=done, on_error=self.filing_failed.emit, parent=self.widget,
                     label=self.tr("Asking a supervisor"), write=True)

    def on_event(self, event: HubEvent) -> None:
        if not concerns(event, self.request):
            return
        if event.kind in SETTLE_KINDS:
            self.settle()
        elif event.kind == "request.approved":
            self.status.emit(self.tr("Approved by a supervisor; the platform is confirming…"))
        elif event.kind == "request.rejected" and self.request is not None:
            self._read_rejection(self.request.id)
        elif event.kind in END_KINDS:
            self._end(event.kind, event.result or "")

    def _read_rejection(self, request_id: str) -> None:
        """An event carries no comment: the request is read for the supervisor's words (the
        rejection is said without them when it cannot be read)."""
        def read(request: ChangeRequest) -> None:
            self._end("request.rejected", "", comment=request.comment or "")

        if self._rejection_said:
            return
        self.ops.run(lambda: self.approvals.get(request_id), on_success=read,
                     on_error=lambda _exc: self._end("request.rejected", ""),
                     parent=self.widget, key=f"rejection-{request_id}",
                     label=self.tr("Reading the supervisor's decision"))

    def _end(self, kind: str, result: str, *, comment: str = "") -> None:
        if kind == "request.rejected":
            if self._rejection_said:
                return
            self._rejection_said = True
            rejected = self.tr("A supervisor rejected it: the draft is voided and is never "
                               "confirmed.")
            if comment.strip():  # why, in the supervisor's own words (another person's text)
                rejected += " " + fill(self.tr("Their comment: %1"), shown(comment))
            self.ended.emit(rejected)
        elif kind == "request.withdrawn":
            self.ended.emit(self.tr("The request was withdrawn."))
        else:
            self._read_failed(result)

    def _read_failed(self, result: str) -> None:
        """The hub says its confirm failed: the payment is read before anything is said (a
        confirm whose answer came late may have gone through: then it settles here)."""
        draft = self.draft
        refused = self.tr("Approved, but the platform refused the confirm: %1").replace(
            "%1", result)
        if draft is None:
            self.ended.emit(refused)
            return

        def read(receipt: CashReceipt | None) -> None:
            if receipt is not None:
                self.settled.emit(receipt)
            else:
                self.ended.emit(refused)

        def unread(exc: BaseException) -> None:
            if isinstance(exc, ConfirmFailed):  # FAILED on DCM: the refusal is final
                self.error.emit(ConfirmFailed(exc.payment_guid, exc.cause, refused))
                return
            self.ended.emit(self.tr(
                "Approved, but it is not known yet whether the platform confirmed it (its "
                "status could not be read, or is one this desk does not know). Check the "
                "payment before you void it or make a new one."))

        self.ops.run(lambda: read_approved(self.service, draft.payment_guid),
                     on_success=read, on_error=unread, parent=self.widget,
                     label=self.tr("Reading the payment"))

    def settle(self) -> None:
        draft = self.draft
        if draft is None or self._settling:
            return
        self._settling = True

        def failed(exc: BaseException) -> None:
            self._settling = False
            self.error.emit(exc)

        self.ops.run(lambda: settle_approved(self.service, draft.payment_guid,
                                             amount=draft.amount, kind=draft.kind),
                     on_success=self.settled.emit, on_error=failed, parent=self.widget,
                     label=self.tr("Reading the confirmed payment"),
                     write=True)  # a draft still CREATED is confirmed here

    def open_in_place(self, summary: str) -> ApproveInPlaceDialog | None:
        """A supervisor decides the filed request here, with their own credentials. The
        dialog opened (None: nothing to decide here), so the cash dialog hears a cancel."""
        request, decide = self.request, self.in_place
        if request is None or decide is None:
            return None
        dialog = self.dialog = ApproveInPlaceDialog(summary, self.widget)

        def decided(outcome: str, email: str, password: str, comment: str) -> None:
            def done(result: ChangeRequest) -> None:
                dialog.accept()
                if result.state == "applied":
                    self.settle()
                elif result.state in ("rejected", "failed"):
                    self._end(f"request.{result.state}", result.result or "",
                              comment=result.comment or "")
                elif result.state == "approved":  # the hub's confirm is late: it reads DCM
                    self.status.emit(self.tr(
                        "Approved by a supervisor. The platform has not answered the confirm "
                        "yet; this window updates by itself when it is settled."))

            def refused(exc: BaseException) -> None:
                from teller_app.ui.approval_errors import approval_error_text

                dialog.show_error(approval_error_text(exc))

            self.ops.run(lambda: decide(email, password, request, outcome, comment),
                         on_success=done, on_error=refused, parent=dialog,
                         label=self.tr("Supervisor deciding"), reauth=False, write=True)

        dialog.decided.connect(decided)
        dialog.open()
        return dialog
