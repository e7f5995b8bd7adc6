"""Create and edit customers through the form, against the sandbox."""

from __future__ import annotations

from decimal import Decimal

from teller_app.ui.customer_card import CustomerCard

from .conftest import new_customer, unique


def _fill(form, login: str, phone: str = "067 123 45 67", iban: str = "") -> None:  # type: ignore[no-untyped-def]
    form.login.setText(login)
    form.surname.setText("Коваленко")
    form.name.setText("Ірина")
    form.paternal_name.setText("Петрівна")
    form.phone.setText(phone)
    form.iban.setText(iban)
    form.kyc_level.setValue(1)
    form.balance_allowed.setText("1 500,50")


def test_create_customer_opens_its_card(qtbot, main_window, arun):  # type: ignore[no-untyped-def]
    form = main_window.new_customer()
    login = unique("ira.")
    _fill(form, login)
    with qtbot.waitSignal(main_window.customer_card_opened, timeout=15000) as opened:
        form.submit()
    card = opened.args[0]
    assert isinstance(card, CustomerCard)
    stored = arun(main_window.session.client.find_customer_by_login(login))
    assert stored.surname == "Коваленко"
    assert stored.phone_number == "+380671234567"  # normalised to E.164
    assert stored.balance_allowed == Decimal("1500.50")
    assert stored.kyc_level == 1
    assert stored.branch_guid == main_window.session.branch_guid


def test_invalid_fields_are_shown_inline_and_nothing_is_lost(qtbot, main_window):  # type: ignore[no-untyped-def]
    form = main_window.new_customer()
    _fill(form, unique("bad."), phone="12345", iban="UA21 3223 1300 0002 6007 2335 6600 2")
    form.submit()
    assert form.error_text("phone_number")
    assert "checksum" in form.error_text("iban")
    assert form.banner.text()
    assert form.phone.text() == "12345" and form.surname.text() == "Коваленко"
    assert not form.ops.is_busy(form._submit_key())  # nothing was sent
    form.phone.setText("+380 67 123 45 67")
    form.iban.setText("UA21 3223 1300 0002 6007 2335 6600 1")
    form.balance_allowed.setText("1.005")  # three decimals for a 2-place asset
    form.submit()
    assert not form.error_text("phone_number") and not form.error_text("iban")
    assert form.error_text("balance_allowed")


def test_duplicate_login_is_flagged_before_and_on_submit(qtbot, main_window, sandbox, arun):  # type: ignore[no-untyped-def]
    session = main_window.session
    login = unique("dup.")
    arun(session.client.create_customer(new_customer(sandbox, session, login=login)))
    form = main_window.new_customer()
    _fill(form, "")
    with qtbot.waitSignal(form.login_checked, timeout=10000) as checked:
        qtbot.keyClicks(form.login, login)
    assert checked.args == [login, True]
    assert "already exists" in form.error_text("login")
    form.submit()
    assert "already exists" in form.error_text("login")
    assert form.login.text() == login and form.surname.text() == "Коваленко"
    # the platform's own refusal, when our lookup did not know yet
    form._login_taken = None
    form.submit()
    qtbot.waitUntil(lambda: "already exists" in form.error_text("login")
                    and bool(form.banner.text()), timeout=10000)
    assert form.login.text() == login


def test_edit_sends_only_the_changed_field(qtbot, main_window, sandbox, arun):  # type: ignore[no-untyped-def]
    session = main_window.session
    login = unique("edit.")
    created = arun(session.client.create_customer(new_customer(
        sandbox, session, login=login, surname="Бондар", name="Олег", phone_number="+380671112233",
        kyc_level=1, segment="retail", status="active")))
    customer = arun(session.client.get_customer(created.customer_guid))
    form = main_window.edit_customer(customer)
    assert form.login.isReadOnly() and not form.asset.isEnabled() and form.iban.isReadOnly()
    form.name.setText("Олександр")
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    assert form.sent_update == {"name": "Олександр"}
    after = arun(session.client.get_customer(created.customer_guid))
    assert after.name == "Олександр"
    assert (after.surname, after.phone_number, after.kyc_level, after.segment, after.status) == (
        "Бондар", "+380671112233", 1, "retail", "active")


