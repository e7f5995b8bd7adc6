"""A checker's direct "Disable customer" sends one write at a time for a customer, also when
the card's buttons are made again while it runs (a refresh showing the customer changed
gives a fresh, enabled toggle). Real sandbox, a real main window."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QPushButton

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import (
    SUPERVISOR,
    client_for,
    employee,
    new_customer,
    profile_for,
)

from teller_app.core.audit import AuditAction


def _shown_toggle(card: Any) -> QPushButton | None:
    """The toggle a teller can press: a replaced one is hidden until it is deleted."""
    return next((b for b in card.findChildren(QPushButton, "toggleDisabledButton")
                 if b.isVisible()), None)


def test_a_press_on_a_rebuilt_toggle_during_the_write_sends_no_second_write(  # type: ignore[no-untyped-def]
        sandbox, qtbot, arun, tmp_path, monkeypatch) -> None:
    """Review: "one write at a time" rested on disabling the one button; the card's buttons
    are rebuilt when ``customer_changed`` fires, and the rebuilt toggle was enabled."""
    monkeypatch.setenv("TELLER_DATA_DIR", str(tmp_path / "data"))
    from teller_app.core.session import open_session
    from teller_app.platform import PasswordLogin
    from teller_app.platform.models import Customer
    from teller_app.ui.async_op import OpRunner
    from teller_app.ui.main_window import MainWindow

    session = arun(open_session(profile_for(sandbox), PasswordLogin(
        SUPERVISOR, employee(sandbox, SUPERVISOR)["password"])))
    window = MainWindow(session, OpRunner(), profile_name="test",
                        sandbox_asset=sandbox.manifest["asset"])
    qtbot.addWidget(window)
    window.show()
    client = arun(client_for(sandbox, SUPERVISOR))
    try:
        guid = arun(new_customer(client, sandbox))
        card = window.open_customer(Customer(wallet_user_guid=guid, status="active"))
        qtbot.waitUntil(lambda: _shown_toggle(card) is not None, timeout=15000)
        qtbot.waitUntil(lambda: not window.ops.is_busy(), timeout=15000)  # the card's reads
        first = _shown_toggle(card)
        assert first is not None and first.isEnabled()
        assert not card.customer.is_disabled

        first.click()  # the write starts: "Disable customer"
        [write] = window.ops.running_writes()
        # the card is shown the customer as disabled while the write still runs: its buttons
        # are made again, and the new toggle ("Enable customer") is enabled
        card.set_customer(dataclasses.replace(card.customer, is_disabled=True))
        qtbot.waitUntil(lambda: _shown_toggle(card) not in (None, first), timeout=5000)
        second = _shown_toggle(card)
        assert second is not None and second.isEnabled()
        assert window.ops.running_writes() == [write]  # the first write still runs
        second.click()
        assert window.ops.running_writes() == [write]  # the second press sent nothing

        qtbot.waitUntil(lambda: window.ops.running_writes() == [], timeout=10000)
        assert arun(client.get_customer(guid)).is_disabled  # the first press did it
        edits = [e for e in arun(window.supervision.audit.unsent())
                 if e.detail.get("event", e.action) == AuditAction.CUSTOMER_EDIT]
        assert len(edits) == 1
    finally:
        window.supervision.locker.stop()
        window.supervision.stop_feed()
        window.ops.cancel_all()
        arun(client.aclose())
