"""A deposit past the customer's ``balance_allowed`` is a warning in the cash dialog, never a
block: the docs give the field no semantics (§1.4; "inbound payments fail" is §7 #12 [A]).
The teller may create the draft; the platform decides, and its refusal (the default sandbox
refuses at confirm) is shown as any refusal. Real sandbox, real ``CashService``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from teller_app.core.cash import CashKind, CashService
from teller_app.core.cash_checks import Refusal, RefusalKind
from teller_app.core.views import CustomerView
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.cash_text import refusal_text
from tests.platform.sandbox_helpers import new_customer


def test_a_deposit_past_the_cap_is_warned_then_refused_by_the_platform(
        qtbot: Any, ops: Any, arun: Any, sandbox: Any, teller_session: Any) -> None:
    client = teller_session.client
    branch = sandbox.manifest["branches"][0]
    created = arun(client.create_customer(new_customer(sandbox,
                                                       balance_allowed=Decimal("50.00"))))
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    dialog = CashDialog(ops, service, CustomerView(created.customer_guid), CashKind.DEPOSIT)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)

    dialog.amount.setText("100.00")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)  # not blocked
    cap = refusal_text(Refusal(RefusalKind.BALANCE_ALLOWED, limit=Decimal("50.00")))
    assert dialog.caution.text() == cap and dialog.error.text() == ""
    dialog.amount.setText("40.00")  # under the cap: no warning
    qtbot.waitUntil(lambda: dialog.caution.text() == "", timeout=5000)
    dialog.amount.setText("100.00")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)

    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    assert not dialog.confirm_button.isHidden()  # under the threshold: the teller confirms
    dialog.confirm_button.click()
    refused = refusal_text(Refusal(RefusalKind.BALANCE_ALLOWED))  # the platform's, classified
    qtbot.waitUntil(lambda: dialog.error.text() == refused, timeout=10000)
    assert dialog.receipt is None

