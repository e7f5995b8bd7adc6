"""The cash dialog keeps the payment's number (its short reference, selectable, the whole id in
its tip) once the draft is no longer one: after the confirm, after a confirm in doubt and
settled by reading, and after a refusal the platform made final — the teller reads it to the
customer without opening the receipt. Real sandbox (the ``confirm-failed-status`` dialect,
where a refused confirm turns the payment FAILED), real ``CashService``; a confirm's answer is
lost by a transport in front of the sandbox (``LateConfirm``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, employee
from test_cash_confirm_in_doubt import LateConfirm

from teller_app.core.cash import CashKind, CashService
from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.core.views import CustomerView
from teller_app.platform import PasswordLogin, PlatformClient, RetryPolicy
from teller_app.ui.cash_dialog import CashDialog
from tests.platform.sandbox_helpers import new_customer


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """This module's platform (``teller_session`` signs in to it)."""
    proc = start_sandbox(tmp_path_factory.mktemp("sb-payment-number"),
                         dialects=["confirm-failed-status"])
    yield proc
    proc.stop()


def _dialog(qtbot: Any, ops: Any, arun: Any, sandbox: SandboxProcess, client: PlatformClient,
            amount: str, **fields: Any) -> CashDialog:
    branch = sandbox.manifest["branches"][0]
    created = arun(client.create_customer(new_customer(sandbox, **fields)))
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    dialog = CashDialog(ops, service, CustomerView(created.customer_guid), CashKind.DEPOSIT)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    dialog.amount.setText(amount)
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None and dialog.confirm_button.isVisible(),
                    timeout=10000)
    return dialog


def _shows_the_number(dialog: CashDialog, draft_line: bool = False) -> None:
    assert dialog.draft is not None
    guid = dialog.draft.payment_guid
    ref = dialog.reference
    assert ref.isVisible()
    want = [f"Payment: {guid[:8]}"]
    assert ref.text().split("\n") == (["Draft created.", *want] if draft_line else want)
    assert ref.toolTip() == guid
    assert ref.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert ref.textFormat() == Qt.TextFormat.PlainText


def test_the_number_stays_after_the_confirm(qtbot: Any, ops: Any, arun: Any,
                                            sandbox: SandboxProcess, teller_session: Any,
                                            english: None) -> None:
    dialog = _dialog(qtbot, ops, arun, sandbox, teller_session.client, "150.00")
    with qtbot.waitSignal(dialog.receipt_shown, timeout=10000):
        dialog.confirm_button.click()
    assert dialog.receipt is not None and "Payment confirmed." in dialog.note.text()
    _shows_the_number(dialog)
    assert dialog.receipt_dialog is not None
    dialog.receipt_dialog.close()
    _shows_the_number(dialog)


def test_the_number_stays_through_a_confirm_in_doubt(qtbot: Any, ops: Any, arun: Any,
                                                     sandbox: SandboxProcess,
                                                     english: None) -> None:
    transport = LateConfirm()
    client = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                            auth=PasswordLogin(TELLER, employee(sandbox, TELLER)["password"]),
                            transport=transport, retry=RetryPolicy(attempts=1))
    arun(client.login())
    try:
        dialog = _dialog(qtbot, ops, arun, sandbox, client, "75.00")
        dialog.confirm_button.click()
        qtbot.waitUntil(lambda: dialog.in_doubt and dialog.check_button.isVisible(),
                        timeout=10000)
        _shows_the_number(dialog, draft_line=True)  # not known yet: still the draft's line
        ops.cancel_all()  # the automatic re-reads: the test reads once the confirm landed
        transport.release.set()
        qtbot.waitUntil(transport.landed.is_set, timeout=10000)
        with qtbot.waitSignal(dialog.confirmed, timeout=10000):
            dialog.check_button.click()
        assert dialog.receipt is not None and not dialog.in_doubt
        _shows_the_number(dialog)
        if dialog.receipt_dialog is not None:
            dialog.receipt_dialog.close()
    finally:
        arun(client.aclose())


def test_the_number_stays_after_a_final_refusal(qtbot: Any, ops: Any, arun: Any,
                                                sandbox: SandboxProcess, teller_session: Any,
                                                english: None) -> None:
    dialog = _dialog(qtbot, ops, arun, sandbox, teller_session.client, "100.00",
                     balance_allowed=Decimal("50.00"))  # past the cap: refused at confirm
    with qtbot.waitSignal(dialog.failed_final, timeout=10000):
        dialog.confirm_button.click()
    assert "final" in dialog.note.text()
    _shows_the_number(dialog)
