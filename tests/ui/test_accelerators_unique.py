"""Alt+letter reaches one control: in each dialog, in English and in Ukrainian, no two of its
buttons, labels and check boxes underline the same letter (a clash makes Alt+letter cycle
between them, or pick the wrong one). The dialogs: Settings, the profile manager (its form
and buttons), the box shown when the profiles file cannot be read, the cash dialog (every
button it may show), the receipt, and the approvals inbox with the main window around it
(its menu titles and filter bar share the window's Alt+letters).

The cash dialog's, the receipt's and the inbox's letters were added in English first: until
their Ukrainian texts (with their own letters) are in teller_uk.ts, the Ukrainian run sees the
English ones. Run this again once they are translated."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMainWindow, QWidget

from teller_app.secrets import ProfileStore
from teller_app.ui.profile_manager import ProfileManagerDialog
from teller_app.ui.settings import SettingsDialog
from tests.ui.recovery_box import unreadable_profiles_box


@pytest.fixture(params=["en", "uk"])
def language(request: pytest.FixtureRequest, qapp: Any) -> Iterator[str]:
    from teller_app.ui.i18n import install_translators

    before, earlier = QLocale(), set(qapp.findChildren(QTranslator))
    installed = install_translators(qapp, request.param)
    if request.param == "uk":
        assert installed, "compile the translations: packaging/build_translations.py"
    yield request.param
    # also those start-up installed (the unreadable-profiles test runs it)
    for translator in set(qapp.findChildren(QTranslator)) - earlier:
        qapp.removeTranslator(translator)
    QLocale.setDefault(before)


# A Latin letter and the Cyrillic one on the same key of the Ukrainian layout: with it on,
# Alt+H reaches both "&Hub" and "&Режим" (Qt also tries the key's Latin letter).
SAME_KEY = dict(zip("qwertyuiopasdfghjklzxcvbnm", "йцукенгшщзфівапролдячсмить", strict=True))


def mnemonic(text: str) -> str | None:
    """The letter after a single "&" ("&&" is a literal ampersand), lower-cased."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] != "&":
                return text[i + 1].lower()
            i += 1
        i += 1
    return None


def key_of(letter: str) -> str:
    return SAME_KEY.get(letter, letter)


def clashes(dialog: QWidget) -> dict[str, list[str]]:
    """Keys underlined more than once among the dialog's shown controls (and, in a main
    window, its menu titles)."""
    by_letter: dict[str, list[str]] = defaultdict(list)
    if isinstance(dialog, QMainWindow):
        for action in dialog.menuBar().actions():
            letter = mnemonic(action.text())
            if letter is not None and action.isVisible():
                by_letter[key_of(letter)].append(action.text())
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisibleTo(dialog):
            continue
        if isinstance(widget, QLabel) and _rich(widget):
            continue  # "&nbsp;" in rich text is no letter
        if isinstance(widget, QAbstractButton | QLabel):
            text = widget.text()
        elif isinstance(widget, QGroupBox):
            text = widget.title()
        else:
            continue
        letter = mnemonic(text)
        if letter is not None:
            by_letter[key_of(letter)].append(text)
    return {k: v for k, v in by_letter.items() if len(v) > 1}


def _rich(label: QLabel) -> bool:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import Qt as GuiQt  # mightBeRichText lives in QtGui's Qt

    kind = label.textFormat()
    return kind == Qt.TextFormat.RichText or (
        kind == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(label.text()))


def test_settings_letters_are_unique(qtbot: Any, ops: Any, language: str) -> None:
    dialog = SettingsDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not ops.is_busy("settings-read"), timeout=5000)
    assert dialog.sounds.text() in ("&Sounds", "&Звуки")  # the language under test
    assert clashes(dialog) == {}


def test_profile_manager_letters_are_unique(qtbot: Any, ops: Any, language: str) -> None:
    manager = ProfileManagerDialog(ops, ProfileStore())
    qtbot.addWidget(manager)
    manager.show()
    qtbot.waitUntil(manager.form.isVisible, timeout=5000)
    assert clashes(manager) == {}


