"""The cash dialog after a lost answer: the next Create reconciles with the same reference."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from teller_app.core.cash import CashContext, CashDraft, CashKind
from teller_app.core.cash_checks import CashFacts, SupervisorNeed
from teller_app.core.views import AccountView, AssetBalance, CustomerView
from teller_app.platform import Timeout, ValidationError
from teller_app.ui.cash_dialog import CashDialog


class FakeCash:
    gate = None  # no hub: no till to read

    def __init__(self, failures: list[BaseException]) -> None:
        self.failures = failures
        self.calls: list[dict[str, Any]] = []
        self.prepared_accounts: dict[str, Any] = {}

    async def prepare(self, kind, customer_guid):  # type: ignore[no-untyped-def]
        asset = AssetBalance(code="UAH", minor_unit=2, balance=Decimal("500.00"))
        account = AccountView("acc", iban="UA213223130000026007233566001", assets=(asset,))
        customer = CustomerView(customer_guid, surname="Тест", name="Ігор")
        return CashContext(kind, customer, account, asset,
                           CashFacts(kind.value, Decimal("500.00")))

    async def assess(self, context, amount):  # type: ignore[no-untyped-def]
        return SupervisorNeed(False)

    async def create(self, kind, customer_guid, amount, purpose="", *, nonce=None,  # type: ignore[no-untyped-def]
                     retry=False, accounts=None):
        self.calls.append({"amount": amount, "nonce": nonce, "retry": retry})
        if self.failures:
            raise self.failures.pop(0)
        return CashDraft("pay-1", kind, Decimal(amount), "UAH", customer_guid, "acc", False)


def _dialog(qtbot, ops, service):  # type: ignore[no-untyped-def]
    dialog = CashDialog(ops, service, CustomerView("c1"), CashKind.DEPOSIT)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=3000)
    dialog.amount.setText("100.00")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=3000)
    return dialog


def test_create_after_a_timeout_retries_the_same_draft(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    service = FakeCash([Timeout("read timed out")])
    dialog = _dialog(qtbot, ops, service)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=3000)
    assert dialog.amount.isReadOnly()  # what was sent cannot be changed: it may exist
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=3000)
    first, second = service.calls
    assert first["nonce"] and second["nonce"] == first["nonce"]
    assert (first["retry"], second["retry"]) == (False, True)


def test_a_refused_create_starts_afresh(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    service = FakeCash([ValidationError("amount too large")])
    dialog = _dialog(qtbot, ops, service)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=3000)
    assert not dialog.amount.isReadOnly()
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=3000)
    first, second = service.calls
    assert second["nonce"] != first["nonce"] and not second["retry"]
