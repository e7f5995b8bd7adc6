"""The change request dialog with the keyboard, for a real sandbox customer: Tab leaves the
reason (no tab characters typed into it), the "New KYC level" label shows only with its
field, and Enter sends the request (never Cancel)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFormLayout, QLabel

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, client_for, new_customer

from teller_app.platform import CustomerUpdate
from teller_app.ui.change_request_dialog import ChangeRequestDialog


def test_tab_kyc_label_and_enter(qtbot, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    client = arun(client_for(sandbox, TELLER))
    guid = arun(new_customer(client, sandbox))
    arun(client.update_customer(guid, CustomerUpdate(kyc_level=2)))  # "Lower the KYC level"
    customer = arun(client.get_customer(guid))
    arun(client.aclose())
    dialog = ChangeRequestDialog(customer)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    label = dialog.findChild(QFormLayout).labelForField(dialog.kyc)
    assert isinstance(label, QLabel)

    # Disabling needs no KYC level: neither its field nor its label shows.
    assert "is_disabled" in dialog.change()
    assert not dialog.kyc.isVisible() and not label.isVisible()
    kyc_row = next(i for i in range(dialog.what.count())
                   if "kyc_level" in dialog.what.itemData(i))
    dialog.what.setCurrentIndex(kyc_row)
    assert dialog.kyc.isVisible() and label.isVisible()
    dialog.what.setCurrentIndex(0)
    assert not dialog.kyc.isVisible() and not label.isVisible()

    # Tab moves on from the reason; the reason keeps only what was typed.
    dialog.reason.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(dialog.reason.hasFocus, timeout=2000)
    qtbot.keyClicks(dialog.reason, "Passport expired")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.send_button  # the next thing on the screen
    assert dialog.reason.toPlainText() == "Passport expired"

    # Send is the default: Enter (here from the change's choice) files it.
    assert dialog.send_button.isDefault() and not cancel.isDefault()
    dialog.what.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(dialog.what.hasFocus, timeout=2000)
    with qtbot.waitSignal(dialog.submitted, timeout=5000) as sent:
        qtbot.keyClick(dialog.what, Qt.Key.Key_Return)
    assert sent.args == [{"is_disabled": True}, "Passport expired", False]
    assert dialog.isVisible()  # the controller closes it once the hub filed it
