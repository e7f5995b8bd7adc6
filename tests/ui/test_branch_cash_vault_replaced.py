"""The branch cash position follows a vault count the dialog found replaced: "Vault counts
waiting" listed the replaced count until Refresh, after the dialog had said "A newer count
of the vault replaced this one". Its Difference reads signed as the dialog's ("+2,200.00
UAH", "−100.00 UAH"). Against the embedded sandbox + Teller Hub."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from teller_app.core.till import TillService
from teller_app.core.till_cash import LinkCalls
from teller_app.ui.till_position import BranchCashView
from teller_app.ui.till_vault_count import signed_uah

from .embedded_desk import SUPERVISOR, embedded_stack, hub_session

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-vault-replaced")


def _counted(view: BranchCashView) -> list[str]:
    return [view.counts.item(r, 1).text() for r in range(view.counts.rowCount())]


def test_a_replaced_count_leaves_the_waiting_counts(qtbot: Any, ops: Any, arun: Any,
                                                    stack: Any, english: Any) -> None:
    session = hub_session(arun, stack, SUPERVISOR)
    try:
        service = TillService(LinkCalls(session.hub), "ui-vault-view")
        view = BranchCashView(ops, service)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitUntil(lambda: view.position is not None, timeout=15000)
        assert view.position is not None
        book = view.position.vault
        view.count_vault()
        dialog = view.vault_dialog
        assert dialog is not None
        dialog.grid.set_counts({"note_100": 7, "note_500": 3})  # 2,200.00: not the book
        counted = Decimal("2200.00")
        assert counted != book
        dialog.reason.setText("recount after collection")
        with qtbot.waitSignal(view.loaded, timeout=15000):
            dialog.save.click()
        qtbot.waitUntil(lambda: dialog.count is not None, timeout=5000)
        assert _counted(view) == ["2,200.00\u00a0UAH"]
        # signed as the dialog says it
        assert view.counts.item(0, 3).text() == signed_uah(counted - book)
        assert view.counts.item(0, 3).text()[0] in "+\u2212"
        assert signed_uah(counted - book) in dialog.cosign_status.text()

        # another desk counts the vault again: this count is replaced
        arun(TillService(LinkCalls(session.hub), "ui-vault-other").count_vault(
            {"note_500": 7}, None, "counted again"))
        dialog.refresh_button.click()  # "Check the co-sign"
        qtbot.waitUntil(lambda: dialog.save.isEnabled(), timeout=15000)
        assert dialog.status.text() == "A newer count of the vault replaced this one."
        # the position lists the newer count, not the replaced one, with no Refresh pressed
        qtbot.waitUntil(lambda: _counted(view) == ["3,500.00\u00a0UAH"], timeout=15000)
        assert view.counts.item(0, 3).text() == signed_uah(Decimal("3500.00") - book)
        dialog.reject()
    finally:
        ops.cancel_all()
        arun(session.close())
