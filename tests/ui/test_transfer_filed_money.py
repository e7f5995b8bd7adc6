"""A filed vault transfer: its amount reads as money does everywhere ("1,200.00 UAH",
"1 200,00 ₴"), not as typed ("1200") with the currency far to the right, and Enter closes
the dialog: the default button was "Ask a supervisor", off once filed, so Enter did nothing.
Against the embedded sandbox + Teller Hub, in English and in Ukrainian."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from teller_app.ui.money import format_uah
from teller_app.ui.till_desk import hub_cash
from teller_app.ui.till_transfer import TransferDialog

from .conftest import TELLER
from .embedded_desk import embedded_stack, hub_session, open_cosigned_till

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-transfer-money")

_OPENED: set[int] = set()  # the stacks whose teller has a till open (once a module)


@pytest.fixture()
def teller(arun: Any, stack: Any) -> Any:
    """The teller's session with a till open."""
    session = hub_session(arun, stack, TELLER)
    if id(stack) not in _OPENED:
        cash = hub_cash(session)
        assert cash is not None
        open_cosigned_till(arun, stack, cash.till, session, f"T{uuid.uuid4().hex[:5]}",
                           {"note_100": 30})
        _OPENED.add(id(stack))
    yield session
    arun(session.close())


@pytest.mark.parametrize(("language", "shown"), [("english", "1,200.00\u00a0UAH"),
                                                 ("ukrainian", "1\u00a0200,00\u00a0₴")])
def test_a_filed_amount_reads_as_money_and_enter_closes(
        language: str, shown: str, request: pytest.FixtureRequest, teller: Any, qtbot: Any,
        ops: Any) -> None:
    request.getfixturevalue(language)
    cash = hub_cash(teller)
    assert cash is not None
    dialog = TransferDialog(ops, cash.till)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    dialog.amount.setFocus()
    qtbot.keyClicks(dialog.amount, "1200")
    with qtbot.waitSignal(dialog.requested, timeout=15000):
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)  # Enter asks the supervisor
    assert dialog.amount.text() == shown == format_uah(Decimal("1200"))
    assert not dialog.currency.isVisible()  # it is in the amount now
    defaults = [b for b in dialog.findChildren(QPushButton) if b.isDefault()]
    assert all(b.isEnabled() for b in defaults), [b.text() for b in defaults]
    with qtbot.waitSignal(dialog.finished, timeout=3000):
        qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)