def test_blocking_is_not_an_edit_but_a_change_request(qtbot, main_window, sandbox, arun):  # type: ignore[no-untyped-def]
    """The one pipeline: the whole change becomes the request (the exact command a
    supervisor approves); nothing is written meanwhile."""
    from teller_app.ui.change_request_dialog import ChangeRequestDialog

    session = main_window.session
    created = arun(session.client.create_customer(new_customer(sandbox, session,
                                                               status="active")))
    form = main_window.edit_customer(arun(session.client.get_customer(created.customer_guid)))
    form.status.setCurrentText("blocked")
    form.name.setText("Зміна")
    with qtbot.waitSignal(form.approval_requested, timeout=10000) as blocker:
        form.submit()
    assert blocker.args == [{"status": "blocked", "name": "Зміна"}]
    dialog = main_window.findChild(ChangeRequestDialog)
    assert dialog is not None
    assert dialog.what.currentData() == {"status": "blocked", "name": "Зміна"}
    after = arun(session.client.get_customer(created.customer_guid))
    assert after.status == "active" and after.name != "Зміна"
    dialog.reject()


def _discard_box(window):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    boxes = [b for b in window.findChildren(QMessageBox, "discardChangesBox") if b.isVisible()]
    assert len(boxes) <= 1
    return boxes[0] if boxes else None


def _press(box, text: str) -> None:  # type: ignore[no-untyped-def]
    next(b for b in box.buttons() if b.text() == text).click()


def test_unsaved_forms_are_not_thrown_away_without_asking(qtbot, main_window, sandbox, arun):  # type: ignore[no-untyped-def]
    window = main_window
    blank = window.new_customer()
    assert not blank.is_dirty()
    blank.cancel_button.click()  # nothing typed: closes at once
    assert window.tabs.indexOf(blank) < 0 and _discard_box(window) is None

    form = window.new_customer()
    form.surname.setText("Незбереженко")
    assert form.is_dirty()
    for close in (form.cancel_button.click, window._close_current_tab,
                  lambda: window._close_tab(window.tabs.indexOf(form))):
        close()
        box = _discard_box(window)
        assert box is not None and window.tabs.indexOf(form) > 0
        _press(box, "Keep editing")
        assert window.tabs.indexOf(form) > 0 and form.surname.text() == "Незбереженко"

    # Sign-out also drops other employees' parked forms: asked, and kept on "Keep editing".
    window._park_tabs("someone-else")
    signed_out = []
    window.signed_out.connect(lambda: signed_out.append(True))
    window.sign_out()
    _press(_discard_box(window), "Keep editing")
    assert not signed_out and window.isVisible()
    window._unpark_tabs("someone-else")

    # Closing the window (Ctrl+Q) waits for the answer.
    window.close()
    assert window.isVisible()
    _press(_discard_box(window), "Keep editing")
    assert window.isVisible() and window.tabs.indexOf(form) > 0

    form.cancel_button.click()
    _press(_discard_box(window), "Discard")
    assert window.tabs.indexOf(form) < 0

    # Edit mode: dirty only once a field differs from the customer as loaded.
    session = window.session
    created = arun(session.client.create_customer(new_customer(sandbox, session)))
    edit = window.edit_customer(arun(session.client.get_customer(created.customer_guid)))
    assert not edit.is_dirty()
    edit.kyc_level.setValue(edit.kyc_level.value() + 1)
    assert edit.is_dirty()
    window.close()
    assert window.isVisible()
    _press(_discard_box(window), "Discard")
    assert not window.isVisible()


def test_every_sensitive_field_goes_into_the_change_request(qtbot, main_window, sandbox, arun):  # type: ignore[no-untyped-def]
    from teller_app.ui.change_request_dialog import ChangeRequestDialog

    session = main_window.session
    created = arun(session.client.create_customer(new_customer(sandbox, session,
                                                               status="active")))
    form = main_window.edit_customer(arun(session.client.get_customer(created.customer_guid)))
    form.status.setCurrentText("blocked")
    form.is_disabled.setChecked(True)
    with qtbot.waitSignal(form.approval_requested, timeout=2000) as blocker:
        form.submit()
    assert blocker.args == [{"status": "blocked", "is_disabled": True}]
    dialog = main_window.findChild(ChangeRequestDialog)
    assert dialog.change() == {"status": "blocked", "is_disabled": True}
    assert not form.ops.is_busy(form._submit_key())  # nothing else to save
    dialog.reject()


def test_a_kyc_preset_is_not_replaced_by_the_spin_box_default(qtbot, main_window, sandbox, arun):  # type: ignore[no-untyped-def]
    from teller_app.ui.change_request_dialog import ChangeRequestDialog

    session = main_window.session
    created = arun(session.client.create_customer(new_customer(sandbox, session, kyc_level=3)))
    customer = arun(session.client.get_customer(created.customer_guid))
    dialog = ChangeRequestDialog(customer, {"kyc_level": 1})
    qtbot.addWidget(dialog)
    assert dialog.change() == {"kyc_level": 1}
    assert ChangeRequestDialog(customer, {"kyc_level": 2}, dialog).change() == {"kyc_level": 2}
