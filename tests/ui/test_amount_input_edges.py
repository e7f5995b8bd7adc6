"""Typed amounts read one way everywhere: ASCII digits, "." or "," as the decimal separator,
thousands grouped by a space (also no-break or narrow no-break) or, before a dot or in English
alone, a comma, in whole groups of three. English "1,000" is a thousand (as the field shows
1000: "1,000.00"); Ukrainian "1,000" is 1.000, refused (more than 2 decimals). Exponents,
underscores, other scripts' digits and misplaced groups are refused, never read as some other
number; an amount too long for Decimal's precision is stopped in the field and refused
elsewhere, and nothing raises. What worked before ("1 000,50", "1000.5", "1,000.50", NBSP
grouping, a trailing separator) goes out exactly as typed, in both languages. The cash dialog
against the real sandbox (no hub); the vault transfer dialog's refusals happen before anything
is sent, so its service only records what would have gone."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QLocale, Qt
from PySide6.QtGui import QKeyEvent, QValidator
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, client_for, new_customer

from teller_app.core.cash import AmountError, CashKind, CashService, parse_cash_amount
from teller_app.platform.models import Customer
from teller_app.ui.cash_amount_field import amount_field, set_amount_unit
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.money import format_number, parse_amount
from teller_app.ui.till_transfer import TransferDialog

UK = QLocale(QLocale.Language.Ukrainian, QLocale.Country.Ukraine)
EN = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
NBSP, NNBSP = "\u00a0", "\u202f"
TOO_LONG = "9" * 29  # past Decimal's 28 digits of precision

# What a teller types and what goes out, the same in both languages.
KEPT = [("1 000,50", Decimal("1000.50")), ("1000.5", Decimal("1000.5")),
        ("1,000.50", Decimal("1000.50")), (f"1{NBSP}000,50", Decimal("1000.50")),
        (f"1{NBSP}000{NBSP}000.25", Decimal("1000000.25")), ("1000,", Decimal("1000")),
        ("1000.", Decimal("1000")), ("1000,50", Decimal("1000.50")), ("1,5", Decimal("1.5")),
        ("0007", Decimal("7")), ("", Decimal(0)), ("-1,234.56", Decimal("-1234.56"))]
REFUSED = ["1 0,5", "10 00", "1,00.50", "1e3", "1E3", "１２３", "١٢٣", "1_000", "1.000,50",
           "1,000,5", "1 000,500", "0 500", ".", ",", "-", "1.005", "abc", TOO_LONG,
           "99999999999999", "99 999 999 999 999,00"]


def _parse(text: str, locale: QLocale) -> Decimal | None:
    """``parse_amount`` with 2 decimals, the desk in ``locale``'s language."""
    before = QLocale()
    QLocale.setDefault(locale)
    try:
        return parse_amount(text, 2)
    finally:
        QLocale.setDefault(before)


@pytest.mark.parametrize("locale", [EN, UK], ids=["en", "uk"])
@pytest.mark.parametrize(("typed", "value"), KEPT)
def test_what_worked_reads_exactly_as_before(locale: QLocale, typed: str, value: Decimal) -> None:
    parsed = _parse(typed, locale)
    assert parsed == value and str(parsed) == str(value)  # the very digits, not just equal


@pytest.mark.parametrize("locale", [EN, UK], ids=["en", "uk"])
@pytest.mark.parametrize("typed", REFUSED)
def test_malformed_or_too_long_amounts_are_refused(locale: QLocale, typed: str) -> None:
    assert _parse(typed, locale) is None


@pytest.mark.parametrize("locale", [EN, UK], ids=["en", "uk"])
def test_a_narrow_no_break_space_groups_thousands(locale: QLocale) -> None:
    assert _parse(f"1{NNBSP}000,50", locale) == Decimal("1000.50")
    assert _parse(f"12{NNBSP}345{NNBSP}678", locale) == Decimal("12345678")


def test_a_comma_alone_groups_thousands_in_english_only() -> None:
    for typed, value in [("1,000", "1000"), ("10,000", "10000"), ("1,000,000", "1000000"),
                         ("1,005", "1005")]:
        assert _parse(typed, EN) == Decimal(value), typed
        assert _parse(typed, UK) is None, typed  # 3 decimals: refused, never rounded
    assert _parse("1,50", EN) == Decimal("1.50")  # not three digits: the decimals
    assert _parse("0,500", EN) is None  # no thousand starts with 0: 3 decimals


def test_the_integer_digits_stop_at_thirteen() -> None:
    assert _parse("1000000000000", EN) == Decimal(10) ** 12  # the sandbox's cap
    assert _parse("9 999 999 999 999,99", UK) == Decimal("9999999999999.99")
    assert _parse("0" * 20 + "5", EN) == Decimal(5)  # leading zeros are no digits
    assert _parse("12345678901234", EN) is None


def test_an_amount_past_decimals_precision_never_raises() -> None:
    assert format_number(Decimal(TOO_LONG), 2, EN) == ",".join(["99"] + ["999"] * 9) + ".00"
    with pytest.raises(AmountError):
        parse_cash_amount(Decimal(TOO_LONG), 2)
    with pytest.raises(AmountError):
        parse_cash_amount(TOO_LONG, 2)