def test_unreadable_profiles_box_letters_are_unique(qtbot: Any, qloop: Any,
                                                   language: str) -> None:
    box = unreadable_profiles_box(qtbot, qloop, language)
    try:
        assert box.isVisible()
        assert len([b for b in box.buttons() if mnemonic(b.text())]) == 3
        assert clashes(box) == {}
    finally:
        box.close()


def test_cash_dialog_letters_are_unique(qtbot: Any, ops: Any, sandbox: Any, arun: Any,
                                        language: str) -> None:
    from teller_app.core.cash import CashKind, CashService
    from teller_app.platform.models import Customer
    from teller_app.ui.cash_dialog import CashDialog
    from tests.ui.conftest import open_session

    session = open_session(arun, sandbox)
    try:
        branch = sandbox.manifest["branches"][0]
        service = CashService(session.client, branch["guid"], branch["processing_account_guid"],
                              Decimal("10000.00"))
        dialog = CashDialog(ops, service, Customer(wallet_user_guid="c1"), CashKind.DEPOSIT)
        qtbot.addWidget(dialog)
        dialog.show()
        for button in dialog.buttons.buttons():  # every button any step shows
            button.show()
        assert mnemonic(dialog.receipt_button.text()) and mnemonic(dialog.void_button.text())
        assert clashes(dialog) == {}
        dialog.draft_settled = True
        dialog.close()
        ops.cancel_all()
    finally:
        arun(session.close())


def test_receipt_letters_are_unique(qtbot: Any, ops: Any, language: str) -> None:
    from datetime import UTC, datetime

    from teller_app.core.receipt import ReceiptContext, build_receipt
    from teller_app.platform.models import Payment
    from teller_app.ui.receipt_dialog import ReceiptDialog

    payment = Payment(guid="37f6b441-0906-46b6-9349-e742531f4eb7", amount=Decimal("150.50"),
                      asset_code="UAH", category="01", status="CONFIRMED",
                      stellar_info={"hash": "ab" * 32},
                      updated_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC))
    desk = ReceiptContext("Demo Bank", "Київ", "Касир", "Клієнт", "")
    dialog = ReceiptDialog(build_receipt(payment, desk, language), ops)
    qtbot.addWidget(dialog)
    dialog.show()
    assert mnemonic(dialog.save_button.text()) and mnemonic(dialog.print_button.text())
    assert clashes(dialog) == {}


def test_approvals_inbox_letters_are_unique_in_its_window(qtbot: Any, ops: Any, sandbox: Any,
                                                          arun: Any, language: str) -> None:
    from tests.ui.conftest import make_window, open_session

    session = open_session(arun, sandbox, "supervisor.kyiv@demo.bank")
    window = make_window(qtbot, ops, session, sandbox)
    try:
        inbox = window.supervision.inbox
        assert inbox is not None and inbox.isVisibleTo(window)  # a supervisor's dock
        texts = {inbox.approve_button.text(), inbox.reject_button.text()}
        assert all(mnemonic(text) for text in texts)
        found = clashes(window)
        english = texts & {"&Approve", "&Reject"}
        if language == "uk" and english:
            # Their English letters share keys with Ukrainian ones ("&Approve" with "Скинути
            # &фільтри"): everything else must hold now, these once they are translated.
            assert {k: v for k, v in found.items() if not english & set(v)} == {}
            pytest.xfail(f"not translated yet: {sorted(english)}")
        assert found == {}
    finally:
        window._closing_for_sign_out = True
        ops.cancel_all()
        window.close()
        arun(window.shutdown())


def _unique_in(window: QWidget, language: str) -> None:
    """No two of ``window``'s Alt+letters on one key, in ``language``."""
    assert clashes(window) == {}, language


