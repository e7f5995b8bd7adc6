"""The cash dialog's smaller steps, kept apart so ``cash_dialog.py`` stays readable: the
hub's live events for a filed over-threshold draft (and filing it again after an error),
voiding a draft (the reason asked without blocking), leaving an unconfirmed draft, and the
confirm with a confirm whose outcome is not known (read again until it is settled). The
confirmed result and the receipt: ``cash_dialog_result``. Strings keep the ``CashDialog``
translation context."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QInputDialog, QMessageBox

from teller_app.core.cash import ConfirmFailed, ConfirmInDoubt
from teller_app.core.cash_settle import RECHECK_DELAYS, recheck
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.cash_dialog_keys import make_next_step
from teller_app.ui.cash_dialog_lines import in_sentence, show_payment
from teller_app.ui.cash_dialog_result import CashDialogResult
from teller_app.ui.cash_dialog_till import till_reader
from teller_app.ui.cash_step_text import cash_dialog_error
from teller_app.ui.cash_text import cash_error_text


class CashDialogParts(CashDialogResult):
    """The base of ``CashDialog`` after ``CashDialogResult``: these steps use the widgets,
    the service and the state that ``CashDialog.__init__`` builds."""

    voided = Signal(object)  # CashDraft voided at the hub
    failed_final = Signal(object)  # ConfirmFailed: the platform marked the payment FAILED

    draft_settled = False  # the draft was voided or FAILED (a receipt says it was confirmed)
    # A confirm's answer was lost and DCM has not shown it CONFIRMED yet: it may still be
    # applied, so the draft is neither voided nor made again until a read settles it.
    in_doubt = False
    _in_doubt_since = 0.0  # time.monotonic() when the confirm's answer was lost
    leave_prompt: QMessageBox | None = None

    def reject(self) -> None:
        """Esc, Close or the window's ×: a draft neither confirmed nor voided is asked about
        first (no money moved; the customer may still be at the desk)."""
        if self.draft is None or self.receipt is not None or self.draft_settled:
            super().reject()
            return
        if self.leave_prompt is not None:
            return
        text = QCoreApplication.translate(
            "CashDialog", "This draft is not confirmed: no money has moved. It stays a draft "
            "(grey in the customer's account history) until it is confirmed or voided; if "
            "nobody confirms it, the till close voids it. Close the window?")
        if till_reader(self.service) is None:  # no Teller Hub: no till, and no till close
            text = QCoreApplication.translate(
                "CashDialog", "This draft is not confirmed: no money has moved. It stays a "
                "draft (grey in the customer's account history) until it is confirmed or "
                "voided. Close the window?")
        if self.in_doubt:
            text = QCoreApplication.translate(
                "CashDialog", "It is not known yet whether this payment went through: the "
                "platform may still confirm it. The customer's account history shows its "
                "status (a grey draft, or confirmed): check it there before you make a new "
                "one or hand cash back or over. Close the window?")
        box = self.leave_prompt = QMessageBox(QMessageBox.Icon.Question, self.windowTitle(),
                                              text, parent=self)
        keep = box.addButton(QCoreApplication.translate("CashDialog", "Keep working"),
                             QMessageBox.ButtonRole.RejectRole)
        leave = box.addButton(QCoreApplication.translate("CashDialog", "Close"),
                              QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)

        def answered(button: object) -> None:
            self.leave_prompt = None
            if button is leave:
                self.draft_settled = True
                super(CashDialogParts, self).reject()

        box.buttonClicked.connect(answered)
        box.open()

    def _show_error(self, exc: BaseException) -> None:
        if isinstance(exc, ConfirmFailed):  # whichever step read it (an approval's too)
            self.refused_for_good(exc)
            return
        self.error.setText(cash_dialog_error(exc, None, self.minor_unit, self.asset_code,
                                             drafted=True))
        self._fit()

    def refused_for_good(self, exc: ConfirmFailed) -> None:
        """The platform marked the payment FAILED: its refusal is final. No money moved and
        the draft is never confirmed, so neither Confirm nor Void is offered, nothing is in
        doubt and closing asks nothing; a new operation is a new draft."""
        if self.receipt is not None:
            return
        self.in_doubt = False
        self.draft_settled = True
        for button in (self.confirm_button, self.supervisor_button, self.void_button,
                       self.refile_button, self.check_button):
            button.hide()
        cause = exc.cause
        self.error.setText(exc.detail if cause is None else
                           cash_error_text(cause, self.minor_unit, self.asset_code))
        self.note.setText(QCoreApplication.translate(
            "CashDialog", "Refused: the platform marked the payment as failed. This is final: "
            "no money moved and this draft is never confirmed. If the customer still wants "
            "the operation, make a new one."))
        show_payment(self.reference, self.draft.payment_guid if self.draft else "")
        self._fit()
        self._nothing_left()
        if self.draft is not None:
            self.failed_final.emit(exc)

    def _wire_approval(self) -> None:
        approval = self.approval
        if approval is None:
            return

        def filed(_request: object) -> None:
            self.refile_button.hide()
            self.supervisor_button.setVisible(approval.in_place is not None)

        approval.filed.connect(filed)
        approval.status.connect(self._note)
        approval.settled.connect(self._confirmed)
        approval.ended.connect(self._approval_ended)
        approval.error.connect(self._show_error)
        approval.filing_failed.connect(self._filing_failed)

    def _filing_failed(self, exc: BaseException) -> None:
        """The request did not reach the hub (or its answer was lost): offer to send it
        again — the same request id, so the hub never stores it twice."""
        self.note.setText(QCoreApplication.translate(
            "CashDialog", "The request for a supervisor was not sent (or its answer was "
            "lost). Press “Ask a supervisor again”: the same request is sent, "
            "never a second one."))
        self.refile_button.show()
        self._show_error(exc)

    def refile(self) -> None:
        if self.approval is None:
            return
        self.refile_button.hide()
        self.error.clear()
        self.approval.refile()

    def on_hub_event(self, event: HubEvent) -> None:
        """The hub's live events (the window's feed): the filed request's decision."""
        if self.approval is not None:
            self.approval.on_event(event)

    def _approval_ended(self, text: str) -> None:
        for button in (self.confirm_button, self.supervisor_button, self.void_button,
                       self.refile_button):
            button.hide()
        self._note(text)
        self._nothing_left()

    def ask_void_reason(self) -> None:
        """Void the unconfirmed draft: the reason is asked without blocking."""
        prompt = self.void_prompt = QInputDialog(self)
        prompt.setWindowTitle(QCoreApplication.translate("CashDialog", "Void the draft"))
        prompt.setLabelText(QCoreApplication.translate(
            "CashDialog", "Why is the draft voided? (required)"))
        prompt.textValueSelected.connect(self.void_draft)
        prompt.open()

    def void_draft(self, reason: str) -> None:
        draft = self.draft
        if draft is None:
            return
        if not reason.strip():
            self.error.setText(QCoreApplication.translate(
                "CashDialog", "A reason is required to void a draft."))
            return

        def done(_result: object) -> None:
            self.error.clear()
            for button in (self.confirm_button, self.supervisor_button, self.void_button,
                           self.refile_button):
                button.hide()
            self.note.setText(QCoreApplication.translate(
                "CashDialog", "Voided: this draft is never confirmed."))
            self._fit()
            if self.approval is not None:
                self.approval.request = None  # its withdrawal is this void: nothing more to say
            self.draft_settled = True
            self._nothing_left()
            self.voided.emit(draft)

        self.ops.run(lambda: self.service.void(draft.payment_guid, reason), on_success=done,
                     on_error=self._show_error, parent=self,
                     label=QCoreApplication.translate("CashDialog", "Voiding"),
                     disable=(self.void_button,), write=True)

    # -- confirm, and a confirm whose outcome is not known ------------------------------
    def confirm_draft(self) -> None:
        draft = self.draft
        if draft is None:
            return
        self.ops.run(lambda: self.service.confirm(draft.payment_guid, amount=draft.amount,
                                                  kind=draft.kind),
                     on_success=self._confirmed, on_error=self._confirm_failed, parent=self,
                     label=QCoreApplication.translate("CashDialog", "Confirming"),
                     disable=(self.confirm_button,), write=True)

    def _confirm_failed(self, exc: BaseException) -> None:
        # No answer: the confirm reached the platform and may be applied late. Any other
        # error (a connection error too) came before anything was sent (the hub's check, a
        # refused connection): said as such, and Void stays.
        if isinstance(exc, ConfirmInDoubt):
            self.in_doubt_now(exc)
            return
        self._show_error(exc)  # FAILED (final) included

    def in_doubt_now(self, exc: ConfirmInDoubt | None = None) -> None:
        """Say the outcome is not known, keep Void (and a new draft) away, read again.
        Confirm again only for a payment read as a draft (``exc.read_as_draft``): one the
        platform did not show, or showed in a status the desk does not know, would be
        refused, and that refusal said while the outcome is not known."""
        self.in_doubt = True
        self._in_doubt_since = time.monotonic()
        self.error.clear()
        self.void_button.hide()
        self.check_button.show()
        self.confirm_button.setVisible(self._may_confirm_again()
                                       and (exc is None or exc.read_as_draft))
        make_next_step(self.check_button)  # Enter reads the outcome; it never confirms again
        self._note(QCoreApplication.translate(
            "CashDialog", "No answer came in time: it is not known yet whether the payment "
            "went through. Its status is being checked. Do not void it or make a new one "
            "meanwhile."))
        self.check_again(RECHECK_DELAYS)

    def check_again(self, delays: tuple[float, ...] = (0.0,)) -> None:
        """Read the payment (after each delay): CONFIRMED settles it with its receipt."""
        draft = self.draft
        if draft is None or self.receipt is not None:
            return

        def still(exc: BaseException) -> None:
            if isinstance(exc, ConfirmFailed):  # refused after all: final
                self.refused_for_good(exc)
                return
            # whatever else ended the reads, nothing more is known: no line says more
            doubt = exc if isinstance(exc, ConfirmInDoubt) else None
            read_at = doubt.draft_read_at if doubt is not None else None
            if read_at is None:
                self.platform_unreadable(doubt.status_raw if doubt is not None else "")
                return
            self.confirm_button.setVisible(self._may_confirm_again())
            if read_at - self._in_doubt_since >= sum(RECHECK_DELAYS):
                # read as a draft long past any late answer: most likely not confirmed; the
                # hub still refuses a void while a confirm may be in flight
                self.void_button.setVisible(self.service.gate is not None)
                self._note(QCoreApplication.translate(
                    "CashDialog", "The platform still shows the payment as a draft well after "
                    "the lost answer: it was most likely not confirmed. Confirm it again (a "
                    "payment is never confirmed twice) or void it."))
                return
            self._note(QCoreApplication.translate(
                "CashDialog", "It is still not known whether the payment went through: the "
                "platform shows it as a draft so far. Press “Check again” in a moment, or "
                "Confirm: a payment is never confirmed twice. Do not void it or make a new "
                "one until this is settled."))

        self.ops.run(lambda: recheck(self.service, draft.payment_guid, delays),
                     on_success=self._confirmed, on_error=still, parent=self,
                     key=f"cash-recheck:{id(self)}",
                     label=QCoreApplication.translate("CashDialog", "Checking the payment"),
                     disable=(self.check_button,))

    def platform_unreadable(self, status: str = "") -> None:
        """No read returned the payment as a draft lately: the platform does not answer, or
        (``status``) it shows a status the desk does not know. Nothing is known of it, not
        even that it is still a draft. Neither Void nor Confirm is offered (the hub refuses
        both while it cannot read DCM; a payment in another status is no draft to confirm);
        Check again stays, and no other line says confirmed or not. A late confirm counts
        from now: "most likely not confirmed" wants a full round of answered reads."""
        self._in_doubt_since = time.monotonic()
        self.error.clear()
        self.void_button.hide()
        self.confirm_button.hide()
        self.check_button.show()
        make_next_step(self.check_button)
        if status:
            self._note(QCoreApplication.translate(
                "CashDialog", "The platform shows the payment in a status this desk does not "
                "know (%1), so it is not known yet whether the payment went through: the "
                "account may already be credited or debited. Until this is known, do not "
                "hand cash back or pay any out, and do not void the payment or make a new "
                "one. Press “Check again” in a moment.").replace("%1", in_sentence(status)))
            return
        self._note(QCoreApplication.translate(
            "CashDialog", "The platform cannot be read right now, so it is not known yet "
            "whether the payment went through: the account may already be credited or "
            "debited. Until this is known, do not hand cash back or pay any out, and do not "
            "void the payment or make a new one. Press “Check again” in a moment."))

    def _may_confirm_again(self) -> bool:
        """Confirm may be pressed again while in doubt (never twice on the platform); a
        draft that needs a supervisor is confirmed through them."""
        return self.draft is not None and not self.draft.needs_supervisor
