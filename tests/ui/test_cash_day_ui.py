"""The cash day at the desk against the real sandbox: the dialog before submit (limits, balance
after, supervisor line, specific refusals), Enter to submit, a lost confirm answer, the receipt
(PDF text read back with pdftotext) and the account history's paging, filters, offline copy
and CSV export."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import SUPERVISOR, TELLER, client_for, employee, new_customer
from test_cash_day import LoseConfirmAnswer, _limit

from teller_app.core.cash import CashKind, CashService
from teller_app.core.history import HistoryMemory, HistoryService
from teller_app.core.receipt import ReceiptContext, build_receipt
from teller_app.platform import PasswordLogin, PlatformClient
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.history import HistoryDialog
from teller_app.ui.receipt import write_pdf

HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
DESK = ReceiptContext("Demo Bank", "Київ, Хрещатик", "Касир Олена", "", "")


def _service(client: Any, sandbox: Any) -> CashService:
    branch = sandbox.manifest["branches"][0]
    return CashService(client, branch["guid"], branch["processing_account_guid"],
                       Decimal("10000.00"))


def _dialog(qtbot: Any, ops: Any, service: CashService, guid: str,
            kind: CashKind) -> CashDialog:
    from teller_app.platform.models import Customer

    dialog = CashDialog(ops, service, Customer(wallet_user_guid=guid), kind, desk=DESK)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    return dialog


def _type(qtbot: Any, dialog: CashDialog, amount: str) -> None:
    dialog.amount.clear()
    qtbot.keyClicks(dialog.amount, amount)
    qtbot.waitUntil(lambda: not dialog.ops.is_busy(dialog._policy_key()), timeout=5000)


def _texts(dialog: CashDialog) -> str:
    from PySide6.QtWidgets import QLabel

    return "\n".join(label.text() for label in dialog.findChildren(QLabel))


def test_deposit_then_withdrawal_under_threshold_with_enter(qtbot, ops, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    client = arun(client_for(sandbox, TELLER))
    guid = arun(new_customer(client, sandbox))
    service = _service(client, sandbox)

    dialog = _dialog(qtbot, ops, service, guid, CashKind.DEPOSIT)
    assert dialog.customer_label.text() == "Нагляд Тест"
    assert "••••" in dialog.account_label.text()
    assert dialog.balance_label.text() == "0.00\u00a0UAH"
    assert dialog.limits_label.text() == "No limits set."
    _type(qtbot, dialog, "150.5")
    assert dialog.after_label.text() == "150.50\u00a0UAH"
    assert dialog.supervisor_label.text().startswith("No")
    height = dialog.height()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # Enter creates the draft ...
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    assert dialog.confirm_button.isVisible() and dialog.height() >= height
    ref = dialog.reference
    qtbot.waitUntil(lambda: ref.height() >= ref.heightForWidth(ref.width()) > 0, timeout=3000)
    assert ref.visibleRegion().boundingRect().height() >= ref.heightForWidth(ref.width())
    with qtbot.waitSignal(dialog.receipt_shown, timeout=10000) as shown:
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # ... and Enter confirms it
    receipt = shown.args[0]
    assert receipt.amount == Decimal("150.50") and receipt.kind == "deposit"
    assert receipt.customer == "Нагляд Тест" and receipt.iban_masked.startswith("UA")
    texts = _texts(dialog)
    assert "CONFIRMED" not in texts and "Payment confirmed." in dialog.note.text()
    assert not HEX64.search(texts)  # no bare hash as the result
    dialog.close()

    dialog = _dialog(qtbot, ops, service, guid, CashKind.WITHDRAWAL)
    assert dialog.balance_label.text() == "150.50\u00a0UAH"
    _type(qtbot, dialog, "200")
    assert "Not enough money on the account." in dialog.error.text()
    assert not dialog.create_button.isEnabled()
    _type(qtbot, dialog, "50.25")
    assert dialog.after_label.text() == "100.25\u00a0UAH" and not dialog.error.text()
    dialog.create_button.click()
    qtbot.waitUntil(dialog.confirm_button.isVisible, timeout=10000)
    with qtbot.waitSignal(dialog.confirmed, timeout=10000):
        dialog.confirm_button.click()
    assert arun(client.get_customer_accounts(guid))[0].assets[0].balance == Decimal("100.25")
    arun(client.aclose())


def test_closing_with_an_unconfirmed_draft_asks_first(qtbot, ops, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    client = arun(client_for(sandbox, TELLER))
    guid = arun(new_customer(client, sandbox))
    dialog = _dialog(qtbot, ops, _service(client, sandbox), guid, CashKind.DEPOSIT)
    _type(qtbot, dialog, "42")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # the draft is created
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    prompt = dialog.leave_prompt
    assert isinstance(prompt, QMessageBox) and prompt.isVisible() and dialog.isVisible()
    # no Teller Hub here: no till, so no till close to void the draft
    assert "no money has moved" in prompt.text() and "till" not in prompt.text()
    prompt.defaultButton().click()  # Keep working: nothing is lost
    assert dialog.isVisible() and dialog.draft is not None
    dialog.reject()
    leave = [b for b in dialog.leave_prompt.buttons()
             if dialog.leave_prompt.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole]
    leave[0].click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)


def test_over_threshold_says_a_supervisor_is_needed(qtbot, ops, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    client = arun(client_for(sandbox, TELLER))
    guid = arun(new_customer(client, sandbox))
    dialog = _dialog(qtbot, ops, _service(client, sandbox), guid, CashKind.DEPOSIT)
    _type(qtbot, dialog, "12.345")  # a third place is taken, and refused in words
    assert dialog.amount.text() == "12.345" and not dialog.create_button.isEnabled()
    assert "2 decimal places" in dialog.error.text()
    _type(qtbot, dialog, "10000.01")
    assert dialog.supervisor_label.text() == "Yes: above 10,000.00\u00a0UAH, a supervisor confirms."
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    assert dialog.draft.needs_supervisor and not dialog.confirm_button.isVisible()
    arun(client.aclose())


def test_each_limit_refusal_is_named_before_submit(qtbot, ops, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    client = arun(client_for(sandbox, TELLER))
    sup = arun(client_for(sandbox, SUPERVISOR))
    service = _service(client, sandbox)
    guid = arun(new_customer(client, sandbox))
    draft = arun(service.create(CashKind.DEPOSIT, guid, "1000.00"))
    arun(service.confirm(draft.payment_guid))
    account = arun(client.get_customer_accounts(guid))[0]
    arun(_limit(sup, guid, account, "operation", min=Decimal("5"), max=Decimal("300")))
    arun(_limit(sup, guid, account, "period", max=Decimal("400"), period="week"))
    out = arun(service.create(CashKind.WITHDRAWAL, guid, "250.00"))
    arun(service.confirm(out.payment_guid))

    dialog = _dialog(qtbot, ops, service, guid, CashKind.WITHDRAWAL)
    lines = dialog.limits_label.text().splitlines()
    assert lines == [
        "Per operation: more than 5.00\u00a0UAH and less than 300.00\u00a0UAH",
        "Per week: less than 400.00\u00a0UAH in total; 250.00\u00a0UAH used, "
        "150.00\u00a0UAH left"]
    for amount, text in (
        ("5", "Below the customer's per-operation minimum: must be more than 5.00\u00a0UAH."),
        ("300", "Above the customer's per-operation maximum: must be less than "
                "300.00\u00a0UAH."),
        ("150", "The customer's limit per week would be exceeded (less than 400.00\u00a0UAH "
                "in total)."),
        ("900", "Not enough money on the account."),
    ):
        _type(qtbot, dialog, amount)
        assert text in dialog.error.text().splitlines(), (amount, dialog.error.text())
        assert not dialog.create_button.isEnabled()
    _type(qtbot, dialog, "149.99")
    assert dialog.error.text() == "" and dialog.create_button.isEnabled()

    # The platform's own refusal at confirm is just as specific (a limit set meanwhile).
    dialog.create_button.click()
    qtbot.waitUntil(dialog.confirm_button.isVisible, timeout=10000)
    arun(_limit(sup, guid, account, "period", max=Decimal("300"), period="day"))
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=10000)
    assert dialog.error.text() == (
        "The customer's limit per day would be exceeded.")
    arun(client.aclose())
    arun(sup.aclose())


def test_a_lost_confirm_answer_shows_the_receipt_once(qtbot, ops, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    transport = LoseConfirmAnswer()
    lossy = PlatformClient(sandbox.base_url, sandbox.counterparty_guid, transport=transport,
                           auth=PasswordLogin(TELLER, employee(sandbox, TELLER)["password"]))
    client = arun(client_for(sandbox, TELLER))
    guid = arun(new_customer(client, sandbox))
    dialog = _dialog(qtbot, ops, _service(lossy, sandbox), guid, CashKind.DEPOSIT)
    _type(qtbot, dialog, "42.42")
    dialog.create_button.click()
    qtbot.waitUntil(dialog.confirm_button.isVisible, timeout=10000)
    with qtbot.waitSignal(dialog.confirmed, timeout=10000) as confirmed:
        dialog.confirm_button.click()
    assert confirmed.args[0].reconciled and transport.confirms == 1
    assert "was not sent again" in dialog.note.text()
    assert dialog.receipt_button.isVisible() and not dialog.confirm_button.isVisible()
    assert arun(client.get_customer_accounts(guid))[0].assets[0].balance == Decimal("42.42")
    arun(lossy.aclose())
    arun(client.aclose())


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=30).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="pdftotext (Debian poppler-utils) is not installed; "
                           "packaging/bootstrap.sh test installs it")
def test_receipt_pdf_carries_the_amount_in_words(qtbot, sandbox, arun, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = arun(client_for(sandbox, TELLER))
    service = _service(client, sandbox)
    guid = arun(new_customer(client, sandbox))
    draft = arun(service.create(CashKind.DEPOSIT, guid, "1234.56"))
    payment = arun(service.confirm(draft.payment_guid)).payment
    desk = ReceiptContext("Demo Bank", "Київ, Хрещатик", "Касир Олена", "Нагляд Тест",
                          "UA213223130000026007233566001")
    for lang, words in (("uk", "Одна тисяча двісті тридцять чотири гривні, 56 копійок"),
                        ("en", "One thousand two hundred and thirty-four hryvnias, "
                               "56 kopiykas")):
        path = write_pdf(build_receipt(payment, desk, lang), tmp_path / f"r-{lang}.pdf")
        assert path.stat().st_mode & 0o777 == 0o600
        raw = _pdf_text(path)
        text = " ".join(raw.split())
        assert words in text.replace("- ", "-"), text  # "thirty-" may end a line
        compact = "".join(raw.split())  # long ids may wrap
        assert payment.guid in compact and payment.stellar_hash in compact
        for expected in ("UA21 •••• 6001",
                         "Нагляд Тест", "Касир Олена", "Київ, Хрещатик"):
            assert expected in text, (expected, text)
    arun(client.aclose())


class _Offline(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)


def test_history_pages_filters_offline_and_export(qtbot, ops, sandbox, arun, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = arun(client_for(sandbox, TELLER))
    service = _service(client, sandbox)
    guid = arun(new_customer(client, sandbox))
    for n in range(7):
        kind = CashKind.WITHDRAWAL if n % 2 else CashKind.DEPOSIT
        amount = f"{100 + n}.00" if n % 2 else f"{300 + n}.00"
        draft = arun(service.create(kind, guid, amount, "=cmd|' /C calc'!A0"))
        if n < 6:
            arun(service.confirm(draft.payment_guid))
    account = arun(client.get_customer_accounts(guid))[0]
    memory = HistoryMemory()
    history = HistoryService(client, service.branch_guid, memory)
    desk = ReceiptContext("Demo Bank", "Київ", "Касир", "Нагляд Тест", account.iban)
    dialog = HistoryDialog(ops, history, account.wallet_account_guid, desk, page_size=3)
    qtbot.addWidget(dialog)
    model = dialog.model
    qtbot.waitUntil(lambda: len(model.rows) == 3, timeout=10000)
    assert model.canFetchMore()
    model.fetchMore()
    qtbot.waitUntil(lambda: len(model.rows) == 6, timeout=10000)
    model.fetchMore()
    qtbot.waitUntil(lambda: len(model.rows) == 7 and not model.loading, timeout=10000)
    assert not model.canFetchMore() and model.pager.total == 7
    assert model.cells(model.rows[0])[1:4] == ["Cash deposit", "306.00\u00a0UAH",
                                               "Draft, not confirmed"]
    assert model.cells(model.rows[1])[2] == "-105.00\u00a0UAH"
    assert "7 of 7 payments" in dialog.as_of.text()

    dialog.status.setCurrentIndex(dialog.status.findData("CONFIRMED"))
    qtbot.waitUntil(lambda: len(model.rows) == 3 and model.rows[0].payment.amount
                    == Decimal("105.00"), timeout=10000)

    # Category: cash withdrawals (02) only.
    qtbot.waitUntil(lambda: dialog.category.count() > 2, timeout=10000)
    dialog.category.setCurrentIndex(next(
        i for i in range(dialog.category.count())
        if dialog.category.itemText(i).startswith("02 ")))
    qtbot.waitUntil(lambda: not model.loading and len(model.rows) == 3
                    and all(not r.incoming for r in model.rows), timeout=10000)
    assert {r.payment.category for r in model.rows} == {"02"}
    dialog.category.setCurrentIndex(0)
    qtbot.waitUntil(lambda: not model.loading and len(model.rows) == 3
                    and model.rows[0].payment.amount == Decimal("105.00"), timeout=10000)

    # A date range: up to today (Kyiv) keeps them, a range in the past has none.
    dialog.use_dates.setChecked(True)
    qtbot.waitUntil(lambda: not model.loading and len(model.rows) == 3, timeout=10000)
    dialog.date_from.setDate(dialog.date_to.date().addDays(-401))
    dialog.date_to.setDate(dialog.date_to.date().addDays(-400))
    qtbot.waitUntil(lambda: not model.loading and model.rows == [], timeout=10000)
    assert model.pager.total == 0
    dialog.use_dates.setChecked(False)
    qtbot.waitUntil(lambda: not model.loading and len(model.rows) == 3, timeout=10000)

    # Open a confirmed payment and reprint its receipt.
    dialog.open_payment(0)
    dialog.detail.receipt_button.click()
    qtbot.waitUntil(lambda: dialog.detail.receipt_dialog is not None, timeout=10000)
    receipt = dialog.detail.receipt_dialog.receipt
    assert receipt.amount == Decimal("105.00") and receipt.customer == "Нагляд Тест"

    # Export: formula-safe cells, amounts plain numbers, owner-only file.
    path = tmp_path / "history.csv"
    with qtbot.waitSignal(dialog.exported, timeout=10000):
        dialog.export_to(str(path))
    text = path.read_text(encoding="utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in text and ",=cmd" not in text
    assert ",-105.00,UAH," in text and path.stat().st_mode & 0o777 == 0o600

    # Offline: the same account and filters come from what was fetched, marked "as of".
    down = PlatformClient(sandbox.base_url, sandbox.counterparty_guid, transport=_Offline(),
                          auth=PasswordLogin(TELLER, employee(sandbox, TELLER)["password"]))
    offline = HistoryDialog(ops, HistoryService(down, service.branch_guid, memory),
                            account.wallet_account_guid, desk, page_size=3)
    qtbot.addWidget(offline)
    offline.status.setCurrentIndex(offline.status.findData("CONFIRMED"))
    qtbot.waitUntil(lambda: offline.model.offline_as_of is not None, timeout=10000)
    assert len(offline.model.rows) == 3 and offline.as_of.text().startswith("Offline: as of")
    assert not offline.model.canFetchMore()
    arun(down.aclose())
    arun(client.aclose())


def test_the_card_opens_the_account_history(qtbot, main_window, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QPushButton

    from teller_app.platform.models import Customer

    client = arun(client_for(sandbox, TELLER))
    guid = arun(new_customer(client, sandbox))
    service = _service(client, sandbox)
    draft = arun(service.create(CashKind.DEPOSIT, guid, "12.34"))
    arun(service.confirm(draft.payment_guid))
    card = main_window.open_customer(Customer(wallet_user_guid=guid, status="active"))
    qtbot.waitUntil(lambda: card.findChild(QPushButton, "accountHistoryButton") is not None
                    and len(card.accounts) == 1, timeout=10000)
    card.findChild(QPushButton, "accountHistoryButton").click()
    qtbot.waitUntil(lambda: main_window.findChild(HistoryDialog) is not None, timeout=5000)
    dialog = main_window.findChild(HistoryDialog)
    qtbot.waitUntil(lambda: len(dialog.model.rows) == 1, timeout=10000)
    assert dialog.model.rows[0].payment.guid == draft.payment_guid
    assert dialog.desk.customer == "Нагляд Тест" and dialog.desk.teller
    dialog.close()
    arun(client.aclose())
