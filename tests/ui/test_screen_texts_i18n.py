"""What the auditor found on screen in Ukrainian (and English), checked on the real widgets:
a change request names its fields and amounts in words and money; Settings keeps its note
out of the form rows and shows the threshold as money; date boxes show dd.MM.yyyy in both
languages and follow a live switch; date-time columns hold a date on one line;
pydantic's and the file parser's English stay out of the message texts; the history says
when it was fetched in Kyiv time; counted messages use the language's plural forms."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QRect, QTranslator
from PySide6.QtWidgets import QLayout, QWidget

from teller_app.platform.hub_models import AuditRecord, Policy
from teller_app.secrets import Profile, ProfileStore
from teller_app.ui.audit_view import AuditView, when
from teller_app.ui.change_request_dialog import describe_change
from teller_app.ui.filter_bar import FilterBar
from teller_app.ui.local_time import local_clock_text
from teller_app.ui.money import format_money
from teller_app.ui.profile_manager import ProfileManagerDialog
from teller_app.ui.settings import SettingsDialog, switch_language
from tests.ui.recovery_box import unreadable_profiles_box

NBSP = "\u00a0"


def _switch(qapp: Any, lang: str) -> Iterator[str]:
    from teller_app.ui.i18n import install_translators

    before, earlier = QLocale(), set(qapp.findChildren(QTranslator))
    installed = install_translators(qapp, lang)
    if lang == "uk":
        assert installed, "compile the translations: packaging/build_translations.py"
    yield lang
    for translator in set(qapp.findChildren(QTranslator)) - earlier:
        qapp.removeTranslator(translator)
    QLocale.setDefault(before)


@pytest.fixture()
def ukrainian(qapp: Any) -> Iterator[str]:
    yield from _switch(qapp, "uk")


@pytest.fixture()
def english(qapp: Any) -> Iterator[str]:
    yield from _switch(qapp, "en")


# -- a change request, as the approver reads it ------------------------------------------
def test_a_change_names_its_fields_and_amounts_in_words(ukrainian: str) -> None:
    assert describe_change({"name": "Іван", "surname": "Петренко"}) == (
        "ім’я → Іван; прізвище → Петренко")
    text = describe_change({"phone_number": "+380501234567", "status": "blocked"})
    assert text.startswith("телефон → +380501234567; ") and "phone_number" not in text
    # a limit in the currency the request names; none named: the amount alone (as the card)
    assert describe_change({"balance_allowed": "150000.50", "balance_asset_code": "UAH"}) \
        .endswith(f"150{NBSP}000,50{NBSP}₴")
    assert describe_change({"balance_allowed": "150000.50"}).endswith(f"150{NBSP}000,50")
    cash = describe_change({"amount": "150000.50", "currency": "UAH", "payment_guid": "p-1"})
    assert cash.endswith(f"150{NBSP}000,50{NBSP}₴") and "UAH" not in cash


def test_an_amount_without_a_currency_is_hryvnia(english: str) -> None:
    assert describe_change({"amount": "150000.50"}) == (
        f"confirm a cash payment of 150,000.50{NBSP}UAH")


# -- Settings -------------------------------------------------------------------------
def _rect(widget: QWidget, top: QWidget) -> QRect:
    return QRect(widget.mapTo(top, widget.rect().topLeft()), widget.size())


def test_settings_note_is_below_the_rows_and_the_threshold_is_money(
        qtbot: Any, ops: Any, ukrainian: str) -> None:
    dialog = SettingsDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not ops.is_busy("settings-read"), timeout=5000)
    assert dialog.layout().sizeConstraint() == QLayout.SizeConstraint.SetMinimumSize
    note = dialog.language_note
    assert note.text().startswith("Головне вікно") and "\n" not in note.text()
    assert note.wordWrap() and dialog.desk_box.layout().indexOf(note) == -1
    qtbot.waitUntil(lambda: note.height() >= note.heightForWidth(note.width()), timeout=2000)
    # no row of the form is painted over by the note, at the size the dialog opened with
    for row in dialog.desk_box.findChildren(QWidget):
        if row.isVisible():
            assert not _rect(row, dialog).intersects(_rect(note, dialog)), row
    dialog._policy(Policy(cash_threshold="10000.00", cash_currency="UAH"))
    assert dialog.threshold_value.text() == f"10{NBSP}000,00{NBSP}₴"


def test_settings_threshold_from_the_profile_is_money(qtbot: Any, ops: Any,
                                                      english: str) -> None:
    from teller_app.ui.settings import _amount

    assert _amount(Decimal("25000.5")) == f"25,000.50{NBSP}UAH"
    assert _amount("99999999999999.99") == f"99,999,999,999,999.99{NBSP}UAH"  # no float


# -- dates --------------------------------------------------------------------------
def test_date_boxes_show_the_full_year_and_follow_a_live_switch(
        qtbot: Any, ops: Any, ukrainian: str) -> None:
    audit = AuditView(lambda: None, ops)
    bar = FilterBar()
    for widget in (audit, bar):
        qtbot.addWidget(widget)
    boxes = [audit.date_from, audit.date_to, bar.created_from, bar.updated_to]
    assert {box.displayFormat() for box in boxes} == {"dd.MM.yyyy"}
    assert re.fullmatch(r"\d\d\.\d\d\.20\d\d", audit.date_to.text())
    try:
        switch_language("en")
        bar.retranslate()  # as its window does on the switch
        # the desk's one format in both languages (``local_time.DATE_FORMAT``)
        assert {box.displayFormat() for box in boxes} == {"dd.MM.yyyy"}
        assert re.fullmatch(r"\d\d\.\d\d\.20\d\d", audit.date_to.text())
    finally:
        switch_language("uk")


def test_the_audit_when_column_holds_a_date_time_on_one_line(
        qtbot: Any, ops: Any, english: str) -> None:
    audit = AuditView(lambda: None, ops)
    qtbot.addWidget(audit)
    entry = AuditRecord(seq=12, ts_ms=int(datetime(2026, 12, 4, 18, 29, 20,
                                                   tzinfo=UTC).timestamp() * 1000),
                        actor="a@bank.ua", action="sign_in")
    audit.model.set_entries([entry])
    audit.resize(900, 400)
    audit.show()
    metrics = audit.table.fontMetrics()
    assert audit.table.columnWidth(1) >= metrics.horizontalAdvance(when(entry)) + 4
    assert audit.table.columnWidth(0) < metrics.horizontalAdvance("When (Kyiv)")  # "#"


# -- messages in the administrator's language ---------------------------------------
def test_a_profile_too_long_is_said_in_ukrainian(qtbot: Any, ops: Any,
                                                 ukrainian: str) -> None:
    manager = ProfileManagerDialog(ops, ProfileStore())
    qtbot.addWidget(manager)
    form = manager.form
    form.name_edit.setText("б" * 101)
    form.url_edit.setText("https://dcm.bank.example")
    form.counterparty_edit.setText("cp-1")
    with pytest.raises(ValueError) as caught:
        form.profile()
    text = str(caught.value)
    assert "String should" not in text  # pydantic's own words
    assert text.startswith("Назва: ") and "100" in text
    assert text == "Назва: " + form.tr("must be at most %n characters.", "", 100)


def test_a_profile_too_long_names_the_limit(qtbot: Any, ops: Any, english: str) -> None:
    manager = ProfileManagerDialog(ops, ProfileStore())
    qtbot.addWidget(manager)
    form = manager.form
    for edit, text in ((form.name_edit, "b" * 101), (form.url_edit, "https://dcm.bank.example"),
                       (form.counterparty_edit, "cp-1")):
        edit.setText(text)
    with pytest.raises(ValueError, match=r"^Name: must be at most 100 characters\.$"):
        form.profile()


def test_an_unreadable_profiles_file_keeps_the_parser_s_words_in_the_details(
        qtbot: Any, qloop: Any, ukrainian: str) -> None:
    box = unreadable_profiles_box(qtbot, qloop, "uk")
    try:
        shown = box.text() + box.informativeText()
        assert "Expecting" not in shown and "line 1" not in shown  # json's English
        assert box.informativeText()  # a summary in words
        assert "Expecting" in box.detailedText()  # for IT, under "Show Details…"
    finally:
        box.close()


# -- Kyiv time and plurals in the history and the profile manager --------------------
ENGLISH_PLURALS = {
    "HistoryDialog": ("%n payments, fetched at %1",
                      ("%n payment, fetched at %1", "%n payments, fetched at %1")),
    "ProfileManagerDialog": ("%n profiles exported to {path} (no passwords).",
                             ("%n profile exported to {path} (no passwords).",
                              "%n profiles exported to {path} (no passwords).")),
}


@pytest.fixture()
def english_plurals(qapp: Any, english: str, tmp_path: Path) -> Iterator[None]:
    """A translator with only these messages' English forms (teller_en.ts gets them when the
    translations are next extracted): "1 payments" shows unless the code asks for a plural."""
    from xml.sax.saxutils import escape

    contexts = "".join(
        f"<context><name>{name}</name><message numerus=\"yes\"><source>{escape(source)}"
        f"</source><translation><numerusform>{escape(one)}</numerusform><numerusform>"
        f"{escape(many)}</numerusform></translation></message></context>"
        for name, (source, (one, many)) in ENGLISH_PLURALS.items())
    ts = tmp_path / "plurals_en.ts"
    ts.write_text('<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" '
                  f'language="en">{contexts}</TS>', encoding="utf-8")
    tool = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run([str(tool), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True,
                   capture_output=True, timeout=60)
    translator = QTranslator(qapp)
    assert translator.load(str(ts.with_suffix(".qm")))
    qapp.installTranslator(translator)
    yield
    qapp.removeTranslator(translator)


def test_profiles_exported_counts_in_the_singular(qtbot: Any, ops: Any, english_plurals: None,
                                                  tmp_path: Path) -> None:
    store = ProfileStore()
    store.save(Profile(name="prod", base_url="https://dcm.bank.example",
                       counterparty_guid="cp-1", email="me@bank.ua", spki_pins=[]))
    manager = ProfileManagerDialog(ops, store)
    qtbot.addWidget(manager)
    qtbot.waitUntil(lambda: len(manager.profiles) == 1, timeout=5000)
    manager.export_to(tmp_path / "out.json")
    qtbot.waitUntil(lambda: "exported" in manager.message.text(), timeout=5000)
    assert manager.message.text().startswith("1 profile exported to ")


def test_history_fetched_at_is_kyiv_time_and_the_count_is_plural(
        qtbot: Any, ops: Any, sandbox: Any, arun: Any, english_plurals: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers
    from test_approvals_helpers import TELLER, client_for, new_customer

    from teller_app.core.cash import CashKind, CashService
    from teller_app.core.history import HistoryMemory, HistoryService
    from teller_app.core.receipt import ReceiptContext
    from teller_app.ui.history import HistoryDialog
    from teller_app.ui.history_model import date_cell

    # a computer far from Kyiv: its zone must not show
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        branch = sandbox.manifest["branches"][0]
        client = arun(client_for(sandbox, TELLER))
        service = CashService(client, branch["guid"], branch["processing_account_guid"],
                              Decimal("10000.00"))
        guid = arun(new_customer(client, sandbox))
        draft = arun(service.create(CashKind.DEPOSIT, guid, "101.25"))
        arun(service.confirm(draft.payment_guid))
        account = arun(client.get_customer_accounts(guid))[0]
        desk = ReceiptContext("Demo Bank", "Київ", "Касир", "Клієнт", account.iban)
        dialog = HistoryDialog(ops, HistoryService(client, branch["guid"], HistoryMemory()),
                               account.wallet_account_guid, desk)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: len(dialog.model.rows) == 1 and bool(dialog.as_of.text()),
                        timeout=10000)
        stamp = local_clock_text(datetime.fromtimestamp(dialog.model.fetched_at or 0, UTC))
        assert dialog.as_of.text().endswith(f"fetched at {stamp}")
        if dialog.model.pager is None or dialog.model.pager.total is None:
            assert dialog.as_of.text().startswith("1 payment, ")
        assert dialog.date_from.displayFormat() == "dd.MM.yyyy"
        cell = date_cell(dialog.model.rows[0].payment.created_at)
        assert dialog.table.columnWidth(0) >= dialog.table.fontMetrics().horizontalAdvance(
            cell) + 4
        assert format_money(Decimal("101.25"), 2, "UAH") in dialog.model.cells(
            dialog.model.rows[0])[2]
    finally:
        monkeypatch.undo()
        time.tzset()
