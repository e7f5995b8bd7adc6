"""The change request dialog (a teller asking for a block, a disable, a lower KYC level):

- a refused reason moves the focus to the reason, and its red error goes once the reason is
  edited (it stayed under a valid reason);
- it names the customer (its title and a line at the top) and shows what the change changes
  as the customer has it now;
- its choices read as the inbox and the card name the request (``describe_change``: "Set status
  to “blocked”", not "Set the status to blocked"), segments translated as the card does;
- each field has its own Alt+letter.

The dialog is built offscreen from a customer as the platform sends it; nothing is sent."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtWidgets import QApplication, QLabel

from teller_app.platform.models import Customer
from teller_app.ui.change_request_dialog import ChangeRequestDialog, describe_change

# ``language``: the fixture running a test in English and in Ukrainian
from tests.ui.test_accelerators_unique import clashes, language, mnemonic  # noqa: F401


def _customer(**fields: Any) -> Customer:
    base: dict[str, Any] = {"wallet_user_guid": str(uuid.uuid4()), "status": "active",
                            "surname": "Шевченко-Квітка", "name": "Олександра", "kyc_level": 2,
                            "segment": "retail"}
    return Customer(**{**base, **fields})


def _shown(qtbot: Any, dialog: ChangeRequestDialog) -> ChangeRequestDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    return dialog


def test_a_refused_reason_takes_the_focus_and_its_error_goes_when_edited(
        qtbot: Any, english: None) -> None:
    dialog = _shown(qtbot, ChangeRequestDialog(_customer()))
    dialog.what.setFocus()
    dialog.reason.setPlainText("a\u0007b")  # a control character: refused
    dialog.send_button.click()
    assert dialog.error.text() != ""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason, timeout=3000)
    with qtbot.assertNotEmitted(dialog.submitted):
        dialog.reason.setPlainText("Customer reported card fraud by phone")
    assert dialog.error.text() == ""
    # the hub's refusal stays while the reason is edited (it is not about the words)
    dialog.show_error("The Teller Hub refused the request.")
    dialog.reason.insertPlainText(".")
    assert dialog.error.text() == "The Teller Hub refused the request."


def test_the_dialog_names_the_customer_and_the_state_it_changes(
        qtbot: Any, english: None) -> None:
    dialog = _shown(qtbot, ChangeRequestDialog(_customer(status="blocked")))
    assert dialog.windowTitle() == "Request a change — Шевченко-Квітка Олександра"
    assert dialog.customer_label.text() == "Шевченко-Квітка Олександра"
    assert dialog.customer_label.isVisible()
    shown = {dialog.what.itemData(i).__repr__(): i for i in range(dialog.what.count())}
    dialog.what.setCurrentIndex(shown[repr({"status": "active"})])
    assert dialog.now.isVisible() and dialog.now.text() == "Status: blocked"
    dialog.what.setCurrentIndex(shown[repr({"is_disabled": True})])
    assert dialog.now.text() == "Enabled"
    dialog.what.setCurrentIndex(shown[repr({"kyc_level": 1})])
    assert dialog.now.text() == "KYC level: 2"


def test_the_choices_read_as_the_inbox_names_the_request(qtbot: Any, english: None) -> None:
    dialog = _shown(qtbot, ChangeRequestDialog(_customer()))
    for i in range(dialog.what.count()):
        change = dialog.what.itemData(i)
        if "kyc_level" in change:
            continue  # the level is picked below the choice
        described = describe_change(change)
        assert dialog.what.itemText(i) == described[:1].upper() + described[1:]
    assert "Set status to “blocked”" in [dialog.what.itemText(i)
                                        for i in range(dialog.what.count())]


def test_a_segment_reads_as_the_card_shows_it(qtbot: Any, ukrainian: None) -> None:
    from teller_app.ui.data_text import segment_text

    wanted = segment_text("retail")
    assert wanted != "retail"  # translated, as the card shows it
    dialog = _shown(qtbot, ChangeRequestDialog(_customer(segment="retail"),
                                               preset={"segment": "retail"}))
    assert dialog.what.currentData() == {"segment": "retail"}
    assert f"«{wanted}»" in dialog.what.currentText() or f"“{wanted}”" in dialog.what.currentText()
    assert wanted in dialog.now.text() and "retail" not in dialog.now.text()


def test_each_field_has_its_own_letter(qtbot: Any, language: str) -> None:  # noqa: F811
    dialog = _shown(qtbot, ChangeRequestDialog(_customer()))
    dialog.what.setCurrentIndex(2)  # the KYC level row shown too
    form = dialog.form
    for field in (dialog.what, dialog.kyc, dialog.reason):
        label = form.labelForField(field)
        assert isinstance(label, QLabel) and label.buddy() is field
        assert mnemonic(label.text()) is not None, label.text()
    for button in (dialog.send_button, dialog.in_place_button):
        assert mnemonic(button.text()) is not None, button.text()
    assert clashes(dialog) == {}
