"""The supervisor's branch cash position: every live till (teller, state, expected cash),
the vault and the total, with the co-signs and vault transfers waiting for them."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from teller_app.core.till import BranchPosition, Till, TillService
from teller_app.ui.async_op import OpRunner
from teller_app.ui.money import format_money
from teller_app.ui.till_text import till_state_text


def _money(value: Decimal) -> str:
    return format_money(value, 2, "UAH")


class BranchCashView(QDialog):
    loaded = Signal(object)  # BranchPosition (tests)

    def __init__(self, ops: OpRunner, service: TillService, branch_guid: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("branchCashView")
        self.setWindowTitle(self.tr("Branch cash position"))
        self.ops, self.service, self.branch_guid = ops, service, branch_guid
        self.position: BranchPosition | None = None
        self.vault = QLabel(self)
        self.vault.setObjectName("vaultAmount")
        self.total = QLabel(self)
        self.total.setObjectName("branchTotal")
        self.tills = QTableWidget(0, 4, self)
        self.tills.setObjectName("tillsTable")
        self.tills.setHorizontalHeaderLabels([self.tr("Till"), self.tr("Teller"),
                                              self.tr("State"), self.tr("Expected cash")])
        self.transfers = QTableWidget(0, 3, self)
        self.transfers.setObjectName("transfersTable")
        self.transfers.setHorizontalHeaderLabels([self.tr("Teller"), self.tr("Direction"),
                                                  self.tr("Amount")])
        for table in (self.tills, self.transfers):
            table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            table.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.cosign_button = QPushButton(self.tr("Co-sign the opening count"), self)
        self.approve_button = QPushButton(self.tr("Approve the transfer"), self)
        self.reject_button = QPushButton(self.tr("Reject the transfer"), self)
        self.vault_button = QPushButton(self.tr("Count the vault…"), self)
        self.vault_button.clicked.connect(self.count_vault)
        self.vault_dialog: VaultCountDialog | None = None
        refresh = QPushButton(self.tr("Refresh"), self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        for button in (self.cosign_button, self.approve_button, self.reject_button,
                       self.vault_button, refresh):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        refresh.clicked.connect(self.refresh)
        self.cosign_button.clicked.connect(self.cosign)
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.reject_button.clicked.connect(lambda: self.decide(False))
        form = QFormLayout(self)
        form.addRow(self.tr("Vault"), self.vault)
        form.addRow(self.tr("Branch total"), self.total)
        form.addRow(self.tr("Tills"), self.tills)
        form.addRow(self.tr("Transfers waiting"), self.transfers)
        form.addRow(self.status)
        form.addRow(buttons)
        self.setMinimumWidth(640)
        self.refresh()

    def refresh(self) -> None:
        self.ops.run(lambda: self.service.position(self.branch_guid), on_success=self._show,
                     on_error=self._failed, parent=self, label=self.tr("Reading the position"))

    def _show(self, position: BranchPosition) -> None:
        self.position = position
        self.vault.setText(_money(position.vault))
        self.total.setText(_money(position.total))
        self.tills.setRowCount(len(position.tills))
        for row, till in enumerate(position.tills):
            for col, text in enumerate((till.till_code, till.teller,
                                        till_state_text(till.state), _money(till.expected))):
                self.tills.setItem(row, col, QTableWidgetItem(text))
        self.transfers.setRowCount(len(position.pending_transfers))
        for row, tr in enumerate(position.pending_transfers):
            direction = (self.tr("vault → till") if tr.direction == "to_till"
                         else self.tr("till → vault"))
            for col, text in enumerate((tr.requested_by, direction, _money(tr.amount))):
                self.transfers.setItem(row, col, QTableWidgetItem(text))
        self.loaded.emit(position)

    def _selected_till(self) -> Till | None:
        row = self.tills.currentRow()
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

    def decide(self, approve: bool) -> None:
        row = self.transfers.currentRow()
        if self.position is None or not 0 <= row < len(self.position.pending_transfers):
            self.status.setText(self.tr("Select a transfer."))
            return
        transfer = self.position.pending_transfers[row]
        self.ops.run(lambda: self.service.decide_transfer(transfer.id, approve),
                     on_success=lambda _t: self.refresh(), on_error=self._failed, parent=self,
                     label=self.tr("Deciding the transfer"), write=True)

    def count_vault(self) -> None:
        dialog = self.vault_dialog = VaultCountDialog(self.ops, self.service, self.branch_guid,
                                                      self)
        dialog.saved.connect(self._show)
        dialog.open()

    def _failed(self, exc: BaseException) -> None:
        from teller_app.ui.error_text import friendly_message

        self.status.setText(friendly_message(exc))


class VaultCountDialog(QDialog):
    """The supervisor counts the vault by denomination; the hub keeps the balance."""

    saved = Signal(object)  # BranchPosition

    def __init__(self, ops: OpRunner, service: TillService, branch_guid: str | None,
                 parent: QWidget | None = None) -> None:
        from teller_app.ui.till_dialog import CountGrid

        super().__init__(parent)
        self.setObjectName("vaultCountDialog")
        self.setWindowTitle(self.tr("Count the vault"))
        self.ops, self.service, self.branch_guid = ops, service, branch_guid
        self.grid = CountGrid(self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.save = QPushButton(self.tr("Save the count"), self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.save, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.save.clicked.connect(self.save_count)
        form = QFormLayout(self)
        form.addRow(self.grid)
        form.addRow(self.status)
        form.addRow(buttons)

    def save_count(self) -> None:
        counts = self.grid.counts()

        def done(position: BranchPosition) -> None:
            self.saved.emit(position)
            self.accept()

        def failed(exc: BaseException) -> None:
            from teller_app.core.till import VaultCountUnknown
            from teller_app.ui.error_text import friendly_message

            if isinstance(exc, VaultCountUnknown) and exc.position is not None:
                self.status.setText(self.tr(
                    "The Teller Hub did not answer, and the vault now shows %1, not the %2 you "
                    "counted: a transfer may have moved it meanwhile, or your count was not "
                    "recorded. Look at the position, count again and save.").replace(
                        "%1", _money(exc.position.vault)).replace(
                        "%2", _money(exc.counted)))
                return
            self.status.setText(friendly_message(exc))

        self.ops.run(lambda: self.service.count_vault(counts, self.branch_guid),
                     on_success=done, on_error=failed, parent=self,
                     label=self.tr("Saving the vault count"), disable=(self.save,),
                     write=True)
