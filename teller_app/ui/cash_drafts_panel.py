"""The supervisor's cash drafts awaiting confirmation (part of the Approvals inbox): the
customer's name, the teller who made the draft, the operation and the amount in the
locale's money format. Kept live: the inbox hands every hub event here, and a draft filed,
decided or voided re-reads the list (no Refresh needed). A draft whose four-eyes request the
inbox lists (``set_requested``) is decided there, so it is not listed here again. Its
buttons act on the selected draft, so they are enabled only while one is selected. With no
draft listed the panel is one line saying so (no empty table, no idle button): the requests
above get its room, and the table comes back with the first draft."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from teller_app.core.cash import CashReceipt, CashService
from teller_app.core.cash_drafts import DRAFT_EVENT_KINDS, InboxDraft, NameLookup, inbox_drafts
from teller_app.core.till_cash import HubCash
from teller_app.platform.errors import AuthError
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.async_op import Op, OpRunner
from teller_app.ui.cash_text import kind_text
from teller_app.ui.fit_columns import ColumnFitter
from teller_app.ui.local_time import local_text
from teller_app.ui.money import format_money
from teller_app.ui.till_text import hub_need_reason
from teller_app.ui.validators import isolate

T = TypeVar("T")

MINOR_UNIT = 2  # hryvnia drafts: kopiyky


def short_guid(guid: str) -> str:
    """A GUID's first group for a narrow column ("c94eb2af…"); short strings as they are."""
    head = guid.split("-", 1)[0]
    return f"{head}…" if len(head) < len(guid) else guid


def operation_text(draft: InboxDraft) -> str:
    return kind_text(draft.kind.value if draft.kind is not None else "")


def amount_text(draft: InboxDraft) -> str:
    return format_money(draft.amount, MINOR_UNIT, draft.asset_code or "UAH")


def same_reader(a: CashService | None, b: CashService | None) -> bool:
    """Whether two services read as the same signed-in employee: ``cash()`` makes a new
    service (and may make a new hub gate) each call, over the session's own platform client;
    a lock-screen switch brings a new session, so a new client."""
    if a is None or b is None:
        return a is b
    return a is b or a.client is b.client


