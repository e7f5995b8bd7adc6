"""Closing the till at the end of the day: count the drawer, over/short against the hub's
expected cash (a reason when it differs), then the end-of-day report.

The hub decides; this dialog shows it. While the opening count waits for its co-sign the
till cannot be closed; while a vault transfer waits for a supervisor the close is refused
too: the line at the top names the transfers as the dialog opens (the teller may count
meanwhile) and is read again when the hub refuses the close for one. An over/short past
the bank's close tolerance waits for a supervisor's co-sign (the till is not closed until
then): from the branch cash position, or here with their own credentials. The teller may
count again meanwhile, but once a close waits, every count waits for the co-sign too,
whatever its over/short: the supervisor co-signs the newest count. Payments confirmed
unlike their authorization are listed (``till_set_aside``; read again when the hub refuses
the close for them): the close sets them aside with a reason, and the supervisor co-signing
here reads that the till closes without them. Only a state this desk
knows as closed reads as closed: a newer hub's state it does not know is "not closed, ask a
supervisor" (``till_text``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QPushButton, QWidget

from teller_app.core.till import EndOfDay, Till, TillService
from teller_app.core.till_models import Transfer
from teller_app.platform.errors import PlatformError
from teller_app.platform.hub_models import HubEvent
from teller_app.ui import theme
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cosign_wait import CosignWaitDialog
from teller_app.ui.money import format_uah
from teller_app.ui.screen_fit import ScreenFit, ScreenFitDialog
from teller_app.ui.scroll_body import DialogLayout, ScrollBody
from teller_app.ui.till_cosign_here import cosign_here
from teller_app.ui.till_dialog import CountGrid, ReportDialog, next_step
from teller_app.ui.till_report import ReportContext
from teller_app.ui.till_set_aside import SetAsideList
from teller_app.ui.till_text import (
    hub_code_text,
    is_closed_state,
    till_not_closed_text,
    till_state_text,
    transfer_text,
)
from teller_app.ui.till_vault_count import signed_uah
from teller_app.ui.till_windows import release_on_close
from teller_app.ui.untrusted import plain_label

# (supervisor e-mail, password, till id, the count they are shown) -> the closed till
CloseCosignHere = Callable[[str, str, str, Decimal], Awaitable[Till]]


class TillCloseDialog(ScreenFitDialog, CosignWaitDialog):
    """Count the drawer at the end of the day: over/short against the hub's expected cash."""

    closed = Signal(object)  # Till (closed)
    waiting = Signal(object)  # Till whose close waits for a supervisor's co-sign

    def __init__(self, ops: OpRunner, service: TillService, till: Till, context: ReportContext,
                 parent: QWidget | None = None, *,
                 cosign_here: CloseCosignHere | None = None) -> None:
        super().__init__(parent, can_cosign_here=cosign_here is not None)
        self.setObjectName("tillCloseDialog")
        self.fit = ScreenFit(self)  # first: it sees every event
        self.setWindowTitle(self.tr("Close the till"))
        self.ops, self.service, self.till, self.context = ops, service, till, context
        self.cosign_here = cosign_here
        self.report: EndOfDay | None = None
        self.report_dialog: ReportDialog | None = None
        self.voided = 0  # drafts the hub voided at the close (also while it waits)
        # said before the count: the hub refuses the close while a vault transfer waits
        self.transfers_pending = plain_label(QLabel(self))
        self.transfers_pending.setObjectName("tillCloseTransfersPending")
        self.transfers_pending.setStyleSheet(theme.error_style())  # the close is refused
        self.transfers_pending.hide()  # until a till that says its transfers names one
        self._show_pending(till.pending_transfers)
        self.expected = QLabel(format_uah(till.expected), self)
        self.expected.setObjectName("tillExpected")
        self.grid = CountGrid(self)
        self.over_short = QLabel(self)
        self.over_short.setObjectName("tillOverShort")
        # payments confirmed unlike their authorization: the close sets them aside (made
        # here: its Tab stop comes after the count, before the reason)
        self.set_aside = SetAsideList(self)
        self._show_set_aside(till)
        self.add_reason_and_status("tillReason", "tillCloseCosignStatus")
        self.close_button = QPushButton(self.tr("Close the till"), self)
        self.close_button.setObjectName("tillCloseButton")
        self.report_button = QPushButton(self.tr("End-of-day report…"), self)
        buttons = self.cosign_button_box(  # no report before closing
            (self.close_button, self.report_button), self.tr("Check the co-sign"),
            self.tr("Supervisor co-signs here…"), hidden=(self.report_button,))
        # The window's own button must not read like "Close the till" beside it: "Cancel"
        # while nothing was sent (the till stays open), "Done" once the hub has the count.
        self.leave_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.leave_button.setObjectName("tillCloseLeave")
        self.leave_button.setText(self.tr("Cancel"))
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.close_till)
        self.report_button.clicked.connect(self.show_report)
        self.grid.changed.connect(self._validate)
        self.reason.textChanged.connect(self._validate)
        # the count and the rows around it scroll where the screen is short (a large
        # font); what the close waits for, the status and the buttons stay in view under
        # them
        self.body = ScrollBody(self)
        form = QFormLayout()
        self.body.fields.addLayout(form)
        form.addRow(self.transfers_pending)
        form.addRow(self.tr("Till"), plain_label(QLabel(till.till_code, self), wrap=False))
        form.addRow(self.tr("Expected cash"), self.expected)
        form.addRow(self.grid)
        form.addRow(self.tr("Over/short"), self.over_short)
        form.addRow(self.set_aside)
        form.addRow(self.tr("Reason"), self.reason)
        self.fit.narrow_when(self.grid.arranged, self.grid)  # stacked: no empty width
        layout = DialogLayout(self, self.body)
        for below in (self.cosign_status, self.status, buttons):
            layout.addWidget(below)
        if till.needs_close_cosign:  # reopened while the close waits: its count is shown
            self.grid.set_counts(till.close_counts)
            self.reason.setText(till.close_reason or "")
            self._wait_for_cosign(till)
        self._validate()

    def difference(self) -> Decimal:
        return self.grid.value() - self.till.expected

    def _validate(self) -> None:
        if self.till.needs_cosign:  # the hub refuses it: the opening count is not co-signed
            self.close_button.setEnabled(False)
            self.status.setText(hub_code_text("awaiting_cosign") or "")
            return
        diff = self.difference()
        word = (self.tr("balanced") if diff == 0 else self.tr("over") if diff > 0
                else self.tr("short"))
        self.over_short.setText(f"{signed_uah(diff)} ({word})")
        self.ask_reason(diff, self.close_button, self.tr(
            "The count differs from the expected cash: give the reason."))

    def close_till(self) -> None:
        counts, reason = self.grid.counts(), self.reason.text()

        async def close_and_report() -> tuple[Till, EndOfDay | None]:
            closed = await self.service.close(counts, reason)
            if not is_closed_state(closed.state):  # waits for a co-sign, or a newer state
                return closed, None
            return closed, await self.service.end_of_day(closed.id, self.context.people)

        def done(result: tuple[Till, EndOfDay | None]) -> None:
            till, report = result
            self.voided += len(till.voided_at_close)
            if report is None and till.needs_close_cosign:
                self._wait_for_cosign(till)
            elif report is None:
                self._not_closed(till)
            else:
                self._closed(report)

        self.ops.run(close_and_report, on_success=done, on_error=self._close_failed, parent=self,
                     label=self.tr("Closing the till"), disable=(self.close_button,),
                     write=True)

    def _show_pending(self, waiting: tuple[Transfer, ...] | None) -> None:
        """The warning line: the till's transfers waiting for a supervisor (none: hidden;
        None, the answer did not say: the line stays as it was)."""
        if waiting is None:
            return
        said = self.tr(  # (a plural message: lupdate reads it only through ``tr``)
            "Waiting for a supervisor: %n vault transfer(s) ({transfers}). The till closes "
            "only once a supervisor has approved or rejected each one; you may count the "
            "drawer meanwhile.", "", len(waiting)).format(
                transfers="; ".join(transfer_text(t) for t in waiting)) if waiting else ""
        self.transfers_pending.setText(said)
        self.transfers_pending.setVisible(bool(said))

    def _show_set_aside(self, till: Till) -> None:
        """The payments ``till``'s answer names as set aside (an answer that names none,
        the report's: the list stays, its heading follows the till's state)."""
        if till.set_aside is not None:
            self.set_aside.set_items(till.set_aside, till.state)
        else:
            self.set_aside.set_state(till.state)

    def _close_failed(self, exc: BaseException) -> None:
        self._failed(exc)
        if isinstance(exc, PlatformError) and exc.reason == "transfer_pending":
            self._read_pending()
        if isinstance(exc, PlatformError) and exc.reason == "confirmed_mismatch":
            self._read_pending()  # which payments the close would set aside
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)  # the hub wants one

    def _read_pending(self) -> None:
        """Which transfers wait now (one filed or decided since the dialog opened), and
        which payments the close would set aside."""
        def read(till: Till | None) -> None:
            if till is not None and till.id == self.till.id:
                self._show_pending(till.pending_transfers)
                if till.set_aside is not None:  # the count's state is this dialog's
                    self.set_aside.set_items(till.set_aside, self.set_aside.state)

        self.ops.run(self.service.current, on_success=read, on_error=lambda _exc: None,
                     parent=self, label=self.tr("Reading the till"))

    def on_decided(self, event: HubEvent) -> None:
        """A supervisor decided work on this till (the hub's ``till.decided``, ``till_live``):
        a close waiting for its co-sign checks as "Check the co-sign" does; a transfer
        decided while the line names waiting ones, the line is read again."""
        if event.till_id != self.till.id or self.report is not None:
            return
        if event.what == "close_cosign" and self.till.needs_close_cosign:
            self.refresh()
        elif event.what == "transfer" and self.transfers_pending.text():
            self._read_pending()

    def _wait_for_cosign(self, till: Till) -> None:
        self.till = till
        self._show_set_aside(till)  # what the co-sign closes the till without
        # nothing waits: the hub took the count (a close is refused while a transfer
        # waits) and a till past its count takes no new one (filed on an open till only)
        self._show_pending(till.pending_transfers or ())
        self.leave_button.setText(self.tr("Done"))
        next_step(self.show_waiting(self.tr(  # also after a recount that balances
            "Over/short {amount}: the close needs a supervisor's co-sign. A supervisor "
            "co-signs from the branch cash position or here; then press Check the co-sign. "
            "Until then the till stays open (a new count needs the co-sign too).").format(
                amount=signed_uah(till.over_short or Decimal(0)))))
        self.waiting.emit(till)

    def refresh(self) -> None:
        """Has a supervisor co-signed the close (at their own desk)?"""
        till_id = self.till.id

        def shown(report: EndOfDay) -> None:
            if is_closed_state(report.till.state):
                self._closed(report)
            elif not report.till.needs_close_cosign:
                self._not_closed(report.till)
            else:
                self.status.setText(self.tr("The close still waits for a supervisor's "
                                            "co-sign."))

        self.ops.run(lambda: self.service.end_of_day(till_id, self.context.people),
                     on_success=shown, on_error=self._failed, parent=self,
                     label=self.tr("Checking the till"))

    def open_cosign_here(self) -> None:
        """The supervisor types their credentials here; they co-sign the count shown."""
        till, cosign = self.till, self.cosign_here
        if cosign is None or till.counted is None:
            return
        counted = till.counted
        summary = self.tr(
            "Co-sign the close of till {code}: counted {counted}, expected {expected}, "
            "over/short {diff}. Reason: {reason}").format(
                code=till.till_code, counted=format_uah(counted),
                expected=format_uah(till.expected),
                diff=signed_uah(till.over_short or Decimal(0)), reason=till.close_reason or "—")
        set_aside = self.set_aside.supervisor_text()  # what the co-sign closes without
        summary += f"\n\n{set_aside}" if set_aside else ""

        async def run(email: str, password: str) -> EndOfDay:
            closed = await cosign(email, password, till.id, counted)
            return await self.service.end_of_day(closed.id, self.context.people)

        self.cosign_dialog = cosign_here(self, self.ops, summary,
                                         self.tr("Supervisor co-signing"), run, self._closed)

    def _not_closed(self, till: Till) -> None:
        """A newer hub's state this desk does not know: not closed, whatever it is."""
        self.till = till
        self.leave_button.setText(self.tr("Done"))
        self.cosign_status.setText(till_not_closed_text())  # kept while the teller types
        self.cosign_button.hide()  # co-signing is for the state this desk knows
        self.refresh_button.show()
        next_step(self.refresh_button)
        self.waiting.emit(till)

    def _closed(self, report: EndOfDay) -> None:
        if self.report is not None:  # closed already (a co-sign here and its live event)
            return
        if not is_closed_state(report.till.state):  # e.g. after a co-sign here
            self._not_closed(report.till)
            return
        self.report, self.till = report, report.till
        self._show_set_aside(report.till)  # closed without them
        # nothing waits on a closed till: its close was refused while one waited, and a
        # transfer is filed on an open till only
        self._show_pending(report.till.pending_transfers or ())
        for button in (self.close_button, self.refresh_button, self.cosign_button):
            button.hide()
        self.grid.setEnabled(False)
        self.reason.setReadOnly(True)
        self.reason.setEnabled(False)  # greyed as the counts are: nothing more to change
        self.leave_button.setText(self.tr("Done"))
        self.cosign_status.setText("")
        self.report_button.show()
        next_step(self.report_button)
        state = report.till.state  # its state only when it says more than "closed"
        text = self.tr("The till is closed.") if state == "closed" else self.tr(
            "The till is closed ({state}).").format(state=till_state_text(state))
        if self.voided:  # drafts left behind: the teller learns they are gone
            text += " " + self.tr("%n cash draft(s) never confirmed were voided.", "",
                                  self.voided)
        self.status.setText(text)
        self.closed.emit(report.till)
        self.show_report()

    def show_report(self) -> None:
        if self.report is not None:
            dialog = self.report_dialog = ReportDialog(self.report, self.context, self.ops, self)
            # a new one each press: the closed one goes
            release_on_close(dialog, self.ops, lambda: self._forget_report(dialog))
            dialog.open()

    def _forget_report(self, dialog: ReportDialog) -> None:
        if self.report_dialog is dialog:
            self.report_dialog = None
