"""Once the cash draft is sent the amount (and the purpose) can no longer change: the field is
read-only and looks it (no box: its text on the window's colour, not the "type here" box),
through the confirm and after it; a create that surely failed makes it editable again.
Against the real sandbox (no hub: the teller confirms up to the limit)."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLineEdit

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER as SANDBOX_TELLER
from test_approvals_helpers import client_for
from test_approvals_helpers import new_customer as new_sandbox_customer

from teller_app.core.cash import CashKind, CashService
from teller_app.platform.models import Customer
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.read_only_look import set_read_only


def _fill(dialog: CashDialog, field: QLineEdit) -> QColor:
    """The colour inside ``field`` where no text is (as drawn in the dialog): the amount is
    right-aligned (its left end is empty), the purpose left-aligned and here empty but for a
    "—" once fixed (its right end is empty)."""
    image = dialog.grab().toImage()
    ratio = image.devicePixelRatio()
    right = bool(field.alignment() & Qt.AlignmentFlag.AlignRight)
    x = 6 if right else field.width() - 6
    spot = field.mapTo(dialog, QPoint(x, field.height() // 2))
    return image.pixelColor(int(spot.x() * ratio), int(spot.y() * ratio))


def _looks_editable(dialog: CashDialog, field: QLineEdit) -> bool:
    return _fill(dialog, field) == dialog.palette().color(QPalette.ColorRole.Base)


def _looks_read_only(dialog: CashDialog, field: QLineEdit) -> bool:
    return (_fill(dialog, field) == dialog.palette().color(QPalette.ColorRole.Window)
            and not field.hasFrame())


def test_a_confirmed_amount_is_read_only_and_looks_it(qtbot: Any, ops: Any, sandbox: Any,
                                                        arun: Any) -> None:
    client = arun(client_for(sandbox, SANDBOX_TELLER))
    guid = arun(new_sandbox_customer(client, sandbox))
    branch = sandbox.manifest["branches"][0]
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    dialog = CashDialog(ops, service, Customer(wallet_user_guid=guid), CashKind.DEPOSIT)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    assert dialog.palette().color(QPalette.ColorRole.Base) != dialog.palette().color(
        QPalette.ColorRole.Window)  # the two looks can be told apart
    dialog.amount.setText("150")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    assert not dialog.amount.isReadOnly() and _looks_editable(dialog, dialog.amount)
    assert _looks_editable(dialog, dialog.purpose)

    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    qtbot.waitUntil(dialog.confirm_button.isVisible, timeout=5000)
    for field in (dialog.amount, dialog.purpose):  # the draft's: no longer to be changed
        assert field.isReadOnly() and field.isEnabled()  # the focus may stay, copy works
        qtbot.waitUntil(lambda f=field: _looks_read_only(dialog, f), timeout=3000)
    # none given: "—", not a blank that reads as a field still to fill
    assert dialog.purpose.text() == "" and dialog.purpose.placeholderText() == "—"

    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: dialog.receipt is not None, timeout=15000)
    if dialog.receipt_dialog is not None:
        dialog.receipt_dialog.close()
    assert dialog.amount.isReadOnly()
    qtbot.waitUntil(lambda: _looks_read_only(dialog, dialog.amount), timeout=3000)
    dialog.reject()
    arun(client.aclose())


def test_an_editable_field_again_looks_editable(qtbot: Any) -> None:
    """A create refused for good (``set_read_only(…, False)``) gives back the usual look."""
    field = QLineEdit("150.00")
    qtbot.addWidget(field)
    set_read_only(field, True)
    assert field.isReadOnly() and not field.hasFrame()
    assert field.palette().color(QPalette.ColorRole.Base).alpha() == 0
    set_read_only(field, False)
    assert not field.isReadOnly() and field.hasFrame()
    assert field.palette().color(QPalette.ColorRole.Base) == QPalette().color(
        QPalette.ColorRole.Base)
