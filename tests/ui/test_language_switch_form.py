"""An open customer form follows a live language switch (``settings.switch_language``) in
place: every label, placeholder, button, picker item, inline error and the tab's title change
language, while what the teller typed, picked and was told about the input stays as it was."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from teller_app.ui import a11y

from .conftest import new_customer, unique
from .untranslated import left_in_english

UK_CREATE = "Створити клієнта (Ctrl+Enter)"
UK_SAVE = "Зберегти зміни (Ctrl+Enter)"
BAD_PHONE_EN = "This phone number is not valid."
BAD_PHONE_UK = "Цей номер телефону недійсний."
BAD_IBAN_EN = "The IBAN checksum is wrong: check the digits."
BAD_IBAN_UK = "Неправильна контрольна сума IBAN: перевірте цифри."


def _tab_text(window, form) -> str:  # type: ignore[no-untyped-def]
    return window.tabs.tabText(window.tabs.indexOf(form))


def _typed(form) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Everything the teller can type or pick, as the form holds it."""
    texts = {w.objectName(): w.text() for w in (
        form.login, form.surname, form.name, form.paternal_name, form.phone, form.iban,
        form.balance_allowed)}
    picks = {w.objectName(): (w.currentIndex(), w.currentData()) for w in (
        form.asset, form.branch, form.segment, form.balance_asset, form.status)}
    return {**texts, **picks, "kyc": form.kyc_level.value(),
            "disabled": form.is_disabled.isChecked(), "status": form._values()["status"]}


def _focus(qtbot, widget) -> None:  # type: ignore[no-untyped-def]
    widget.window().activateWindow()
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=5000)


def test_new_customer_form_switches_language_and_keeps_the_input(qtbot, main_window):  # type: ignore[no-untyped-def]
    from teller_app.ui.settings import switch_language

    form = main_window.new_customer()
    assert form is not None
    login = unique("lang.")
    with qtbot.waitSignal(form.login_checked, timeout=10000):
        qtbot.keyClicks(form.login, login)
    form.surname.setText("Коваленко")  # (QtTest's keyClicks types ASCII only)
    form.name.setText("Ірина")
    form.paternal_name.setText("Петрівна")
    form.iban.setText("UA21 3223 1300 0002 6007 2335 6600 2")  # a wrong checksum
    form.kyc_level.setValue(2)
    form.is_disabled.setChecked(True)
    form.status.setCurrentIndex(form.status.findText("pending"))
    form.balance_asset.setCurrentIndex(1)
    if form.segment.count() > 1:
        form.segment.setCurrentIndex(1)
    form.balance_allowed.setText("1 500,50")
    qtbot.keyClicks(form.phone, "12345")
    qtbot.keyClick(form.phone, Qt.Key.Key_Return)  # editingFinished: the inline check runs
    assert form.error_text("phone_number") == BAD_PHONE_EN
    form.submit()  # nothing is sent: the form points at the fields to fix
    assert form.error_text("iban") == BAD_IBAN_EN
    assert form.banner.text() == "Check the highlighted fields."
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.phone)  # the first to fix
    _focus(qtbot, form.name)
    a11y.tie_labels(main_window)  # what activating the window does: labels name their fields
    assert form.phone.accessibleName() == "Phone"
    typed, state = _typed(form), form._state()
    assert form.status.currentText() == "pending" and _tab_text(main_window, form) == "New customer"
    assert left_in_english(form)  # the check sees the English texts before the switch
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: form.submit_button.text() == UK_CREATE, timeout=5000)
        assert left_in_english(form) == []
        assert _tab_text(main_window, form) == "Новий клієнт"
        assert form.title.text() == "Новий клієнт"
        assert form.captions["phone_number"].text() == "&Телефон"  # Alt+Т focuses the field
        assert form.phone.accessibleName() == "Телефон"  # what a screen reader says
        assert form.is_disabled.text() == "Створити клієнта вимк&неним"
        # the errors shown are the same ones, now in Ukrainian; nothing else appeared
        assert form.error_text("phone_number") == BAD_PHONE_UK
        assert form.error_text("iban") == BAD_IBAN_UK
        assert form.banner.text() == "Перевірте виділені поля."
        assert form.error_text("surname") == form.error_text("login") == ""
        # what the teller typed and picked is untouched, and still reads back the same
        assert _typed(form) == typed and form._state() == state
        assert form.status.currentText() == "на розгляді"
        assert form.status.itemText(form.status.findData("active")) == "активний"
        assert QApplication.focusWidget() is form.name
        assert form.is_dirty()
    finally:
        switch_language("en")
    qtbot.waitUntil(lambda: form.submit_button.text() == "Create customer (Ctrl+Enter)",
                    timeout=5000)
    assert _tab_text(main_window, form) == "New customer"
    assert form.error_text("phone_number") == BAD_PHONE_EN
    assert form.banner.text() == "Check the highlighted fields."
    assert form.status.currentText() == "pending"
    assert _typed(form) == typed and form._state() == state