def _alt_reaches_fields(qtbot: Any, form: Any) -> None:
    """Each caption is its field's buddy, with a letter; Alt+that letter focuses the field
    (pressed where the letter is a Latin one: QTest types no other)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    for key, caption in form.captions.items():
        if key == "is_disabled":  # the check box underlines its own letter
            continue
        field = form.findChild(QWidget, f"field_{key}")
        letter = mnemonic(caption.text())
        assert letter is not None and caption.buddy() is field, caption.text()
        if not (letter.isascii() and letter.isalpha()) or not field.isEnabled():
            continue
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, getattr(Qt.Key, f"Key_{letter.upper()}"),
                       Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda f=field: QApplication.focusWidget() is f, timeout=2000)
    assert mnemonic(form.is_disabled.text()) and mnemonic(form.cancel_button.text())


def _activate(qtbot: Any, window: QWidget) -> None:
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def test_customer_form_letters_are_unique_in_its_window(qtbot: Any, language: str,
                                                        main_window: Any, sandbox: Any,
                                                        arun: Any) -> None:
    """The new and the edit form, each shown in the main window with its menus."""
    from tests.ui.conftest import new_customer

    window = main_window
    _activate(qtbot, window)
    form = window.new_customer()
    qtbot.waitUntil(lambda: form.isVisible() and form.login.hasFocus(), timeout=5000)
    _alt_reaches_fields(qtbot, form)
    _unique_in(window, language)
    client = window.session.client
    created = arun(client.create_customer(new_customer(sandbox, window.session,
                                                       surname="Літери", name="Форми")))
    edit = window.edit_customer(arun(client.get_customer(created.customer_guid)))
    qtbot.waitUntil(lambda: edit.isVisible() and not form.isVisible(), timeout=5000)
    edit.surname.setFocus()
    qtbot.waitUntil(edit.surname.hasFocus, timeout=5000)
    _alt_reaches_fields(qtbot, edit)
    _unique_in(window, language)


def test_customer_card_letters_are_unique_in_its_window(qtbot: Any, language: str,
                                                        main_window: Any, sandbox: Any,
                                                        arun: Any) -> None:
    from PySide6.QtWidgets import QPushButton

    from tests.ui.conftest import new_customer

    window = main_window
    client = window.session.client
    created = arun(client.create_customer(new_customer(sandbox, window.session,
                                                       surname="Літери", name="Картки")))
    card = window.open_customer(arun(client.get_customer(created.customer_guid)))
    qtbot.waitUntil(lambda: len(card.account_panels) == 1
                    and card.findChild(QPushButton, "requestChangeButton") is not None,
                    timeout=15000)
    for button in (card.open_account_button, card.account_panels[0].copy_button,
                   card.findChild(QPushButton, "requestChangeButton")):
        assert button.isVisibleTo(window) and mnemonic(button.text()), button.text()
    _unique_in(window, language)


def test_supervisor_card_letters_are_unique_in_its_window(qtbot: Any, ops: Any, sandbox: Any,
                                                          arun: Any, language: str) -> None:
    """A checker's card shows "Disable customer" where a maker's shows "Request a change…":
    it has an Alt+letter too, on no other control's key (the inbox dock and menus around)."""
    from PySide6.QtWidgets import QPushButton

    from tests.ui.conftest import make_window, new_customer, open_session

    session = open_session(arun, sandbox, "supervisor.kyiv@demo.bank")
    window = make_window(qtbot, ops, session, sandbox)
    try:
        client = window.session.client
        created = arun(client.create_customer(new_customer(sandbox, window.session,
                                                           surname="Літери", name="Нагляду")))
        card = window.open_customer(arun(client.get_customer(created.customer_guid)))
        def shown() -> bool:
            toggle = card.findChild(QPushButton, "toggleDisabledButton")
            return (len(card.account_panels) == 1 and toggle is not None
                    and toggle.isVisibleTo(window))

        qtbot.waitUntil(shown, timeout=15000)
        toggle = card.findChild(QPushButton, "toggleDisabledButton")
        assert mnemonic(toggle.text()), toggle.text()
        found = clashes(window)
        untranslated = {"&Approve", "&Reject", "&Disable customer", "&Enable customer"}
        english = {text for texts in found.values() for text in texts} & untranslated
        if language == "uk" and english:
            # English letters until teller_uk.ts has these texts (see the inbox test)
            assert {k: v for k, v in found.items() if not english & set(v)} == {}
            pytest.xfail(f"not translated yet: {sorted(english)}")
        assert found == {}, found
    finally:
        window._closing_for_sign_out = True
        ops.cancel_all()
        window.close()
        arun(window.shutdown())
