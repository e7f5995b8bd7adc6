"""The supervisor's branch cash position: every live till (teller, state, expected cash),
the vault, the cash left in closed tills and the total, with what waits for them: opening
counts and closes to co-sign (with the payments a close sets aside, where the position
names them: ``ui/till_set_aside.py``), vault transfers (their table and decisions:
``ui/till_position_transfers.py``), and other supervisors' vault counts (the vault count
itself: ``ui/till_vault_count.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QMoveEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from teller_app.core.till import BranchPosition, Till, TillService, VaultCount
from teller_app.ui.async_op import Op, OpRunner
from teller_app.ui.money import format_uah
from teller_app.ui.people_lookup import NameLookup
from teller_app.ui.screen_fit import available_room, cap_to_screen, rows_high
from teller_app.ui.scroll_body import DialogLayout, ScrollBody
from teller_app.ui.till_position_tables import TableWidths
from teller_app.ui.till_position_tables import cell as _cell
from teller_app.ui.till_position_tables import select_again as _select_again
from teller_app.ui.till_position_tables import selected_row as _selected_row
from teller_app.ui.till_position_transfers import TransfersPart
from teller_app.ui.till_set_aside import SetAsideList
from teller_app.ui.till_text import till_state_text
from teller_app.ui.till_vault_count import VaultCosignHere, signed_uah
from teller_app.ui.till_vault_count import VaultCountDialog as VaultCountDialog  # importable here
from teller_app.ui.till_windows import release_on_close
from teller_app.ui.untrusted import plain_label, shown, shown_lines, tip

OPEN_WIDTH, OPEN_HEIGHT = 780, 640  # the size it opens at (px), unless its layout needs more
TABLE_MIN_WIDTH_MAX = 860  # px: a table's own minimum never pushes the window past this


class BranchCashView(QDialog):
    loaded = Signal(object)  # BranchPosition (tests)

    def __init__(self, ops: OpRunner, service: TillService, branch_guid: str | None = None,
                 parent: QWidget | None = None, *,
                 vault_cosign_here: VaultCosignHere | None = None,
                 employee_names: NameLookup | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("branchCashView")
        self.setWindowTitle(self.tr("Branch cash position"))
        self.ops, self.service, self.branch_guid = ops, service, branch_guid
        self.vault_cosign_here = vault_cosign_here  # a second supervisor at this desk
        self.position: BranchPosition | None = None
        # the hub names tellers and supervisors by e-mail: their names, once looked up
        self.names: dict[str, str] = {}  # lower-case e-mail -> name
        self._names_asked: set[str] = set()
        self._employee_names = employee_names  # None: the e-mails stay
        # the look-ups of names running, with the e-mails each asked for: the columns wait
        # for their names
        self._lookups: dict[Op, list[str]] = {}
        self._refresh_due = False  # a read asked for this turn of the loop (``refresh_soon``)
        self._stale = False  # an event came while hidden: read when shown again
        self.vault = QLabel(self)
        self.vault.setObjectName("vaultAmount")
        # closing counts left in closed tills until they open; their codes as the hub has them
        self.in_closed = plain_label(QLabel(self))
        self.in_closed.setObjectName("closedTillsAmount")
        self.total = QLabel(self)
        self.total.setObjectName("branchTotal")
        self.tills = QTableWidget(0, 4, self)
        self.tills.setObjectName("tillsTable")
        self.tills.setHorizontalHeaderLabels([self.tr("Till"), self.tr("Teller"),
                                              self.tr("State"), self.tr("Expected cash")])
        self.status = plain_label(QLabel(self))  # it may quote the hub's words
        # the transfers waiting, their decisions and what the vault says of each
        self.transfer_part = TransfersPart(self, ops, service, refresh=self.refresh,
                                           failed=self._failed, say=self.status.setText)
        self.transfers = self.transfer_part.table
        self.counts = QTableWidget(0, 5, self)
        self.counts.setObjectName("vaultCountsTable")
        self.counts.setHorizontalHeaderLabels([self.tr("Counted by"), self.tr("Counted"),
                                               self.tr("Book balance"), self.tr("Difference"),
                                               self.tr("Reason")])
        for table in (self.tills, self.transfers, self.counts):
            table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
            table.horizontalHeader().setStretchLastSection(True)
            table.itemSelectionChanged.connect(self._enable_buttons)
        self.cosign_button = QPushButton(self.tr("Co-sign the &opening count"), self)
        self.close_cosign_button = QPushButton(self.tr("Co-sign the c&lose"), self)
        self.count_cosign_button = QPushButton(self.tr("Co-sign the &vault count"), self)
        # the selected till's payments its close sets aside: the co-sign closes without them
        self.set_aside = SetAsideList(self, supervisor=True)
        self.approve_button = self.transfer_part.approve_button
        self.reject_button = self.transfer_part.reject_button
        self.vault_button = QPushButton(self.tr("Cou&nt the vault…"), self)
        self.vault_button.clicked.connect(self.count_vault)
        self.vault_dialog: VaultCountDialog | None = None
        refresh = QPushButton(self.tr("&Refresh"), self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        # "Close" would read like "Co-sign the close" (ui/till_close.py: "Cancel"/"Done")
        self.close_button.setText(self.tr("Don&e"))
        buttons.addButton(refresh, QDialogButtonBox.ButtonRole.ActionRole)
        # No default button: Enter in a table co-signed the first till (the dialog's first
        # auto-default button). A co-sign or a decision takes a press of its own button.
        for each in self.findChildren(QPushButton):
            each.setAutoDefault(False)
            each.setDefault(False)
        buttons.rejected.connect(self.reject)
        refresh.clicked.connect(self.refresh)
        self.cosign_button.clicked.connect(self.cosign)
        self.close_cosign_button.clicked.connect(self.cosign_close)
        self.count_cosign_button.clicked.connect(self.cosign_count)
        # Each table with its own actions under it (one row of buttons for the whole window
        # was wider than the screen in Ukrainian, and cut every label).
        summary = QFormLayout()
        summary.addRow(self.tr("Vault"), self.vault)
        summary.addRow(self.tr("In closed tills"), self.in_closed)
        summary.addRow(self.tr("Branch total"), self.total)
        # the sections scroll where the screen is short (a large font: 512 px high at 150 %
        # and 14 pt); the status and the window's buttons stay in view under them
        self.body = ScrollBody(self)
        layout = self.body.fields
        layout.addLayout(summary)
        sections = ((self.tr("&Tills"), self.tills,  # Alt+letter: the table (a buddy)
                     (self.cosign_button, self.close_cosign_button), self.set_aside),
                    (self.tr("Tran&sfers waiting"), self.transfers,
                     (self.approve_button, self.reject_button), self.transfer_part.note),
                    (self.tr("Vault counts &waiting"), self.counts,
                     (self.count_cosign_button, self.vault_button), None))
        # the tills take the most room (a branch has many; two and a half showed while an
        # empty vault counts table took as much), the counts the least (at most one waits),
        # and as many rows at least however short the window (the body scrolls instead)
        for (title, table, actions, note), share in zip(sections, (3, 2, 1), strict=True):
            label = QLabel(title, self)
            label.setBuddy(table)
            layout.addWidget(label)
            layout.addWidget(table, share)
            table.setMinimumHeight(rows_high(table, share))
            row = QHBoxLayout()
            for button in actions:
                row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)
            if note is not None:  # under its actions: what they would meet at the hub
                layout.addWidget(note)
        outer = DialogLayout(self, self.body)
        outer.addWidget(self.status)
        outer.addWidget(buttons)
        chain = (self.tills, self.cosign_button, self.close_cosign_button,
                 self.set_aside.lines, self.transfers,
                 self.approve_button, self.reject_button, self.counts,
                 self.count_cosign_button, self.vault_button, refresh, self.close_button)
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)
        self.widths = TableWidths(self._tables(), TABLE_MIN_WIDTH_MAX)
        self.widths.fit_columns(self._tables())  # to the headers, until rows come
        # Qt opens a window at most 2/3 of the screen high: a few rows per table. Taller,
        # where the screen has room (the layout keeps it at least its minimum).
        cap_to_screen(self)
        room = available_room(self)
        self.resize(min(OPEN_WIDTH, room.width()), min(OPEN_HEIGHT, room.height() - 40))
        self._enable_buttons()
        self.refresh()

    def sizeHint(self) -> QSize:
        """Wide enough for the tables' columns, not as tall as three tables would like: the
        window fits a 1280x720 screen (its minimum is the layout's, much less)."""
        hint = super().sizeHint()
        return QSize(max(hint.width(), OPEN_WIDTH), min(hint.height(), OPEN_HEIGHT))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter presses the focused button (a deliberate choice), and nothing elsewhere:
        there is no default button for it to reach."""
        focused = self.focusWidget()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if isinstance(focused, QPushButton) and focused.isEnabled():
                focused.click()
            event.accept()
            return
        super().keyPressEvent(event)

    def _enable_buttons(self) -> None:
        """Each button acts on a row of its table: enabled only while one it can act on is
        selected."""
        till, count = self._selected_till(), self._selected_count()
        self.cosign_button.setEnabled(till is not None and till.needs_cosign)
        self.close_cosign_button.setEnabled(till is not None and till.needs_close_cosign
                                            and till.counted is not None)
        # (a position that does not say them, an older hub's: none listed)
        self.set_aside.set_items((till.set_aside or ()) if till is not None else (),
                                 till.state if till is not None else "")
        self.count_cosign_button.setEnabled(count is not None)
        self.transfer_part.enable()

    def refresh_soon(self) -> None:
        """Read the position again once this turn of the loop: the hub's till events come
        several at a time (``TillDesk.position_moved``); hidden (the lock screen), when it
        shows again."""
        if not self.isVisible():
            self._stale = True
            return
        if not self._refresh_due:
            self._refresh_due = True
            QTimer.singleShot(0, self, self._refresh_due_now)

    def _refresh_due_now(self) -> None:
        self._refresh_due = False
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        cap_to_screen(self)  # its frame known by now (then on a move: ``moveEvent``)
        if self._stale:
            self._stale = False
            self.refresh_soon()

    def moveEvent(self, event: QMoveEvent) -> None:
        super().moveEvent(event)
        cap_to_screen(self)

    def refresh(self) -> None:
        # keyed: a newer read cancels an older one still running (never an older last)
        self.ops.run(lambda: self.service.position(self.branch_guid), on_success=self._show,
                     on_error=self._failed, parent=self, label=self.tr("Reading the position"),
                     key=f"branch-position-{id(self)}")

    def _show(self, position: BranchPosition) -> None:
        # what is selected now, by id (the loops below reuse the names till and count)
        kept_till, kept_count = self._selected_till(), self._selected_count()
        self.position = position
        self.vault.setText(format_uah(position.vault))
        codes = ", ".join(shown(t.till_code, 40) for t in position.closed_tills)
        self.in_closed.setText(format_uah(position.in_closed_tills) + (f" ({codes})" if codes
                                                                   else ""))
        self.total.setText(format_uah(position.total))
        self.tills.setRowCount(len(position.tills))
        for row, till in enumerate(position.tills):
            for col, text in enumerate((till.till_code, "", till_state_text(till.state),
                                        format_uah(till.expected))):
                self.tills.setItem(row, col, _cell(text))
        self.transfer_part.show(position)  # its selection kept too
        self.counts.setRowCount(len(position.pending_vault_counts))
        for row, count in enumerate(position.pending_vault_counts):
            for col, text in enumerate(("", format_uah(count.counted), format_uah(count.book),
                                        signed_uah(count.difference), count.reason)):
                self.counts.setItem(row, col, _cell(text))
        self._show_people(position)
        _select_again(self.tills, [t.id for t in position.tills],
                      kept_till.id if kept_till is not None else None)
        _select_again(self.counts, [c.id for c in position.pending_vault_counts],
                      kept_count.id if kept_count is not None else None)
        self._enable_buttons()
        self._look_up_names(position)
        if not self._naming():  # else once the names are in (``_names_done``)
            self._fit_new_rows()
        self.loaded.emit(position)

    def _tables(self) -> tuple[QTableWidget, ...]:
        return self.tills, self.transfers, self.counts

    def _people(self, position: BranchPosition,
                ) -> Iterator[tuple[QTableWidget, int, list[str]]]:
        """(table, column, e-mails by row): the employees each table names."""
        yield self.tills, 1, [t.teller for t in position.tills]
        yield self.transfers, 0, [t.requested_by for t in position.pending_transfers]
        yield self.counts, 0, [c.counted_by for c in position.pending_vault_counts]

    def _show_people(self, position: BranchPosition) -> None:
        for table, column, emails in self._people(position):
            for row, email in enumerate(emails):
                table.setItem(row, column, self._person(email))

    def _person(self, email: str) -> QTableWidgetItem:
        """The employee's name where known, else the e-mail; the e-mail in full on hover."""
        item = _cell(self.names.get(email.lower()) or email)
        item.setToolTip(tip(email))  # plain text: Qt guesses rich text in a tooltip
        return item

    def _fit_new_rows(self) -> None:
        self.widths.fit_new_rows()

    def _look_up_names(self, position: BranchPosition) -> None:
        people = {e for _table, _column, emails in self._people(position) for e in emails}
        wanted = sorted({e.lower() for e in people if e} - self._names_asked)
        lookup = self._employee_names
        if not wanted or lookup is None:
            return
        self._names_asked.update(wanted)  # asked once: an unknown e-mail stays an e-mail

        def failed(_exc: BaseException) -> None:
            # names are decoration: the e-mails stay, the names are asked again on a refresh
            self._names_asked.difference_update(wanted)
            self._names_done()

        op = self.ops.run(lambda: lookup(wanted), on_success=self._names_found,
                          on_error=failed, parent=self)
        self._lookups[op] = wanted

    def _naming(self) -> bool:
        """A look-up of names still runs. One that was cancelled (no callback comes) ends
        here: its e-mails are asked again on a refresh."""
        for op, wanted in list(self._lookups.items()):
            if op.done():
                if op.task is None or op.task.cancelled():
                    self._names_asked.difference_update(wanted)
                del self._lookups[op]
        return bool(self._lookups)

    def _names_found(self, names: dict[str, str]) -> None:
        self.names.update({k.lower(): v for k, v in names.items() if v})
        if self.position is not None:
            self._show_people(self.position)
        self._names_done()

    def _names_done(self) -> None:
        if not self._naming():  # the last look-up's names are in too
            self._fit_new_rows()

    def _selected_till(self) -> Till | None:
        row = _selected_row(self.tills)
        if self.position is None or not 0 <= row < len(self.position.tills):
            return None
        return self.position.tills[row]

    def cosign(self) -> None:
        till = self._selected_till()
        if till is None or not till.needs_cosign:
            self.status.setText(self.tr("Select a till waiting for a co-sign."))
            return
        self.ops.run(lambda: self.service.cosign(till.id), on_success=lambda _t: self.refresh(),
                     on_error=self._failed, parent=self, label=self.tr("Co-signing"),
                     write=True)

    def cosign_close(self) -> None:
        """Co-sign the over/short of the selected till's close, as counted when shown."""
        till = self._selected_till()
        if till is None or not till.needs_close_cosign or till.counted is None:
            self.status.setText(self.tr("Select a till whose close waits for a co-sign."))
            return
        counted = till.counted
        self.ops.run(lambda: self.service.cosign_close(till.id, counted),
                     on_success=lambda _t: self.refresh(), on_error=self._failed, parent=self,
                     label=self.tr("Co-signing"), write=True)

    def _selected_count(self) -> VaultCount | None:
        row = _selected_row(self.counts)
        if self.position is None or not 0 <= row < len(self.position.pending_vault_counts):
            return None
        return self.position.pending_vault_counts[row]

    def cosign_count(self) -> None:
        count = self._selected_count()
        if count is None:
            self.status.setText(self.tr("Select a vault count."))
            return
        self.ops.run(lambda: self.service.cosign_vault_count(count.id), on_success=self._show,
                     on_error=self._failed, parent=self, label=self.tr("Co-signing"),
                     write=True)

    def decide(self, approve: bool) -> None:
        """Approve or reject the selected transfer (``TransfersPart.decide``)."""
        self.transfer_part.decide(approve)

    def count_vault(self) -> None:
        book = self.position.vault if self.position is not None else None
        dialog = self.vault_dialog = VaultCountDialog(
            self.ops, self.service, self.branch_guid, self, book=book,
            cosign_here=self.vault_cosign_here,
            name_of=lambda email: self.names.get(email.lower()) or email)
        dialog.saved.connect(self._show)
        # its check may find the count replaced by a newer one (no ``saved``): read again
        dialog.refresh_button.clicked.connect(self.refresh)
        # a count recorded whose position read failed (no ``saved`` either): read it here
        dialog.finished.connect(lambda _result: self.refresh())
        release_on_close(dialog, self.ops, lambda: self._forget_vault(dialog))  # a new one each
        dialog.open()

    def _forget_vault(self, dialog: VaultCountDialog) -> None:
        if self.vault_dialog is dialog:
            self.vault_dialog = None

    def _failed(self, exc: BaseException) -> None:
        from teller_app.ui.error_text import friendly_message

        self.status.setText(shown_lines(friendly_message(exc)))
