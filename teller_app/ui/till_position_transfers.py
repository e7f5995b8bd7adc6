"""The vault transfers waiting in the branch cash position (``ui/till_position.py``): their
table, a supervisor's decision (Approve / Reject), and what the desk can tell beside each
transfer before anyone presses Approve: a vault→till transfer the vault cannot cover (it
holds X, short by Y), and the Teller Hub's refusal of a decision (``vault_short``…): said
once, in full in the note under the buttons just pressed (the selected transfer's), while
the narrow Vault column only marks the transfer with what was tried ("Approval refused."),
its full words on hover. The refusal in full in the column too read it twice, cut there.
The note keeps the room of the longest it can say for the transfers listed, so selecting
one does not move the buttons (``NoteLabel``).

Display only: the hub stays the control, deciding on the vault as it is at the approval.
Approve stays pressable for a transfer the figure shows short: the figure is the one read
at the last refresh, and another supervisor may have put cash into the vault since (a
transfer to the vault, a co-signed count). A refusal reads the position again.

Its texts keep the window's translation context (``BranchCashView``), where they were."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QEvent, QMargins, QObject, QRect, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget, QWidget

from teller_app.core.till import BranchPosition, TillService, Transfer, vault_shortfall
from teller_app.platform.errors import PlatformError
from teller_app.ui.async_op import OpRunner
from teller_app.ui.money import format_uah
from teller_app.ui.till_position_tables import cell, select_again, selected_row
from teller_app.ui.untrusted import fill, plain_label, tip

VAULT_COLUMN = 3  # the vault's word on each transfer (short by; the hub's refusal)
REFUSALS = (403, 409)  # the hub's answers that refuse a decision of this transfer


class NoteLabel(QLabel):
    """A word-wrapped plain label, a row of its window's layout as wide as the window, at
    least as tall as the tallest of ``room_for`` (its texts that may show) at that width,
    whatever it shows now, hidden or not: a selection changes its text, never its height, so
    nothing around it moves. (Its minimum height: the layout keeps to that for a word-wrapped
    label.)"""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        plain_label(self)  # it may quote the hub's words
        self.window_ = parent  # the window whose layout it is a row of
        self.room_for: tuple[str, ...] = ()
        parent.installEventFilter(self)  # its width follows the window's (``eventFilter``)

    def reserve(self, texts: tuple[str, ...]) -> None:
        self.room_for = texts
        self._keep_room(self.window_.width())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # the window's new width, to the note's room: Qt has already told the window's
        # layout (it hears of a resize before any event filter) and laid the old room out,
        # so the ``activate()`` below is what makes the layout take the new room now; keep it
        if event.type() == QEvent.Type.Resize and watched is self.window_:
            assert isinstance(event, QResizeEvent)
            layout = self.window_.layout()
            if (event.size().width() != event.oldSize().width()
                    and self._keep_room(event.size().width()) and layout is not None):
                layout.activate()  # the window's minimum follows now, not a turn later
        return super().eventFilter(watched, event)

    def _keep_room(self, window_width: int) -> bool:
        """True: the room changed."""
        layout = self.window_.layout()
        outer = layout.contentsMargins() if layout is not None else QMargins()
        margins = self.contentsMargins()
        inner = max(window_width - outer.left() - outer.right() - margins.left()
                    - margins.right(), 1)
        metrics = self.fontMetrics()
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
        tallest = max((metrics.boundingRect(QRect(0, 0, inner, 100_000), flags, text).height()
                       for text in self.room_for), default=0)
        room = tallest + margins.top() + margins.bottom() if tallest else 0
        if room == self.minimumHeight():
            return False
        self.setMinimumHeight(room)
        return True


class TransfersPart:
    """The "Transfers waiting" table of ``BranchCashView``, its two buttons and its note
    (the selected transfer's shortfall or refusal, in full)."""

    def __init__(self, parent: QWidget, ops: OpRunner, service: TillService, *,
                 refresh: Callable[[], None],
                 failed: Callable[[BaseException], None],
                 say: Callable[[str], None]) -> None:
        translate = QCoreApplication.translate
        self.parent, self.ops, self.service = parent, ops, service
        self._refresh, self._failed, self._say = refresh, failed, say
        self.transfers: tuple[Transfer, ...] = ()
        self.vault = Decimal(0)  # the vault's book balance, as last read
        # the hub's refusal of a decision, by transfer id: (its code, the words, approve:
        # what was refused was an approval, else a rejection)
        self.refused: dict[str, tuple[str, str, bool]] = {}
        self.fresh: set[str] = set()  # refused by the decision whose read comes next
        self.table = QTableWidget(0, 4, parent)
        self.table.setObjectName("transfersTable")
        self.table.setHorizontalHeaderLabels([
            translate("BranchCashView", "Teller"), translate("BranchCashView", "Direction"),
            translate("BranchCashView", "Amount"), translate("BranchCashView", "Vault")])
        self.approve_button = QPushButton(translate("BranchCashView", "&Approve the transfer"),
                                          parent)
        self.reject_button = QPushButton(translate("BranchCashView", "Re&ject the transfer"),
                                         parent)
        self.note = NoteLabel(parent)
        self.note.setObjectName("transferNote")
        self.note.hide()  # no room taken while no transfer listed has anything to say
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.reject_button.clicked.connect(lambda: self.decide(False))
        self.table.itemSelectionChanged.connect(self._show_note)

    def selected_row(self) -> int:
        row = selected_row(self.table)
        return row if 0 <= row < len(self.transfers) else -1

    def selected(self) -> Transfer | None:
        row = self.selected_row()
        return self.transfers[row] if row >= 0 else None

    def enable(self) -> None:
        """Approve and Reject act on the selected transfer (one the vault cannot cover
        included: the hub decides on the vault as it is then, the note says why it may not),
        not while a decision of it is on its way (a read meanwhile must not offer a second)."""
        transfer = self.selected()
        chosen = transfer is not None and not self.ops.is_busy(self._decision_key(transfer))
        self.approve_button.setEnabled(chosen)
        self.reject_button.setEnabled(chosen)

    def _decision_key(self, transfer: Transfer) -> str:
        return f"transfer-decision-{id(self)}-{transfer.id}"

    def show(self, position: BranchPosition) -> None:
        """The position's transfers, the selected one kept selected (by id)."""
        translate = QCoreApplication.translate
        kept = self.selected()
        self.transfers, self.vault = position.pending_transfers, position.vault
        # a refusal stays beside its transfer while it waits ("vault short" while it still
        # is); one just made whose transfer no longer waits (decided meanwhile: the reason it
        # was refused) moves to the status; an older one goes with its transfer, unsaid
        refused, self.refused = self.refused, {}
        fresh, self.fresh = self.fresh, set()
        for id_, (code, words, approve) in refused.items():
            t = self._by_id(id_)
            if t is None:
                if id_ in fresh:
                    self._say(words)
            elif code != "vault_short" or vault_shortfall(self.vault, t) is not None:
                self.refused[id_] = (code, words, approve)
        self.table.setRowCount(len(self.transfers))
        for row, tr in enumerate(self.transfers):
            direction = (translate("BranchCashView", "vault → till")
                         if tr.direction == "to_till"
                         else translate("BranchCashView", "till → vault"))
            for col, text in enumerate(("", direction, format_uah(tr.amount))):
                self.table.setItem(row, col, cell(text))
            self._show_vault(row, tr)
        select_again(self.table, [t.id for t in self.transfers],
                     kept.id if kept is not None else None)
        self._show_note()

    def _by_id(self, transfer_id: str) -> Transfer | None:
        return next((t for t in self.transfers if t.id == transfer_id), None)

    def _show_vault(self, row: int, transfer: Transfer) -> None:
        """Beside the transfer: what the vault lacks for it, and the hub's refusal."""
        item = cell(self.vault_text(transfer))
        item.setToolTip(tip(self.note_text(transfer)))  # the whole of it, where cut
        self.table.setItem(row, VAULT_COLUMN, item)

    def vault_text(self, transfer: Transfer) -> str:
        """The short word in the Vault column: empty when the vault covers it and nothing
        was refused; a refusal only as what was tried (its words are the note's)."""
        translate = QCoreApplication.translate
        said: list[str] = []
        short = vault_shortfall(self.vault, transfer)
        if short is not None:
            said.append(fill(translate("BranchCashView", "Holds %1: short by %2."),
                             format_uah(self.vault), format_uah(short)))
        if transfer.id in self.refused:
            said.append(translate("BranchCashView", "Approval refused.")
                        if self.refused[transfer.id][2]
                        else translate("BranchCashView", "Rejection refused."))
        return " ".join(said)

    def note_text(self, transfer: Transfer) -> str:
        """The selected transfer's shortfall and refusal in full (empty: nothing to say)."""
        said: list[str] = []
        short = vault_shortfall(self.vault, transfer)
        if short is not None:
            said.append(fill(QCoreApplication.translate(
                "BranchCashView",
                "The vault holds %1, so this transfer of %2 to the till is short by %3. The "
                "Teller Hub refuses to approve it until the vault holds enough (cash returned "
                "to the vault, or a vault count); you may reject it."),
                format_uah(self.vault), format_uah(transfer.amount), format_uah(short)))
        if transfer.id in self.refused:
            said.append(self.refused[transfer.id][1])
        return "\n".join(said)

    def _show_note(self) -> None:
        transfer = self.selected()
        text = self.note_text(transfer) if transfer is not None else ""
        room = tuple(t for t in map(self.note_text, self.transfers) if t)
        # hidden with nothing to say, its room kept while a transfer listed has something
        policy = self.note.sizePolicy()
        policy.setRetainSizeWhenHidden(bool(room))
        self.note.setSizePolicy(policy)
        self.note.reserve(room)
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def decide(self, approve: bool) -> None:
        transfer = self.selected()
        if transfer is None:
            self._say(QCoreApplication.translate("BranchCashView", "Select a transfer."))
            return
        key = self._decision_key(transfer)
        if self.ops.is_busy(key):
            # one decision at a time: a second (a double-click, Approve then Reject) would
            # meet the hub's refusal of a transfer the first one decided, and say so
            return

        def refused(exc: BaseException) -> None:
            code = exc.reason if isinstance(exc, PlatformError) else None
            if not (code and isinstance(exc, PlatformError) and exc.source == "hub"
                    and exc.status_code in REFUSALS):
                self._failed(exc)  # not a refusal (a lost answer…): the window's status
                return
            self.refused[transfer.id] = (code, refusal_text(exc), approve)
            self.fresh.add(transfer.id)
            self._show_refusal(transfer)
            self._refresh()  # what the vault holds now, and whether the transfer still waits

        def decided(_transfer: object) -> None:
            self.refused.pop(transfer.id, None)  # an earlier refusal is not this outcome
            self._refresh()

        self.ops.run(lambda: self.service.decide_transfer(transfer.id, approve),
                     on_success=decided, on_error=refused,
                     parent=self.parent,
                     label=QCoreApplication.translate("BranchCashView", "Deciding the transfer"),
                     key=key, disable=(self.approve_button, self.reject_button), write=True)

    def _show_refusal(self, transfer: Transfer) -> None:
        row = next((r for r, t in enumerate(self.transfers) if t.id == transfer.id), -1)
        if row >= 0:
            self._show_vault(row, transfer)
        self._show_note()


def refusal_text(exc: PlatformError) -> str:
    """The hub's refusal of a decision in words: its code worded where the desk knows it."""
    from teller_app.ui.error_text import friendly_message
    from teller_app.ui.till_text import hub_code_text

    worded = hub_code_text(exc.reason or "")
    if worded is None:
        return friendly_message(exc)  # "The Teller Hub refused: …" in its own words
    return fill(QCoreApplication.translate("BranchCashView", "The Teller Hub refused it. %1"),
                worded)