def _type(field: QLineEdit, text: str) -> None:
    """Key by key, as a keyboard sends it (QTest's key clicks take ASCII only)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(field, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                    Qt.KeyboardModifier.NoModifier, char))


def _state(field: QLineEdit, text: str) -> QValidator.State:
    validator = field.validator()
    assert validator is not None
    return validator.validate(text, len(text))[0]


def test_the_amount_field_takes_a_narrow_space_and_at_most_thirteen_digits(qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    field = amount_field(parent)
    set_amount_unit(field, 2)
    ok = QValidator.State.Acceptable
    for typed in ["1 000,50", f"1{NNBSP}000,50", f"1{NBSP}000.50", "1,000", "9" * 13,
                  "9999999999999,99", "1,000,000,000,000.00", "1000,", ""]:
        assert _state(field, typed) == ok, typed
    # a third decimal is taken, for the dialog to refuse in words (dropped, "1.500" was 1.50)
    assert _state(field, "9999999999999,999") == ok
    for typed in ["9" * 14, "99 999 999 999 999", "1e3", "１２３",
                  "1_000", "-5"]:
        assert _state(field, typed) == QValidator.State.Invalid, typed
    _type(field, TOO_LONG)
    assert field.text() == "9" * 13  # the fourteenth digit is not taken


# -- the cash dialog, typed key by key (real sandbox) -------------------------------------
clients: list[Any] = []


@pytest.fixture(autouse=True)
def _close_clients(arun: Any) -> Iterator[None]:
    yield
    while clients:
        arun(clients.pop().aclose())


@pytest.fixture(params=["english", "ukrainian"])
def language(request: pytest.FixtureRequest) -> str:
    request.getfixturevalue(request.param)
    return str(request.param)


def _dialog(qtbot: Any, ops: Any, sandbox: Any, arun: Any) -> CashDialog:
    if not clients:
        clients.append(arun(client_for(sandbox, TELLER)))
    client = clients[0]
    guid = arun(new_customer(client, sandbox))
    branch = sandbox.manifest["branches"][0]
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("100000000.00"))
    dialog = CashDialog(ops, service, Customer(wallet_user_guid=guid), CashKind.DEPOSIT)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    return dialog


def _amount_message() -> str:
    return QCoreApplication.translate(
        "CashDialog", "Enter a positive amount with at most %1 decimal places.").replace("%1", "2")


def test_typed_amounts_go_out_as_the_teller_saw_them(language: str, qtbot: Any, ops: Any,
                                                     sandbox: Any, arun: Any) -> None:
    sent = [("1 000,50", "1000.50"), (f"1{NNBSP}000,50", "1000.50"), ("1,000.50", "1000.50"),
            ("1000.5", "1000.50"), ("1000,", "1000.00")]
    if language == "english":
        sent.append(("1,000", "1000.00"))  # grouping, as the field shows a thousand
    for typed, value in sent:
        dialog = _dialog(qtbot, ops, sandbox, arun)
        dialog.amount.setFocus()
        _type(dialog.amount, typed)
        assert dialog.amount.text() == typed
        qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
        assert dialog.error.text() == ""
        dialog.create_button.click()
        qtbot.waitUntil(lambda d=dialog: d.draft is not None, timeout=10000)  # type: ignore[misc]
        assert dialog.draft is not None and dialog.draft.amount == Decimal(value), typed
        assert dialog.amount.text() == dialog._money(Decimal(value))


def test_refused_amounts_say_so_and_nothing_raises(language: str, qtbot: Any, ops: Any,
                                                   sandbox: Any, arun: Any) -> None:
    refused = ["1 0,5", "1,000,5", "12.345", "1.500", "0,125"] + (
        ["1,000"] if language == "ukrainian" else [])
    dialog = _dialog(qtbot, ops, sandbox, arun)
    dialog.amount.setFocus()
    for typed in refused:
        dialog.amount.clear()
        _type(dialog.amount, typed)
        assert dialog.amount.text() == typed
        assert dialog.amount_value() is None, typed
        assert dialog.error.text() == _amount_message(), typed  # in the desk's language
        assert not dialog.create_button.isEnabled(), typed
    dialog.amount.clear()
    _type(dialog.amount, TOO_LONG)  # raised "Something went wrong" on each key
    assert dialog.amount.text() == "9" * 13
    assert dialog.amount_value() == Decimal("9" * 13)
    dialog.amount.setText(TOO_LONG)  # not typed (the field's check is not asked): refused
    assert dialog.amount_value() is None
    assert dialog.error.text() == _amount_message()
    assert not dialog.create_button.isEnabled()


# -- the vault transfer dialog -------------------------------------------------------------
class RecordingTill:
    """Records what the dialog would ask the hub for, and fails it (nothing is filed)."""

    def __init__(self) -> None:
        self.asked: list[Decimal] = []

    async def request_transfer(self, direction: str, amount: Decimal,
                               transfer_id: str | None = None) -> Any:
        self.asked.append(amount)
        raise RuntimeError("not filed in this test")


def test_the_transfer_amount_takes_what_the_cash_amount_takes(language: str, qtbot: Any,
                                                              ops: Any) -> None:
    till = RecordingTill()
    dialog = TransferDialog(ops, till)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.amount.setFocus()
    for typed, shown in [("1e3", "13"), ("１２３", ""), ("1_000", "1000")]:
        dialog.amount.clear()
        _type(dialog.amount, typed)
        assert dialog.amount.text() == shown, typed  # the field's check, as the cash dialog's
    refused = QCoreApplication.translate("TransferDialog",
                                         "Type a positive amount with at most 2 decimals.")
    for typed in ["1e3", "１２３", "1_000", "1 0,5", TOO_LONG]:  # pasted past the check
        dialog.amount.setText(typed)
        dialog.send.click()
        assert dialog.status.text() == refused, typed
    assert till.asked == []
    typed = "1 000,50" if language == "ukrainian" else "1,000"
    dialog.amount.setText(typed)
    dialog.send.click()
    qtbot.waitUntil(lambda: bool(till.asked), timeout=5000)
    assert till.asked == [Decimal("1000.50") if language == "ukrainian" else Decimal("1000")]
    qtbot.waitUntil(lambda: not ops.is_busy(), timeout=5000)
