"""A field's error reaches a screen reader (audit, a low-vision teller): the error shown under
a field is that field's accessible description (cleared once fixed, re-made in the language
switched to), and a message shown where the focus is not — the form's banner, the cash
dialog's refusal under the amount — is announced, each line once."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QLabel, QWidget

from teller_app.ui import announce

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import SUPERVISOR, TELLER, client_for, new_customer
from test_cash_day import _limit

BAD_IBAN = "UA21 3223 1300 0002 6007 2335 6600 2"  # checksum wrong
BAD_IBAN_UK = "Неправильна контрольна сума IBAN: перевірте цифри."
CHECK_FIELDS = "Check the highlighted fields."
BAD_AMOUNT = "Enter a positive amount with at most 2 decimal places."


@pytest.fixture()
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What was announced (the events still go to Qt as they would)."""
    heard: list[str] = []
    real = announce._send

    def send(event: Any) -> None:
        if announce.ANNOUNCEMENT is not None and isinstance(event, announce.ANNOUNCEMENT):
            heard.append(event.message())
        elif event.type() == QAccessible.Event.NameChanged:  # before Qt 6.8
            heard.append(event.object().text())
        real(event)

    monkeypatch.setattr(announce, "_send", send)
    return heard


def _descriptions_are_the_errors(form: Any) -> None:
    for key in form.errors:
        field = form.findChild(QWidget, f"field_{key}")
        assert field.accessibleDescription() == form.error_text(key), key


def test_form_errors_describe_their_fields_and_the_banner_is_said(  # type: ignore[no-untyped-def]
        qtbot, main_window, said) -> None:
    from teller_app.ui.settings import switch_language

    form = main_window.new_customer()
    form.phone.setText("12345")
    form.iban.setText(BAD_IBAN)
    form.submit()
    assert form.error_text("phone_number") and form.error_text("iban")
    _descriptions_are_the_errors(form)
    focused = form.focusWidget()  # the first field to fix: it says what is wrong
    assert focused is not None and focused.accessibleDescription(), focused
    assert said.count(CHECK_FIELDS) == 1

    form.phone.setText("+380 67 123 45 67")
    form.submit()
    assert form.phone.accessibleDescription() == "" and form.iban.accessibleDescription()
    _descriptions_are_the_errors(form)
    assert said.count(CHECK_FIELDS) == 2  # Save pressed again: said again
    try:
        switch_language("uk")
        qtbot.waitUntil(lambda: form.iban.accessibleDescription() == BAD_IBAN_UK,
                        timeout=5000)
        _descriptions_are_the_errors(form)
    finally:
        switch_language("en")


def test_cash_refusals_describe_the_amount_and_are_said_once(  # type: ignore[no-untyped-def]
        qtbot, ops, sandbox, arun, said) -> None:
    from teller_app.core.cash import CashKind, CashService
    from teller_app.platform.models import Customer
    from teller_app.ui.cash_dialog import CashDialog

    client = arun(client_for(sandbox, TELLER))
    sup = arun(client_for(sandbox, SUPERVISOR))
    try:
        branch = sandbox.manifest["branches"][0]
        service = CashService(client, branch["guid"], branch["processing_account_guid"],
                              Decimal("10000.00"))
        guid = arun(new_customer(client, sandbox))
        draft = arun(service.create(CashKind.DEPOSIT, guid, "1000.00"))
        arun(service.confirm(draft.payment_guid))
        account = arun(client.get_customer_accounts(guid))[0]
        arun(_limit(sup, guid, account, "period", max=Decimal("400"), period="day"))

        dialog = CashDialog(ops, service, Customer(wallet_user_guid=guid),
                            CashKind.WITHDRAWAL)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)

        def type_in(amount: str) -> None:
            dialog.amount.clear()
            qtbot.keyClicks(dialog.amount, amount)
            qtbot.waitUntil(lambda: not ops.is_busy(dialog._policy_key()), timeout=5000)

        type_in("1.5055")  # the error line appears at the third decimal, stays at the fourth
        assert dialog.error.text() == BAD_AMOUNT
        assert dialog.amount.accessibleDescription() == BAD_AMOUNT
        qtbot.waitUntil(lambda: said.count(BAD_AMOUNT) == 1, timeout=2000)  # said after the turn

        type_in("100")
        assert dialog.error.text() == "" and dialog.amount.accessibleDescription() == ""

        type_in("500")  # above the day's limit
        refusal = dialog.error.text()
        assert "limit per day" in refusal, refusal
        assert dialog.amount.accessibleDescription() == refusal
        qtbot.waitUntil(lambda: said.count(refusal) == 1, timeout=2000)
        for digit in ".11":  # more keystrokes the hub refuses alike: not said again
            qtbot.keyClicks(dialog.amount, digit)
            qtbot.waitUntil(lambda: not ops.is_busy(dialog._policy_key()), timeout=5000)
            assert dialog.error.text() == refusal
        assert said.count(refusal) == 1
    finally:
        arun(client.aclose())
        arun(sup.aclose())


def test_an_older_qt_hears_the_message_label_change(qtbot, said, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Without Qt 6.8's announcement event the label showing the message says its name
    changed, which a screen reader may read."""
    monkeypatch.setattr(announce, "ANNOUNCEMENT", None)
    label = QLabel("Check the highlighted fields.")
    qtbot.addWidget(label)
    announce.announce(label, label.text())
    announce.announce(label, "")  # nothing to say: nothing sent
    assert said == ["Check the highlighted fields."]


def test_a_refusal_taken_out_and_put_back_in_one_turn_is_said_once(  # type: ignore[no-untyped-def]
        qtbot, qapp, said) -> None:
    """The cash dialog takes the hub's refusal out and puts the same one back when the next
    keystroke's answer repeats it: a screen reader hears it once, and again only after it
    went away."""
    from PySide6.QtWidgets import QLineEdit

    from teller_app.ui.cash_dialog_lines import _line

    host = QWidget()
    qtbot.addWidget(host)
    field = QLineEdit(host)
    line = _line(host, "cashError", field=field)
    line.setText("The till is short.")
    qtbot.waitUntil(lambda: "The till is short." in said, timeout=2000)
    for _ in range(3):  # three keystrokes, the same answer: out and back in one turn
        line.setText("")
        line.setText("The till is short.")
        qapp.processEvents()
    assert said.count("The till is short.") == 1
    assert field.accessibleDescription() == "The till is short."
    line.clear()
    qapp.processEvents()
    line.setText("The till is short.")  # gone, then back: said again
    qtbot.waitUntil(lambda: said.count("The till is short.") == 2, timeout=2000)
