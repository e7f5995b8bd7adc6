"""A payment of the account history: its fields, and Receipt… to print it again.

A receipt printed from the history is a copy: it says so ("COPY", who printed it and when),
names the teller and branch that took the payment (``core.receipt_origin``: the Teller
Hub's record, else the account's branch and no teller), not the desk printing it now, and
its PDF is saved as "…-copy". The original is the receipt the cash dialog shows right
after the confirm."""

from __future__ import annotations

import math
from dataclasses import replace

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton, QWidget
from shiboken6 import isValid

from teller_app.core.history import HistoryRow
from teller_app.core.history_export import UNKNOWN_TIME
from teller_app.core.receipt import (
    ReceiptContext,
    Reprint,
    build_receipt,
    kyiv_now,
    kyiv_time,
    strip_ref,
)
from teller_app.core.receipt_origin import OriginLookup, ReceiptOrigin
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cash_text import category_text, status_text
from teller_app.ui.local_time import moment_text
from teller_app.ui.money import format_money
from teller_app.ui.receipt import ui_language
from teller_app.ui.receipt_dialog import ReceiptDialog
from teller_app.ui.untrusted import plain_label, shown_lines


def drop_closed(dialog: QWidget | None) -> None:
    """A dialog made again each time it is opened (a payment's detail, its receipt copy),
    once it is closed: deleted when the next one is made. A child of a window the teller keeps
    open, the closed ones stayed in memory as long as that window (one for every payment
    opened). One still showing is left to its parent."""
    if dialog is not None and isValid(dialog) and not dialog.isVisible():
        dialog.deleteLater()


class OneLineValue(QLabel):
    """A word-wrapped value that asks for its text's width on one line (an ID, a hash, a time):
    a wrapped label asks for a near-square box (QTextDocument.adjustSize), which opened the
    detail 242 px wide with the payment ID over 3 lines. It still wraps, at its break points,
    where the screen is narrower (Qt opens a window at most 2/3 of the screen wide)."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        metrics = QFontMetricsF(self.font())
        line = max(metrics.horizontalAdvance(part) for part in self.text().split("\n"))
        margins = self.contentsMargins()
        # +1: the label lays its text out with fractional advances
        width = math.ceil(line) + 1 + 2 * self.margin() + margins.left() + margins.right()
        if width <= hint.width():
            return hint
        return QSize(width, self.heightForWidth(width))


class PaymentDetailDialog(QDialog):
    """A payment's fields; Receipt… reprints it when it is confirmed."""

    def __init__(self, row: HistoryRow, desk: ReceiptContext, minor_unit: int, ops: OpRunner,
                 parent: QWidget | None = None, origin: OriginLookup | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paymentDetail")
        self.setWindowTitle(self.tr("Payment"))
        self.row, self.desk, self.minor_unit, self.ops = row, desk, minor_unit, ops
        self.origin = origin
        self.receipt_dialog: ReceiptDialog | None = None
        p = row.payment
        self.form = form = QFormLayout(self)
        # the values take the width the window opens at (not so on macOS by default)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        amount = format_money(row.signed_amount, minor_unit, p.asset_code or "UAH")
        for label, value, one_line in (
            (self.tr("Payment ID"), p.guid, True),
            (self.tr("Created (Kyiv)"), UNKNOWN_TIME if p.created_at is None
             else moment_text(kyiv_time(p.created_at), seconds=True), True),
            (self.tr("Amount"), amount, True),
            (self.tr("Category"), category_text(p.category), True),
            (self.tr("Status"), status_text(p.status_raw or str(p.status)), False),
            (self.tr("Purpose"), strip_ref(p.purpose) or "—", False),  # not the desk's tag
            (self.tr("Stellar transaction"), p.stellar_hash or "—", True),
        ):
            kind = OneLineValue if one_line else QLabel
            text = plain_label(kind(shown_lines(value), self))  # the platform's words
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        # Only money that moved has a receipt: a draft gets no button at all (a hidden button
        # added to a box is shown again with it, and would be the default on Enter).
        self.receipt_button: QPushButton | None = None
        if self.confirmed():
            self.receipt_button = QPushButton(self.tr("&Receipt…"), self)
            self.receipt_button.setObjectName("reprintReceipt")
            buttons.addButton(self.receipt_button, QDialogButtonBox.ButtonRole.ActionRole)
            self.receipt_button.clicked.connect(self.reprint)
        buttons.rejected.connect(self.reject)
        # Enter closes: it reprinted (Receipt… came first, took the focus and so the default);
        # Receipt… prints when it is the button pressed (or focused by Tab: Enter or Space)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setDefault(True)
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)
        form.addRow(buttons)

    def sizeHint(self) -> QSize:
        """At most as wide as Qt opens a window (2/3 of the screen), and as tall as the values
        are at that width: Qt works the height out before it narrows the window, which cut
        off the Stellar hash's second line."""
        hint = super().sizeHint()
        width = min(hint.width(), self.screen().availableGeometry().width() * 2 // 3)
        return QSize(width, self.form.totalHeightForWidth(width))

    def confirmed(self) -> bool:
        return (self.row.payment.status_raw or "").upper() == "CONFIRMED"

    def reprint(self) -> None:
        """Reads who took the payment, then shows the copy (``receipt_dialog``)."""
        if not self.confirmed():
            return
        lookup = self.origin
        if lookup is None:
            self.show_copy(ReceiptOrigin())
            return
        guid = self.row.payment.guid
        self.ops.run(lambda: lookup(guid), on_success=self.show_copy,
                     on_error=lambda _exc: self.show_copy(ReceiptOrigin()), parent=self,
                     key=f"reprint:{id(self)}", label=self.tr("Reading who took the payment"),
                     disable=[b for b in (self.receipt_button,) if b is not None])

    def show_copy(self, origin: ReceiptOrigin) -> None:
        original = replace(self.desk, teller=origin.teller or "—",  # not known: a dash
                           branch=origin.branch or "—")
        receipt = build_receipt(self.row.payment, original, ui_language(),
                                minor_unit=self.minor_unit,
                                reprint=Reprint(self.desk.teller, kyiv_now()))
        drop_closed(self.receipt_dialog)
        self.receipt_dialog = ReceiptDialog(receipt, self.ops, self)
        self.receipt_dialog.open()
