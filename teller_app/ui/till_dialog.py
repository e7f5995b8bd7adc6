"""Till dialogs: the count grid and open with a count by denomination (the end-of-day
report's window: ``ui/till_report_dialog.py``; the close: ``ui/till_close.py``; the vault
transfer request: ``ui/till_transfer.py``). The hub decides; these show and send."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from teller_app.core.till import (
    DENOMINATIONS,
    Till,
    TillService,
    count_total,
    face_value,
)
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.async_op import OpRunner
from teller_app.ui.money import format_uah
from teller_app.ui.screen_fit import ScreenFit, ScreenFitDialog
from teller_app.ui.scroll_body import DialogLayout, ScrollBody
from teller_app.ui.till_cosign_here import cosign_here
from teller_app.ui.till_report_dialog import ReportDialog as ReportDialog  # importable here
from teller_app.ui.till_text import denomination_text, till_not_open_text
from teller_app.ui.till_transfer import TransferDialog as TransferDialog  # still importable here
from teller_app.ui.untrusted import plain_label, shown, shown_lines

# (supervisor e-mail, password, till id) -> the till, co-signed by their own session
CosignHere = Callable[[str, str, str], Awaitable[Till]]


LARGE_SUM = Decimal("9999999.99")  # the widest sum a row keeps room for (10 million UAH)


def _sum_room(metrics: QFontMetrics) -> int:
    """The Sum column's width: a large sum's, no more (its digits as wide as the widest
    one, in a font whose digits differ; a pixel for rounding)."""
    widest = max("0123456789", key=metrics.horizontalAdvance)
    text = "".join(widest if c.isdigit() else c for c in format_uah(LARGE_SUM))
    return metrics.horizontalAdvance(text) + 1


def next_step(button: QPushButton) -> None:
    """The step that has come takes Enter, and the focus (the count it leaves is disabled)."""
    button.setDefault(True)
    button.setFocus()


class CountGrid(QWidget):
    """Pieces per denomination with row sums and the total: notes left and coins right
    while both fit side by side, else the coins under the notes in the same columns (a
    large font on a small screen: side by side took 974 px in Ukrainian at 14 pt, on a
    911 px screen). Each sum stands right-aligned in a column of its own under "Sum", as
    wide from the start as a large sum needs: the grid keeps its width as sums appear (it
    grew wider with each one), and a sum reads with its row, not with the next column's
    denomination beside it. The Tab order is the notes', then the coins', either way."""

    changed = Signal()
    arranged = Signal(bool)  # stacked (the coins under the notes) or side by side again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spins: dict[str, QSpinBox] = {}
        self.sums: dict[str, QLabel] = {}
        self._grid = QGridLayout(self)
        self._grid.setColumnStretch(7, 1)  # a wider window: room to the right, columns kept
        self.stacked = False  # the coins under the notes
        self._switch_due = False
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        # per group (notes, coins): its header and its rows as (label, pieces, sum)
        self._groups: list[list[tuple[QLabel, QWidget, QLabel]]] = []
        for group in ([d for d in DENOMINATIONS if d[2]], [d for d in DENOMINATIONS if not d[2]]):
            header = QLabel(self.tr("Pieces"), self), QLabel(self.tr("Sum"), self)
            header[1].setAlignment(right)
            rows: list[tuple[QLabel, QWidget, QLabel]] = [(QLabel(self), *header)]
            for key, _value, _note in group:
                spin = QSpinBox(self)
                spin.setObjectName(f"count_{key}")
                spin.setRange(0, 1_000_000)
                spin.setAccelerated(True)
                spin.valueChanged.connect(self._update)
                total = QLabel(self)
                total.setAlignment(right)
                self.spins[key], self.sums[key] = spin, total
                label = QLabel(denomination_text(key), self)
                label.setBuddy(spin)
                spin.setAccessibleName(label.text())  # a screen reader names the count
                rows.append((label, spin, total))
            self._groups.append(rows)
        self.total = QLabel(self)
        self.total.setObjectName("countTotal")
        self.total.setAlignment(right)
        self._total_row = (QLabel(self.tr("Total"), self), QLabel(self), self.total)
        self._place()
        self._update()

    def _place(self) -> None:
        """Lay the cells out side by side or stacked (``stacked``)."""
        grid, (notes, coins) = self._grid, self._groups
        for cell in (*(w for row in (*notes, *coins) for w in row), *self._total_row):
            grid.removeWidget(cell)
        metrics = self.fontMetrics()
        gap = 3 * max(grid.horizontalSpacing(), 6)  # notes | coins, side by side
        for column in range(grid.columnCount()):
            grid.setColumnMinimumWidth(column, 0)
        for row in range(grid.rowCount()):
            grid.setRowMinimumHeight(row, 0)
        grid.setColumnMinimumWidth(2, _sum_room(metrics))
        if self.stacked:  # one header; a half line between notes and coins
            grid.setRowMinimumHeight(len(notes), metrics.height() // 2)
            places = [(notes, 0, 0), (coins[1:], len(notes) + 1, 0)]
            total_row = len(notes) + len(coins)
        else:
            grid.setColumnMinimumWidth(3, gap)
            grid.setColumnMinimumWidth(6, grid.columnMinimumWidth(2))
            places = [(notes, 0, 0), (coins, 0, 4)]
            total_row = len(notes)
        for header in coins[0]:  # stacked, the notes' header serves the coins too
            header.setVisible(not self.stacked)
        for rows, first, column in places:
            for offset, cells in enumerate(rows):
                for shift, cell in enumerate(cells):
                    grid.addWidget(cell, first + offset, column + shift)
        for shift, cell in enumerate(self._total_row):
            grid.addWidget(cell, total_row, shift)

    def _column_widths(self, rows: list[tuple[QLabel, QWidget, QLabel]]) -> list[int]:
        """Each column's width as the grid lays it out (the widest cell, the Sum's room)."""
        least = [0, 0, self._grid.columnMinimumWidth(2)]
        return [max(least[c], *(max(row[c].sizeHint().width(), row[c].minimumSizeHint().width())
                                for row in rows)) for c in range(3)]

    def _widths(self) -> tuple[int, int]:
        """(side by side, stacked): the width each way needs, whichever is shown."""
        grid, (notes, coins) = self._grid, self._groups
        notes = [*notes, self._total_row]
        margins = grid.contentsMargins()
        around, spacing = margins.left() + margins.right(), max(grid.horizontalSpacing(), 0)
        left, right = self._column_widths(notes), self._column_widths(coins)
        # (the empty column between them has no spacing of its own: five, not six)
        side = sum(left) + sum(right) + 3 * max(spacing, 6) + 5 * spacing
        return (around + side,
                around + sum(max(a, b) for a, b in zip(left, right, strict=True)) + 2 * spacing)

    def minimumSizeHint(self) -> QSize:
        """As narrow as the coins under the notes: side by side, the grid's own minimum would
        keep a scroll area's page from ever getting narrow enough to stack them."""
        least = super().minimumSizeHint()
        return QSize(min(least.width(), self._widths()[1]), least.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._switch_soon()

    def _switch_soon(self) -> None:
        """Stack or not after this layout pass, never during one (a layout changed while Qt
        lays it out is asking for trouble)."""
        if (self.width() < self._widths()[0]) != self.stacked and not self._switch_due:
            self._switch_due = True
            QTimer.singleShot(0, self, self._switch)

    def _switch(self) -> None:
        self._switch_due = False
        stacked = self.width() < self._widths()[0]  # the latest width: it may have moved back
        if stacked != self.stacked:
            self.stacked = stacked
            self._place()
            self.arranged.emit(stacked)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the Sum's room, the widths follow it
            self._place()
            self._switch_soon()

    def first_spin(self) -> QSpinBox:
        return self.spins[DENOMINATIONS[0][0]]

    def counts(self) -> dict[str, int]:
        return {k: s.value() for k, s in self.spins.items() if s.value()}

    def set_counts(self, counts: dict[str, int]) -> None:
        for key, spin in self.spins.items():
            spin.setValue(int(counts.get(key, 0)))

    def value(self) -> Decimal:
        return count_total(self.counts())

    def _update(self) -> None:
        for key, spin in self.spins.items():
            self.sums[key].setText(format_uah(face_value(key) * spin.value())
                                   if spin.value() else "")
        self.total.setText(format_uah(self.value()))
        self.changed.emit()


class TillOpenDialog(ScreenFitDialog):
    """Count the drawer and open the till; a differing count waits for a co-sign."""

    opened = Signal(object)  # Till, once it is open (co-signed when needed)

    def __init__(self, ops: OpRunner, service: TillService, till_code: str = "T1",
                 parent: QWidget | None = None, *, cosign_here: CosignHere | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("tillOpenDialog")
        self.fit = ScreenFit(self)  # first: it sees every event
        self.cosign_here = cosign_here  # a supervisor co-signs at this desk (their session)
        self.cosign_dialog: ApproveInPlaceDialog | None = None
        self.setWindowTitle(self.tr("Open the till"))
        self.ops, self.service = ops, service
        self.till: Till | None = None
        self._told_open: set[str] = set()  # tills ``opened`` was emitted for
        self.code = QLineEdit(till_code, self)
        self.code.setObjectName("tillCode")
        self.code.setMaxLength(32)
        self.grid = CountGrid(self)
        self.status = plain_label(QLabel(self))  # it may quote the hub's words
        self.status.setObjectName("tillStatus")
        self.open_button = QPushButton(self.tr("Open the till"), self)
        self.open_button.setObjectName("tillOpenButton")
        self.refresh_button = QPushButton(self.tr("Check the co-sign"), self)
        self.cosign_button = QPushButton(self.tr("Supervisor co-signs here…"), self)
        buttons = self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.cosign_button, QDialogButtonBox.ButtonRole.ActionRole)
        # Hidden after adding: addButton shows a button again. Nothing to co-sign yet.
        self.refresh_button.hide()
        self.cosign_button.hide()
        self.cosign_button.clicked.connect(self.open_cosign_here)
        buttons.rejected.connect(self.reject)
        self.open_button.clicked.connect(self.open_till)
        self.refresh_button.clicked.connect(self.refresh)
        # the till and its count scroll where the screen is short (a large font); the
        # status and the buttons stay in view under them
        self.body = ScrollBody(self)
        form = QFormLayout()
        self.body.fields.addLayout(form)
        form.addRow(self.tr("Till"), self.code)
        form.addRow(self.grid)
        self.fit.narrow_when(self.grid.arranged, self.grid)  # stacked: no empty width
        layout = DialogLayout(self, self.body)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.open_button.setDefault(True)  # Enter in the count sends it
        self.grid.first_spin().setFocus()  # the till's code is filled in: the count comes next

    def open_till(self) -> None:
        code, counts = self.code.text().strip(), self.grid.counts()
        if not code:
            self.status.setText(self.tr("Name the till (for example T1)."))
            return
        self.ops.run(lambda: self.service.open(code, counts), on_success=self._shown,
                     on_error=self._failed, parent=self, label=self.tr("Opening the till"),
                     disable=(self.open_button,), write=True)

    def refresh(self) -> None:
        self.ops.run(self.service.current, on_success=self._shown, on_error=self._failed,
                     parent=self, label=self.tr("Checking the till"))

    def on_decided(self, event: HubEvent) -> None:
        """A supervisor co-signed this till's opening (the hub's ``till.decided``,
        ``till_live``): checked as "Check the co-sign" does."""
        till = self.till
        if (event.what == "open_cosign" and till is not None and till.needs_cosign
                and event.till_id == till.id):
            self.refresh()

    def _shown(self, till: Till | None) -> None:
        if till is None:
            self.status.setText(self.tr("No till is open."))
            return
        self.till = till
        self.open_button.hide()
        self.code.setReadOnly(True)
        self.grid.setEnabled(False)
        if till.needs_cosign:
            if till.previous_close is None:
                text = self.tr(
                    "This is the till's first opening: a supervisor co-signs its count "
                    "({count}) from the branch cash position. Then press Check the co-sign.")
            else:
                text = self.tr(
                    "The count ({count}) differs from the last close ({previous}): a "
                    "supervisor co-signs it from the branch cash position. Then press Check "
                    "the co-sign.")
            previous = format_uah(till.previous_close) if till.previous_close is not None else ""
            self.status.setText(text.format(count=format_uah(till.open_total), previous=previous))
            self.refresh_button.show()
            self.cosign_button.setVisible(self.cosign_here is not None)
            next_step(self.cosign_button if self.cosign_here is not None
                       else self.refresh_button)
            return
        if till.state != "open":  # a newer hub's state this desk does not know: not "open"
            self.cosign_button.hide()
            self.refresh_button.show()
            next_step(self.refresh_button)
            self.status.setText(till_not_open_text())
            return
        self.refresh_button.hide()
        self.cosign_button.hide()
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        if close is not None:  # open: Enter closes the dialog
            next_step(close)
        self.status.setText(self.tr("Till {code} is open with {amount}.").format(
            code=shown(till.till_code, 40), amount=format_uah(till.open_total)))
        if till.id not in self._told_open:  # once (a co-sign here and its live event)
            self._told_open.add(till.id)
            self.opened.emit(till)

    def _failed(self, exc: BaseException) -> None:
        from teller_app.ui.error_text import friendly_message

        self.status.setText(shown_lines(friendly_message(exc)))

    def open_cosign_here(self) -> None:
        """The supervisor types their credentials here (opened with ``open()``)."""
        till, cosign = self.till, self.cosign_here
        if till is None or cosign is None:
            return
        summary = self.tr("Co-sign the opening count of till {code}: {amount}.").format(
            code=till.till_code, amount=format_uah(till.open_total))
        self.cosign_dialog = cosign_here(
            self, self.ops, summary, self.tr("Supervisor co-signing"),
            lambda email, password: cosign(email, password, till.id), self._shown)
