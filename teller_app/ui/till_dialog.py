"""Till dialogs: the count grid and open with a count by denomination (the end-of-day
report's window: ``ui/till_report_dialog.py``; the close: ``ui/till_close.py``; the vault
transfer request: ``ui/till_transfer.py``). The hub decides; these show and send."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
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
from teller_app.ui.till_cosign_here import cosign_here
from teller_app.ui.till_report_dialog import ReportDialog as ReportDialog  # importable here
from teller_app.ui.till_text import denomination_text, till_not_open_text
from teller_app.ui.till_transfer import TransferDialog as TransferDialog  # still importable here
from teller_app.ui.untrusted import plain_label, shown, shown_lines

# (supervisor e-mail, password, till id) -> the till, co-signed by their own session
CosignHere = Callable[[str, str, str], Awaitable[Till]]


LARGE_SUM = Decimal("9999999.99")  # the widest sum a row keeps room for (10 million UAH)


def next_step(button: QPushButton) -> None:
    """The step that has come takes Enter, and the focus (the count it leaves is disabled)."""
    button.setDefault(True)
    button.setFocus()


class CountGrid(QWidget):
    """Pieces per denomination (notes left, coins right) with row sums and the total. Each
    sum stands right-aligned in a column of its own under "Sum", as wide from the start as a
    large sum needs: the grid keeps its width as sums appear (it grew wider with each one),
    and a sum reads with its row, not with the next column's denomination beside it."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spins: dict[str, QSpinBox] = {}
        self.sums: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        notes = [d for d in DENOMINATIONS if d[2]]
        coins = [d for d in DENOMINATIONS if not d[2]]
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        metrics = self.fontMetrics()
        sum_width = metrics.horizontalAdvance(format_uah(LARGE_SUM)) + metrics.averageCharWidth()
        for column, group in ((0, notes), (4, coins)):
            for text, offset in ((self.tr("Pieces"), 1), (self.tr("Sum"), 2)):
                grid.addWidget(QLabel(text, self), 0, column + offset,
                               right if offset == 2 else Qt.AlignmentFlag.AlignLeft)
            grid.setColumnMinimumWidth(column + 2, sum_width)
            for row, (key, _value, _note) in enumerate(group, start=1):
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
                grid.addWidget(label, row, column)
                grid.addWidget(spin, row, column + 1)
                grid.addWidget(total, row, column + 2)
        grid.setColumnMinimumWidth(3, 3 * max(grid.horizontalSpacing(), 6))  # notes | coins
        self.total = QLabel(self)
        self.total.setObjectName("countTotal")
        self.total.setAlignment(right)
        grid.addWidget(QLabel(self.tr("Total"), self), len(notes) + 1, 0)
        grid.addWidget(self.total, len(notes) + 1, 1, 1, 2)
        self._update()

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


class TillOpenDialog(QDialog):
    """Count the drawer and open the till; a differing count waits for a co-sign."""

    opened = Signal(object)  # Till, once it is open (co-signed when needed)

    def __init__(self, ops: OpRunner, service: TillService, till_code: str = "T1",
                 parent: QWidget | None = None, *, cosign_here: CosignHere | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("tillOpenDialog")
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
        form = QFormLayout(self)
        form.addRow(self.tr("Till"), self.code)
        form.addRow(self.grid)
        form.addRow(self.status)
        form.addRow(buttons)
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
