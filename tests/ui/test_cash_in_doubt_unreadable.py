"""A cash confirm whose answer was lost is "most likely not confirmed" only when the platform
actually read the payment back as a draft well after the lost answer. A platform that answers
no read at all (the confirm landed on DCM, its answer withheld, then DCM hangs) says nothing
of the payment: the dialog says it is not known, keeps Check again and offers no Void (the
payment may be CONFIRMED). Real sandbox + hub (SQLite) over HTTP; the answer is withheld by
a TCP proxy (``GatedProxy``) and the sandbox is stopped (SIGSTOP, always SIGCONT after)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hub"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))

from fe_helpers import ADMIN, open_cash_desk, password_of, start_fe_hub
from gated_proxy import GatedProxy
from hub_proc import PASSWORD, add_employee, branches
from test_cash_confirm_in_doubt import LateConfirm
from till_helpers import customer

from teller_app.core.cash import CashKind
from teller_app.core.views import CustomerView
from teller_app.platform import PasswordLogin, PlatformClient, RetryPolicy
from teller_app.platform.hub_client import HubClient
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cash_dialog import CashDialog

pytestmark = pytest.mark.slow

DELAYS = (0.2, 0.2, 0.2)  # the re-reads' whole span, short


def _dialog(qtbot: Any, ops: OpRunner, service: Any, cust: Any) -> CashDialog:
    dialog = CashDialog(ops, service, CustomerView(cust), CashKind.DEPOSIT)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=15000)
    dialog.amount.setText("300.00")
    qtbot.waitUntil(dialog.create_button.isEnabled, timeout=15000)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=15000)
    return dialog


def _close_prompt(qtbot: Any, dialog: CashDialog) -> str:
    """Esc on the dialog: the close prompt's text; answered Keep working."""
    dialog.reject()
    prompt = dialog.leave_prompt
    assert prompt is not None
    text = prompt.text()
    keep = [b for b in prompt.buttons()
            if prompt.buttonRole(b) == QMessageBox.ButtonRole.RejectRole]
    keep[0].click()
    qtbot.waitUntil(lambda: dialog.leave_prompt is None, timeout=5000)
    return text


def _rechecked(qtbot: Any, ops: OpRunner, dialog: CashDialog, timeout: int) -> str:
    """Wait for the dialog's re-reads to end with a new note; that note."""
    qtbot.waitUntil(lambda: dialog.in_doubt, timeout=15000)
    first = dialog.note.text()
    qtbot.waitUntil(lambda: not ops.is_busy(f"cash-recheck:{id(dialog)}")
                    and dialog.note.text() != first, timeout=timeout)
    return dialog.note.text()


def test_a_platform_that_answers_no_read_is_not_known_and_offers_no_void(
        qtbot: Any, arun: Any, qloop: Any, fresh_sandbox: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, english: None) -> None:
    import teller_app.ui.cash_dialog_parts as parts

    monkeypatch.setattr(parts, "RECHECK_DELAYS", DELAYS)
    sb = fresh_sandbox
    hub = start_fe_hub(tmp_path / "hub", sb, None)
    proxy = GatedProxy(sb.base_url)
    proxy.start()
    clients: list[Any] = []
    stopped = False
    try:
        b0 = branches(sb)[0]
        with hub.client() as http:
            teller = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
            sup = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
        cust, _account = customer(sb, b0)
        dcm = PlatformClient(proxy.url, sb.counterparty_guid, timeout=1.5,
                             retry=RetryPolicy(attempts=1),
                             auth=PasswordLogin(ADMIN, password_of(sb, ADMIN)))
        th, sh = HubClient(hub.base_url), HubClient(hub.base_url)
        clients += [dcm, th, sh]
        arun(th.open_password_session(teller, PASSWORD))
        arun(sh.open_password_session(sup, PASSWORD))
        desk = arun(open_cash_desk(dcm, b0, th, sh, "T-unread", "desk-unread"), timeout=30000)
        ops = OpRunner()
        dialog = _dialog(qtbot, ops, desk.service, cust)
        guid = dialog.draft.payment_guid if dialog.draft else ""
        proxy.hold("payments/confirm")
        dialog.confirm_button.click()
        qtbot.waitUntil(proxy.held.is_set, timeout=15000)  # DCM applied it; answer withheld
        os.kill(sb.process.pid, signal.SIGSTOP)  # and DCM hangs: no read is answered
        stopped = True
        note = _rechecked(qtbot, ops, dialog, timeout=60000)
        assert "not known" in note and "cannot be read" in note, note
        assert "most likely not confirmed" not in note and "as a draft" not in note, note
        assert not dialog.void_button.isVisibleTo(dialog)
        assert not dialog.confirm_button.isVisibleTo(dialog)
        assert dialog.check_button.isVisibleTo(dialog) and dialog.check_button.isEnabled()
        assert dialog.in_doubt and dialog.receipt is None
        # a teller has no drafts list: the close prompt points at the account history
        text = _close_prompt(qtbot, dialog)
        assert "account history" in text and "drafts list" not in text, text
        # the platform answers again: Check again settles it as what it is, CONFIRMED
        os.kill(sb.process.pid, signal.SIGCONT)
        stopped = False
        proxy.release()
        dialog.check_button.click()
        qtbot.waitUntil(lambda: dialog.receipt is not None, timeout=30000)
        assert dialog.receipt is not None and dialog.receipt.payment_guid == guid
        assert dialog.receipt.status == "CONFIRMED" and not dialog.in_doubt
    finally:
        if stopped:
            os.kill(sb.process.pid, signal.SIGCONT)
        proxy.stop()
        for client in clients:
            arun(client.aclose())
        hub.stop()


def test_a_payment_read_as_a_draft_after_the_checks_is_most_likely_not_confirmed(
        qtbot: Any, arun: Any, qloop: Any, sandbox: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, english: None) -> None:
    """The confirm never reached DCM (its answer lost before): every read answers CREATED,
    so the existing words and Void stay."""
    import teller_app.ui.cash_dialog_parts as parts

    monkeypatch.setattr(parts, "RECHECK_DELAYS", DELAYS)
    hub = start_fe_hub(tmp_path / "hub", sandbox, None)
    transport = LateConfirm()
    clients: list[Any] = []
    try:
        b0 = branches(sandbox)[0]
        with hub.client() as http:
            teller = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
            sup = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
        cust, _account = customer(sandbox, b0)
        dcm = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                             retry=RetryPolicy(attempts=1), transport=transport,
                             auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))
        th, sh = HubClient(hub.base_url), HubClient(hub.base_url)
        clients += [dcm, th, sh]
        arun(th.open_password_session(teller, PASSWORD))
        arun(sh.open_password_session(sup, PASSWORD))
        desk = arun(open_cash_desk(dcm, b0, th, sh, "T-draft", "desk-draft"), timeout=30000)
        ops = OpRunner()
        dialog = _dialog(qtbot, ops, desk.service, cust)
        text = _close_prompt(qtbot, dialog)  # a draft: history, and the till close voids it
        assert "account history" in text and "till close voids it" in text, text
        assert "drafts list" not in text, text
        dialog.confirm_button.click()
        note = _rechecked(qtbot, ops, dialog, timeout=30000)
        assert "most likely not confirmed" in note, note
        assert dialog.void_button.isVisibleTo(dialog)
        assert dialog.confirm_button.isVisibleTo(dialog)
        assert transport.confirms == 1
    finally:
        transport.release.set()  # let the held confirm finish before the client closes
        if transport.confirms:
            arun(transport.landed.wait(), timeout=30000)
        for client in clients:
            arun(client.aclose())
        hub.stop()
