"""The vault transfer dialog after filing: its status names the amount asked for ("Request for
1,200.00 UAH sent: …"), wraps, and the dialog grows so the status's last line is whole and
never runs into the amount field; the currency stands beside the amount. Against the embedded
sandbox + Teller Hub, in English and in Ukrainian (the longer words)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QPushButton

from teller_app.ui.money import format_uah
from teller_app.ui.till_desk import hub_cash
from teller_app.ui.till_transfer import TransferDialog

from .conftest import TELLER
from .embedded_desk import embedded_stack, hub_session, open_cosigned_till

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-transfer-filed")


_OPENED: set[int] = set()  # the stacks whose teller has a till open (once a module)


@pytest.fixture()
def teller(arun: Any, stack: Any) -> Any:
    """The teller's session (its client lives on this test's loop) with a till open."""
    session = hub_session(arun, stack, TELLER)
    if id(stack) not in _OPENED:
        cash = hub_cash(session)
        assert cash is not None
        open_cosigned_till(arun, stack, cash.till, session, f"T{uuid.uuid4().hex[:5]}",
                           {"note_100": 30})
        _OPENED.add(id(stack))
    return session


@pytest.fixture(params=["en", "uk"])
def language(request: pytest.FixtureRequest, qapp: Any) -> Iterator[str]:
    from teller_app.ui.i18n import install_translators

    before, earlier = QLocale(), set(qapp.findChildren(QTranslator))
    if request.param == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    else:
        assert install_translators(qapp, "uk"), "compile the translations"
    yield request.param
    for translator in set(qapp.findChildren(QTranslator)) - earlier:
        qapp.removeTranslator(translator)
    QLocale.setDefault(before)


def test_the_filed_status_names_the_amount_and_is_never_clipped(
        language: str, teller: Any, qtbot: Any, ops: Any) -> None:
    cash = hub_cash(teller)
    assert cash is not None
    dialog = TransferDialog(ops, cash.till)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.currency.isVisible()
    assert dialog.currency.text() == ("₴" if language == "uk" else "UAH")
    assert dialog.currency.geometry().left() >= dialog.amount.geometry().right()
    # the amount keeps its label (a screen reader's name, Alt+letter) beside its currency
    assert dialog.amount.accessibleName() == QCoreApplication.translate("TransferDialog",
                                                                         "Amount")
    before = dialog.height()
    dialog.amount.setText("1200")
    with qtbot.waitSignal(dialog.requested, timeout=15000, raising=False) as filed:
        dialog.send.click()
    assert filed.signal_triggered, dialog.status.text()
    assert filed.args[0].amount == Decimal("1200.00")
    # what was asked for can no longer be changed here (nothing would send it)
    assert dialog.amount.isReadOnly() and not dialog.direction.isEnabled()
    status = dialog.status
    assert format_uah(Decimal("1200")) in status.text()  # "1 200,00 ₴" / "1,200.00 UAH"
    # the dialog grows to the height its wrapped status needs: every line whole, below the
    # amount, above the buttons
    qtbot.waitUntil(lambda: dialog.height() >= dialog.heightForWidth(dialog.width()),
                    timeout=3000)
    assert dialog.height() > before
    assert status.height() >= status.heightForWidth(status.width())
    assert status.geometry().top() >= dialog.amount.geometry().bottom()
    assert status.geometry().bottom() < dialog.send.mapTo(dialog, dialog.send.rect().topLeft()).y()


# A filed transfer's amount reads as money does everywhere ("1,200.00 UAH", "1 200,00 ₴"),
# not as typed ("1200") with the currency far to the right, and Enter closes the dialog: the
# default button was "Ask a supervisor", off once filed, so Enter did nothing.
@pytest.mark.parametrize(("lang", "shown"), [("english", "1,200.00\u00a0UAH"),
                                             ("ukrainian", "1\u00a0200,00\u00a0₴")])
def test_a_filed_amount_reads_as_money_and_enter_closes(
        lang: str, shown: str, request: pytest.FixtureRequest, teller: Any, qtbot: Any,
        ops: Any) -> None:
    request.getfixturevalue(lang)
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
