"""The customer form's keys agree with its look: the form is no dialog, so Enter in a field
presses nothing, and no button is drawn as the default one (which promised that Enter would
create). Ctrl+Enter, as its button says, creates or saves. New and edit forms alike."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QStyleOptionButton

from .conftest import new_customer, unique
from .test_customer_form import _fill


def _looks_default(button: QPushButton) -> bool:
    option = QStyleOptionButton()
    button.initStyleOption(option)  # what the style paints
    return bool(option.features & QStyleOptionButton.ButtonFeature.DefaultButton)


def _enter_does_nothing(qtbot, form, field) -> None:  # type: ignore[no-untyped-def]
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=2000)
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        qtbot.keyClick(field, key)
        # a submit runs at once (the op starts before the key returns): none did
        assert not form.ops.is_busy(form._submit_key())
        assert form.sent_update is None and form.banner.text() == ""
    for button in (form.submit_button, form.cancel_button):
        assert not _looks_default(button), button.text()


def test_enter_in_a_field_does_not_submit_and_no_button_looks_default(  # type: ignore[no-untyped-def]
        qtbot, main_window, sandbox, arun):
    window = main_window
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)

    form = window.new_customer()
    assert form is not None
    _fill(form, unique("enter."))
    _enter_does_nothing(qtbot, form, form.phone)
    assert window.tabs.currentWidget() is form
    with qtbot.waitSignal(window.customer_card_opened, timeout=15000):
        qtbot.keyClick(form.phone, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    session = window.session
    created = arun(session.client.create_customer(new_customer(
        sandbox, session, surname="Бондар", name="Олег", kyc_level=1)))
    edit = window.edit_customer(arun(session.client.get_customer(created.customer_guid)))
    edit.name.setText("Олександр")
    _enter_does_nothing(qtbot, edit, edit.name)
    with qtbot.waitSignal(edit.saved, timeout=15000):
        qtbot.keyClick(edit.name, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert edit.sent_update == {"name": "Олександр"}