def test_edit_form_switches_language_and_keeps_the_changes(qtbot, main_window, sandbox, arun):  # type: ignore[no-untyped-def]
    from teller_app.ui.settings import switch_language

    session = main_window.session
    created = arun(session.client.create_customer(new_customer(
        sandbox, session, surname="Бондар", name="Олег", phone_number="+380671112233",
        segment="retail", status="active")))
    customer = arun(session.client.get_customer(created.customer_guid))
    form = main_window.edit_customer(customer)
    name = form.customer.display_name
    title = f"Edit: {name}"
    assert _tab_text(main_window, form) == title
    assert form.status.currentText() == "active" and not form.is_dirty()
    form.name.setText("Олександр")
    form.kyc_level.setValue(3)
    form.balance_allowed.setText("-5")
    form.submit()  # a negative amount: refused inline, nothing sent
    assert form.error_text("balance_allowed") == "The amount cannot be negative."
    form.phone.setText("067")
    qtbot.keyClick(form.phone, Qt.Key.Key_Return)
    assert form.error_text("phone_number") == BAD_PHONE_EN
    typed, changed = _typed(form), form._changed_fields(form.customer)
    assert changed["name"] == "Олександр" and "status" not in changed
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: form.submit_button.text() == UK_SAVE, timeout=5000)
        assert left_in_english(form) == []
        assert _tab_text(main_window, form) == f"Редагування: {name}"
        assert form.title.text() == "Редагування клієнта"
        assert form.is_disabled.text() == "Вимк&нений"
        assert form.iban.placeholderText() == "див. рахунки в картці клієнта"
        assert form.error_text("balance_allowed") == "Сума не може бути від’ємною."
        assert form.error_text("phone_number") == BAD_PHONE_UK
        # the stored status is shown in Ukrainian but is still "active": nothing changed
        assert form.status.currentText() == "активний"
        assert form.segment.currentText() == "роздрібний" and form.segment.currentData() == "retail"
        assert _typed(form) == typed and form._changed_fields(form.customer) == changed
    finally:
        switch_language("en")
    qtbot.waitUntil(lambda: form.submit_button.text() == "Save changes (Ctrl+Enter)",
                    timeout=5000)
    assert _tab_text(main_window, form) == title
    assert form.status.currentText() == "active" and form.segment.currentText() == "retail"
    assert form.error_text("phone_number") == BAD_PHONE_EN
    assert _typed(form) == typed and form._changed_fields(form.customer) == changed


def test_a_parked_form_comes_back_titled_in_the_new_language(qtbot, main_window):  # type: ignore[no-untyped-def]
    """Another employee switched the language while this one's form was parked."""
    from teller_app.ui.settings import switch_language

    form = main_window.new_customer()
    assert form is not None
    form.surname.setText("Шевченко")
    main_window._park_tabs("someone-else")
    assert main_window.tabs.indexOf(form) < 0
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: form.submit_button.text() == UK_CREATE, timeout=5000)
        main_window._unpark_tabs("someone-else")
        assert _tab_text(main_window, form) == "Новий клієнт"
        assert form.surname.text() == "Шевченко"
    finally:
        switch_language("en")
    qtbot.waitUntil(lambda: _tab_text(main_window, form) == "New customer", timeout=5000)
