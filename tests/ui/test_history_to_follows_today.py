"""An account's history left open past midnight, against the real sandbox: with the date
filter on, a "to" still on the day the dialog opened moves to Kyiv's new day on Refresh
(and when the filter is turned on), so a payment made after midnight is listed; one the
teller picked stays. The dialog's clock is injected: opened at 23:50 Kyiv yesterday."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, client_for, new_customer

from teller_app.core.cash import CashKind, CashService
from teller_app.core.history import HistoryService
from teller_app.core.receipt import ReceiptContext
from teller_app.ui.history import HistoryDialog

KYIV = ZoneInfo("Europe/Kyiv")


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def test_to_follows_kyivs_new_day(qtbot: Any, ops: Any, sandbox: Any, arun: Any) -> None:
    client = arun(client_for(sandbox, TELLER))
    branch = sandbox.manifest["branches"][0]
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    guid = arun(new_customer(client, sandbox))
    made = arun(service.create(CashKind.DEPOSIT, guid, "125.00", "after midnight"))
    arun(service.confirm(made.payment_guid))
    account = arun(client.get_customer_accounts(guid))[0]
    clock = [datetime.combine(datetime.now(KYIV).date() - timedelta(days=1),
                              datetime.min.time(), KYIV).replace(hour=23, minute=50)]
    desk = ReceiptContext("Demo Bank", "Київ", "Касир", "Нагляд Тест", account.iban)
    dialog = HistoryDialog(ops, HistoryService(client, service.branch_guid),
                           account.wallet_account_guid, desk, now=lambda: clock[0])
    qtbot.addWidget(dialog)

    def listed() -> list[str]:
        return [r.payment.guid for r in dialog.model.rows]

    def settled() -> bool:
        return not dialog.model.loading and dialog.model.pager is not None \
            and dialog.model.pager.at_end

    try:
        qtbot.waitUntil(lambda: settled() and made.payment_guid in listed(), timeout=15000)
        dialog.use_dates.setChecked(True)  # yesterday's dates: today's payment is not in
        qtbot.waitUntil(lambda: settled() and not listed(), timeout=15000)
        assert _day(dialog.date_to.date()) == clock[0].date()

        clock[0] = datetime.now(KYIV)  # past midnight: Refresh
        dialog.refresh_button.click()
        qtbot.waitUntil(settled, timeout=15000)
        assert made.payment_guid in listed()  # the payment made after midnight
        assert _day(dialog.date_to.date()) == clock[0].date()
        assert dialog.model.filters.date_to is not None
        assert dialog.model.filters.date_to.date() == clock[0].date()

        # turned off and on again the next day: "to" follows too
        dialog.use_dates.setChecked(False)
        qtbot.waitUntil(settled, timeout=15000)
        clock[0] += timedelta(days=1)
        dialog.use_dates.setChecked(True)
        qtbot.waitUntil(settled, timeout=15000)
        assert _day(dialog.date_to.date()) == clock[0].date()

        # a "to" the teller picked is theirs: the next day's Refresh leaves it
        dialog.date_to.setDate(QDate(2026, 1, 15))
        clock[0] += timedelta(days=1)
        dialog.refresh_button.click()
        qtbot.waitUntil(settled, timeout=15000)
        assert _day(dialog.date_to.date()) == date(2026, 1, 15)
    finally:
        arun(client.aclose())
