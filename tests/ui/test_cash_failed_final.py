"""The cash dialog on a platform that fails a refused payment (§5.2 [A] FAILED; the sandbox's
``confirm-failed-status`` dialect): after the refusal the dialog says why and that it is
final, offers neither a second Confirm nor a Void, and closes without asking about a draft
left unconfirmed. Real sandbox, real ``CashService``."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from teller_app.core.cash import CashKind, CashService, ConfirmFailed
from teller_app.core.cash_checks import Refusal, RefusalKind
from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.core.views import CustomerView
from teller_app.ui.cash_dialog import CashDialog
from teller_app.ui.cash_text import refusal_text
from tests.platform.sandbox_helpers import new_customer


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """This module's platform (``teller_session`` signs in to it)."""
    proc = start_sandbox(tmp_path_factory.mktemp("sb-dialog-failed"),
                         dialects=["confirm-failed-status"])
    yield proc
    proc.stop()


def test_a_refused_deposit_the_platform_failed_is_shown_final(
        qtbot: Any, ops: Any, arun: Any, sandbox: SandboxProcess, teller_session: Any) -> None:
    client = teller_session.client
    branch = sandbox.manifest["branches"][0]
    created = arun(client.create_customer(new_customer(sandbox,
                                                       balance_allowed=Decimal("50.00"))))
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    dialog = CashDialog(ops, service, CustomerView(created.customer_guid), CashKind.DEPOSIT)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)
    dialog.amount.setText("100.00")  # past the cap: the platform refuses it at confirm
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=10000)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10000)
    assert dialog.confirm_button.isVisible()

    with qtbot.waitSignal(dialog.failed_final, timeout=10000) as failed:
        dialog.confirm_button.click()
    assert isinstance(failed.args[0], ConfirmFailed)
    assert dialog.error.text() == refusal_text(Refusal(RefusalKind.BALANCE_ALLOWED))
    assert "final" in dialog.note.text() and dialog.receipt is None
    for button in (dialog.confirm_button, dialog.void_button, dialog.check_button,
                   dialog.supervisor_button):
        assert not button.isVisible()
    assert not dialog.in_doubt
    close = dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
    assert close.isDefault()  # Enter closes: nothing left to do
    dialog.submit()  # Enter in a field: nothing left to send
    assert arun(client.get_payment(dialog.draft.payment_guid)).status_raw == "FAILED"
    dialog.reject()  # nothing to confirm or void: no question asked
    assert dialog.leave_prompt is None and not dialog.isVisible()


def test_a_failed_payment_reads_as_final_outside_the_dialog(qtbot) -> None:  # type: ignore[no-untyped-def]
    from teller_app.core.cash import ConfirmFailed
    from teller_app.ui.cash_text import cash_error_text

    text = cash_error_text(ConfirmFailed("0a1b2c3d-0000-4000-8000-000000000001"))
    assert "final" in text and "never confirmed" not in text  # the teller's words