class CashDraftsPanel(QWidget):
    CUSTOMER, TELLER, OPERATION, AMOUNT, CREATED = range(5)
    cash_confirmed = Signal(object, str)  # CashReceipt, the draft's customer GUID (the audit)
    shown = Signal(list)  # [InboxDraft] after every (re)load
    # every draft read, those left out too ([InboxDraft]): the inbox names and describes a
    # cash request's draft with it (teller, customer, deposit or withdrawal)
    drafts_read = Signal(list)
    message = Signal(str)
    failed = Signal(object)  # the exception, for the inbox's wording

    def __init__(self, ops: OpRunner, cash: Callable[[], CashService | None], people: NameLookup,
                 customers: NameLookup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cashDraftsPanel")
        self.ops = ops
        self.cash = cash
        self.people = people
        self.customers = customers
        self.rows: list[InboxDraft] = []
        self._read = False  # a list read at least once: "none" is known, not assumed
        self._reading: Op | None = None  # the list's read now running (``refresh``)
        self._read_again = False  # asked for while it ran: one more read after it
        self._again_reauth = False  # that read may prompt for a password (``refresh``)
        self._reading_service: CashService | None = None  # whose read ``_reading`` is
        self.requested: frozenset[str] = frozenset()  # drafts the inbox lists as requests
        self.title = QLabel()
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("cashDrafts")
        self.title.setBuddy(self.table)  # names the table for a screen reader (ui/a11y)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()  # as the requests table above: no row numbers
        # narrow dock: the amount stays whole and visible, the date gives way first
        self.columns = ColumnFitter(self.table, whole=(self.AMOUNT,),
                                    grow=(self.CUSTOMER, self.OPERATION),
                                    give_way=(self.CREATED, self.TELLER))
        self.confirm_button = QPushButton()
        # With the hub a supervisor rejects a draft here; one with a request is decided there.
        self.reject_button = QPushButton()
        self.reject_prompt: QInputDialog | None = None
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.title)
        box.addWidget(self.table, 1)
        box.addWidget(self.confirm_button)
        box.addWidget(self.reject_button)
        self.confirm_button.clicked.connect(self.confirm_selected)
        self.reject_button.clicked.connect(self.ask_reject_comment)
        self._writing = False  # a confirm or reject is running (``_write``)
        self.table.itemSelectionChanged.connect(self._enable_buttons)
        self._show_buttons()
        self._enable_buttons()
        self.retranslate()

    # -- texts ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Title, headers, buttons and the rows' translated texts (operation, amount, the
        reasons in the tooltip) in the current language, in place: rows and selection stay.
        A message already sent (``message``) is the receiver's."""
        self._show_title()
        self.table.setHorizontalHeaderLabels([
            self.tr("Customer"), self.tr("Teller"), self.tr("Operation"), self.tr("Amount"),
            self.tr("Created")])
        self.confirm_button.setText(self.tr("Confirm cash operation"))
        self.reject_button.setText(self.tr("Reject the draft…"))
        for row, draft in enumerate(self.rows):
            for column, (text, tip) in enumerate(zip(*self._cells(draft), strict=True)):
                item = self.table.item(row, column)
                if item is not None:
                    item.setText(text)
                    item.setToolTip(tip)
        if self.reject_prompt is not None and self.reject_prompt.isVisible():
            self._prompt_texts(self.reject_prompt)

    def _show_title(self) -> None:
        self.title.setText(self.tr("No cash operations awaiting a supervisor")
                           if self._read and not self.rows else
                           self.tr("Cash operations awaiting a supervisor"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- loading / live -------------------------------------------------------------------
    def _hub(self) -> HubCash | None:
        service = self.cash()
        gate = service.gate if service is not None else None
        return gate if isinstance(gate, HubCash) else None

    def _show_buttons(self) -> None:
        """The table and the button that acts on it, while a draft is listed; else the title
        alone, and the panel no taller than it (the inbox's layout gives the rest away)."""
        hub, listed = self._hub() is not None, bool(self.rows)
        self.table.setVisible(listed)
        self.confirm_button.setVisible(listed and not hub)
        self.reject_button.setVisible(listed and hub)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred
                           if listed else QSizePolicy.Policy.Maximum)

    def _enable_buttons(self) -> None:
        """A button acts on the selected draft: none selected (an empty list), or a confirm
        or reject still running (a list refill or a new selection meanwhile), it is off."""
        usable = self.selected() is not None and not self._writing
        for button in (self.confirm_button, self.reject_button):
            button.setEnabled(usable)

    def _write(self, run: Callable[[], Awaitable[T]], done: Callable[[T], None],
               label: str, button: QPushButton) -> None:
        """One confirm or reject at a time: the buttons stay off until it has answered."""
        def finished(result: T) -> None:
            self._writing = False
            self._enable_buttons()
            done(result)

        def failed(exc: BaseException) -> None:
            self._writing = False
            self._enable_buttons()  # the selection may be gone
            self.failed.emit(exc)

        self._writing = True
        self._enable_buttons()
        self.ops.run(run, on_success=finished, on_error=failed, parent=self, label=label,
                     disable=(button,), write=True)

    def refresh(self, *, reauth: bool = True, queue: bool = False) -> None:
        """Read the list again, from now: a read running is cancelled (an answer read
        before a decision made here must not be the one shown after it). ``queue`` (live
        events): one read at a time, never cancelled by the next event: any number while
        one runs make one more read after it (events faster than a read would otherwise
        cancel every read and the list would never update). A read started with another
        employee's service (a lock-screen switch) is cancelled at once, and its answer
        never shown. ``reauth=False`` (a live event's read): an expired session is
        reported, never a password prompt."""
        service = self.cash()
        if service is None:
            return
        self._show_buttons()
        running = self._reading
        if running is not None and not running.done():
            if queue and same_reader(self._reading_service, service):
                self._read_again = True
                self._again_reauth = self._again_reauth or reauth
                return
            running.cancel()  # read from now, or the employee who left (not this one's)
        self._read_again = self._again_reauth = False
        op: Op | None = None

        def ours() -> bool:
            """This read is still the panel's, for the employee signed in now."""
            return self._reading is op and same_reader(self.cash(), service)

        def read(drafts: list[InboxDraft]) -> None:
            if ours():
                self.show_drafts(drafts)
            self._next_read(op)

        def failed(exc: BaseException) -> None:
            if not ours():
                self._next_read(op)
                return
            if isinstance(exc, AuthError):  # expired (a prompt declined): no queued read asks again
                self._read_again = False
            self.failed.emit(exc)
            self._next_read(op)

        self._reading_service = service
        self._reading = op = self.ops.run(
            lambda: inbox_drafts(service, self.people, self.customers), on_success=read,
            on_error=failed, parent=self, key="cash-drafts",
            label=self.tr("Checking cash drafts"), reauth=reauth)

    def _next_read(self, op: Op | None) -> None:
        """A read finished: one more if the list was asked for meanwhile (a read that is no
        longer the panel's leaves the running one alone)."""
        if self._reading is not op:
            return
        self._reading = self._reading_service = None
        if self._read_again:
            self.refresh(reauth=self._again_reauth, queue=True)

    def on_event(self, event: HubEvent) -> None:
        """A cash request filed/decided or a draft voided: read the list again."""
        if event.kind not in DRAFT_EVENT_KINDS:
            return
        if event.kind.startswith("request.") and event.request_kind != "cash_confirm":
            return
        self.refresh(reauth=False, queue=True)  # nobody asked: no password prompt

    def set_requested(self, payment_guids: frozenset[str]) -> None:
        """The drafts the inbox lists as requests now: decided there, so they leave this
        list at once. One whose request left (decided, withdrawn) comes back only from the
        next read of the list, which its event starts: an approved draft never flickers."""
        self.requested = payment_guids
        if any(d.payment_guid in payment_guids for d in self.rows):
            self.show_drafts(self.rows)

    def show_drafts(self, drafts: list[InboxDraft]) -> None:
        self.drafts_read.emit(list(drafts))
        chosen = self.selected()
        self.rows = [d for d in drafts if d.payment_guid not in self.requested]
        self.table.clearSelection()
        self.table.setRowCount(len(self.rows))
        for row, d in enumerate(self.rows):
            texts, tips = self._cells(d)
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, d.payment_guid)
                if tips[column]:
                    item.setToolTip(tips[column])
                if column == self.AMOUNT:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
            if chosen is not None and d.payment_guid == chosen.payment_guid:
                self.table.selectRow(row)  # the same draft stays selected
        self._read = True
        self._show_buttons()
        self._show_title()
        self._enable_buttons()
        self.shown.emit(list(self.rows))

    @classmethod
    def _cells(cls, d: InboxDraft) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """A row's texts and tooltips, in the current language."""
        created = local_text(d.created_at)
        texts = (
            isolate(d.customer_name or short_guid(d.customer_guid) or "—"),
            isolate(d.teller_name or d.teller_email or "—"),
            operation_text(d),
            amount_text(d),
            created,
        )
        # the date may be elided in a narrow dock (``ColumnFitter``): whole in its tooltip
        return texts, (d.customer_guid, d.teller_email, cls._reasons(d), d.payment_guid,
                       created)

    @staticmethod
    def _reasons(draft: InboxDraft) -> str:
        return "; ".join(hub_need_reason(code) for code in draft.reasons)

    # -- confirming -----------------------------------------------------------------------
    def selected(self) -> InboxDraft | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def confirm_selected(self) -> None:
        service = self.cash()
        draft = self.selected()
        if service is None or draft is None:
            self.message.emit(self.tr("Select a cash draft first."))
            return
        guid = draft.payment_guid

        def done(receipt: CashReceipt) -> None:
            self.message.emit(self.tr("Confirmed. Receipt reference: %1").replace(
                "%1", receipt.reference))
            self.cash_confirmed.emit(receipt, draft.customer_guid)
            self.refresh()

        self._write(lambda: service.confirm(guid), done, self.tr("Confirming"),
                    self.confirm_button)

    def ask_reject_comment(self) -> None:
        """Reject the selected draft (the hub voids it): the comment is asked without
        blocking."""
        if self.selected() is None:
            self.message.emit(self.tr("Select a cash draft first."))
            return
        prompt = self.reject_prompt = QInputDialog(self)
        self._prompt_texts(prompt)
        prompt.textValueSelected.connect(self.reject_selected)
        prompt.open()

    def _prompt_texts(self, prompt: QInputDialog) -> None:
        prompt.setWindowTitle(self.tr("Reject the draft"))
        prompt.setLabelText(self.tr("Why is the draft rejected? (required)"))

    def reject_selected(self, comment: str) -> None:
        hub, draft = self._hub(), self.selected()
        if hub is None or draft is None:
            return
        if not comment.strip():
            self.message.emit(self.tr("A rejection needs a comment."))
            return
        guid = draft.payment_guid

        def done(_result: object) -> None:
            self.message.emit(self.tr("Rejected: the draft is voided."))
            self.refresh()

        self._write(lambda: hub.reject(guid, comment), done, self.tr("Rejecting"),
                    self.reject_button)
