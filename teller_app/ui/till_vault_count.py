"""A supervisor counts the branch vault by denomination; the hub keeps the balance. A count
equal to the book applies at once; one that differs needs a reason and waits for a second
supervisor's co-sign (the vault keeps its book meanwhile): at their own desk, from the
branch cash position, or here with their credentials. A newer count replaces a waiting one.
While a count waits nothing of it can be changed or saved again here; a wait that ends
without the co-sign (replaced by a newer count) gives the count back as it was typed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QWidget

from teller_app.core.till import BranchPosition, TillService, VaultCount, VaultCountRecorded
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cosign_wait import CosignWaitDialog
from teller_app.ui.money import format_uah
from teller_app.ui.screen_fit import ScreenFit, ScreenFitDialog
from teller_app.ui.scroll_body import DialogLayout, ScrollBody
from teller_app.ui.untrusted import fill, shown, shown_lines

# (second supervisor's e-mail, password, count id) -> the position once co-signed
VaultCosignHere = Callable[[str, str, str], Awaitable[BranchPosition]]
MINUS = "\u2212"  # MINUS SIGN: as wide as the plus, unlike a hyphen


def signed_uah(difference: Decimal) -> str:
    """A count's difference from the book with its sign: a surplus "+2 200.00 UAH", a
    shortage "−2 200.00 UAH" (``format_uah``, i.e. ``format_money``); none for zero."""
    if difference > 0:
        return "+" + format_uah(difference)
    if difference < 0:
        return MINUS + format_uah(-difference)
    return format_uah(difference)


class VaultCountDialog(ScreenFitDialog, CosignWaitDialog):
    """``saved``: the hub recorded the count (its ``count`` applied or waiting)."""

    saved = Signal(object)  # BranchPosition

    def __init__(self, ops: OpRunner, service: TillService, branch_guid: str | None,
                 parent: QWidget | None = None, *, book: Decimal | None = None,
                 cosign_here: VaultCosignHere | None = None,
                 name_of: Callable[[str], str] | None = None) -> None:
        from teller_app.ui.till_dialog import CountGrid

        super().__init__(parent, can_cosign_here=cosign_here is not None)
        self.setObjectName("vaultCountDialog")
        self.fit = ScreenFit(self)  # first: it sees every event
        self.setWindowTitle(self.tr("Count the vault"))
        self.ops, self.service, self.branch_guid = ops, service, branch_guid
        self.book, self.cosign_here = book, cosign_here
        # an employee's name for the hub's e-mail (who counted), the e-mail if not known
        self.name_of: Callable[[str], str] = name_of or (lambda email: email)
        self.count: VaultCount | None = None  # the last count the hub recorded
        self.waiting = False  # the count waits for its co-sign: nothing of it changes here
        self.grid = CountGrid(self)
        self.difference = QLabel(self)
        self.difference.setObjectName("vaultDifference")
        self.add_reason_and_status("vaultReason", "vaultCosignStatus")
        self.save = QPushButton(self.tr("Save the count"), self)
        buttons = self.cosign_button_box((self.save,), self.tr("Check the co-sign"),
                                         self.tr("Second supervisor co-signs here…"))
        self.save.clicked.connect(self.save_count)
        self.grid.changed.connect(self._validate)
        self.reason.textChanged.connect(self._validate)
        # the count and the rows around it scroll where the screen is short (a large
        # font); what the count waits for, the status and the buttons stay in view under
        # them
        self.body = ScrollBody(self)
        form = QFormLayout()
        self.body.fields.addLayout(form)
        if book is not None:
            form.addRow(self.tr("Book balance"), QLabel(format_uah(book), self))
        form.addRow(self.grid)
        form.addRow(self.tr("Difference"), self.difference)
        form.addRow(self.tr("Reason"), self.reason)
        self.fit.narrow_when(self.grid.arranged, self.grid)  # stacked: no empty width
        layout = DialogLayout(self, self.body)
        for below in (self.cosign_status, self.status, buttons):
            layout.addWidget(below)
        self._validate()

    def _validate(self) -> None:
        """With the book known, a differing count needs its reason before it is sent; a
        count already saved and waiting is not sent again ("Save the count" stays off)."""
        diff = None if self.book is None else self.grid.value() - self.book
        self.difference.setText("—" if diff is None else signed_uah(diff))
        if self.waiting:
            self.save.setEnabled(False)
        elif diff is not None:
            self.ask_reason(diff, self.save, self.tr(
                "The count differs from the book balance: give the reason."))

    def save_count(self) -> None:
        counts, reason = self.grid.counts(), self.reason.text()

        def done(position: BranchPosition) -> None:
            self.saved.emit(position)
            if position.count is not None and position.count.pending:
                self._wait_for_cosign(position.count)
            elif position.count is not None and position.count.state == "superseded":
                # a lost answer settled by the count's id: recorded, then replaced meanwhile
                self._wait_ended(self.tr("A newer count of the vault replaced this one."))
            else:
                self.accept()

        def failed(exc: BaseException) -> None:
            from teller_app.ui.error_text import friendly_message

            if isinstance(exc, VaultCountRecorded):  # found by its id: never "may not be"
                self._recorded_unread(exc.count)
                return
            self.status.setText(shown_lines(friendly_message(exc)))

        self.ops.run(lambda: self.service.count_vault(counts, self.branch_guid, reason),
                     on_success=done, on_error=failed, parent=self,
                     label=self.tr("Saving the vault count"), disable=(self.save,),
                     write=True)

    def _recorded_unread(self, count: VaultCount) -> None:
        """A lost answer settled by the count's id: the hub recorded it, but the branch's
        cash position could not be read after it (the vault's figure is not known here)."""
        if count.state == "superseded":
            self._wait_ended(self.tr("A newer count of the vault replaced this one."))
            return
        if count.pending:
            self._wait_for_cosign(count)
        else:  # applied: saving again would record a second count
            self._lock_count(True)
        self.status.setText(self.tr(
            "The count ({counted}) was recorded. The branch cash position could not be read "
            "just now: read it again to see the vault's balance.").format(
                counted=format_uah(count.counted)))

    def _wait_for_cosign(self, count: VaultCount) -> None:
        from teller_app.ui.till_dialog import next_step

        self.count = count
        self._lock_count(True)  # a second save would replace the count the co-signer sees
        next_step(self.show_waiting(self.tr(
            "The count ({counted}) differs from the book balance ({book}) by {difference}: a "
            "second supervisor (not you) co-signs it. Until then the vault stays at its book "
            "balance.").format(counted=format_uah(count.counted), book=format_uah(count.book),
                               difference=signed_uah(count.difference))))
        self.status.setText("")

    def _lock_count(self, waiting: bool) -> None:
        """The count, its reason and "Save the count" are off while the count waits, and
        back on (what was typed kept) when the wait ends without the co-sign."""
        self.waiting = waiting
        for widget in (self.grid, self.reason, self.save):
            widget.setEnabled(not waiting)
        self._validate()

    def _wait_ended(self, text: str) -> None:
        """The count no longer waits and was not co-signed: count again and save."""
        self.count = None
        self.refresh_button.hide()
        self.cosign_button.hide()
        self.cosign_status.setText("")
        self._lock_count(False)
        self.grid.first_spin().setFocus()  # the button it had is gone: count again
        self.status.setText(text)

    def refresh(self) -> None:
        """Has a second supervisor co-signed the count (at their own desk)?"""
        count = self.count
        if count is None:
            return

        async def read() -> tuple[VaultCount, BranchPosition]:
            return (await self.service.vault_count(count.id),
                    await self.service.position(self.branch_guid))

        def shown(found: tuple[VaultCount, BranchPosition]) -> None:
            now, position = found
            if now.state == "applied":
                self._applied(position)
            elif now.state == "superseded":
                self._wait_ended(self.tr("A newer count of the vault replaced this one."))
            else:
                self.status.setText(self.tr("The count still waits for a second supervisor's "
                                            "co-sign."))

        # keyed: a check pressed and one told by the hub's event are one read
        self.ops.run(read, on_success=shown, on_error=self._failed, parent=self,
                     label=self.tr("Checking the vault count"),
                     key=f"vault-count-check-{id(self)}")

    def on_decided(self, event: HubEvent) -> None:
        """The count waiting here was decided (the hub's ``till.decided``, ``till_live``:
        co-signed, or replaced by a newer count): checked as "Check the co-sign" does."""
        count = self.count
        if event.what == "vault_count" and count is not None and event.count_id == count.id:
            self.refresh()  # the open position reads again by the event itself

    def open_cosign_here(self) -> None:
        from teller_app.ui.till_cosign_here import cosign_here

        count, cosign = self.count, self.cosign_here
        if count is None or cosign is None:
            return
        summary = self.tr(
            "Co-sign the vault count: counted {counted}, book balance {book}, difference "
            "{difference}. Reason: {reason}").format(
                counted=format_uah(count.counted), book=format_uah(count.book),
                difference=signed_uah(count.difference), reason=count.reason or "—")
        # a second supervisor (not the one who counted) co-signs: they see who counted
        summary += "\n" + fill(self.tr("Counted by: %1"), shown(self.name_of(count.counted_by), 80))
        self.cosign_dialog = cosign_here(
            self, self.ops, summary, self.tr("Supervisor co-signing"),
            lambda email, password: cosign(email, password, count.id), self._applied)

    def _applied(self, position: BranchPosition) -> None:
        if self.count is None and not self.isVisible():
            return  # applied already: a check and the co-sign here (or its event) both ended
        self.count = None
        self.saved.emit(position)
        self.accept()
