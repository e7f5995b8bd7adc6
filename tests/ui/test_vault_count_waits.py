"""A vault count that waits for a second supervisor's co-sign, from the branch cash position of
the signed-in supervisor's window: while it waits the count, its reason and "Save the count"
are off (a second save would replace the count the co-signer sees); the in-place co-sign
names who counted; a wait that ends without the co-sign (a newer count replaced it) gives
the count back as typed. The difference carries its sign: "+" a surplus, "−" a shortage.
Against the embedded sandbox + Teller Hub."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from teller_app.core.till import TillService
from teller_app.core.till_cash import LinkCalls
from teller_app.ui.money import format_uah
from teller_app.ui.till_vault_count import MINUS, VaultCountDialog, signed_uah

from .conftest import make_window
from .dialog_reading import open_branch_position
from .embedded_desk import SUPERVISOR, embedded_stack, hub_session

stack = embedded_stack("ui-vault-count-waits")




def test_difference_reads_surplus_or_shortage(qtbot: Any, ops: Any, english: Any) -> None:
    assert signed_uah(Decimal("2200")) == "+" + format_uah(Decimal("2200"))
    assert signed_uah(Decimal("-2200")) == MINUS + format_uah(Decimal("2200"))
    assert signed_uah(Decimal("0")) == format_uah(Decimal("0"))
    dialog = VaultCountDialog(ops, None, None,  # type: ignore[arg-type]  # never called
                              book=Decimal("5000.00"))
    qtbot.addWidget(dialog)
    dialog.grid.set_counts({"note_1000": 7, "note_100": 2})  # 7 200.00: 2 200.00 over
    assert dialog.difference.text() == "+2,200.00\u00a0UAH"
    dialog.grid.set_counts({"note_1000": 2, "note_100": 8})  # 2 800.00: 2 200.00 short
    assert dialog.difference.text() == "\u22122,200.00\u00a0UAH"


@pytest.mark.slow
def test_a_waiting_count_is_locked_names_its_counter_and_comes_back(
        qtbot: Any, ops: Any, arun: Any, stack: Any, english: Any) -> None:
    supervisor = hub_session(arun, stack, SUPERVISOR)
    window = make_window(qtbot, ops, supervisor, stack.sandbox)
    try:
        view = open_branch_position(qtbot, window)  # as the Till menu opens it
        view.count_vault()
        dialog = view.vault_dialog
        assert dialog is not None and dialog.book is not None
        typed = {"note_1000": int(dialog.book // 1000) + 2, "note_100": 2}
        dialog.grid.set_counts(typed)
        surplus = dialog.grid.value() - dialog.book
        assert dialog.difference.text() == "+" + format_uah(surplus)
        dialog.reason.setText("recount after collection")
        with qtbot.waitSignal(dialog.saved, timeout=15000) as saved:
            dialog.save.click()
        assert saved.args[0].count is not None and saved.args[0].count.pending

        # waiting: nothing of the count can change or be saved again
        for widget in (dialog.grid, dialog.reason, dialog.save):
            assert not widget.isEnabled(), widget
        assert dialog.refresh_button.isVisible()
        dialog.reason.setText("recount after collection, checked")  # no way back to Save
        assert not dialog.save.isEnabled()
        assert "+" + format_uah(surplus) in dialog.cosign_status.text()

        # the second supervisor co-signing here sees who counted: the name, not the e-mail
        name = supervisor.employee.display_name
        assert name and name != SUPERVISOR
        dialog.cosign_button.click()
        qtbot.waitUntil(lambda: dialog.cosign_dialog is not None
                        and dialog.cosign_dialog.isVisible(), timeout=5000)
        summary = dialog.cosign_dialog.summary.text()
        assert f"Counted by: {name}" in summary.splitlines()
        assert f"difference +{format_uah(surplus)}" in summary
        dialog.cosign_dialog.reject()

        # another desk's newer count replaces it: the wait ends, the count comes back as typed
        other = TillService(LinkCalls(supervisor.hub), "other-sup-desk")
        arun(other.count_vault({"note_1000": typed["note_1000"] + 1}, supervisor.branch_guid,
                               "a newer count"))
        dialog.refresh_button.click()
        qtbot.waitUntil(dialog.save.isEnabled, timeout=15000)
        assert dialog.status.text() == "A newer count of the vault replaced this one."
        assert dialog.grid.isEnabled() and dialog.reason.isEnabled()
        assert dialog.grid.counts() == typed
        assert dialog.focusWidget() is dialog.grid.first_spin()  # to count again
        assert not dialog.refresh_button.isVisible() and not dialog.cosign_button.isVisible()
        dialog.reject()
    finally:
        window._closing_for_sign_out = True  # no app controller listens in tests
        ops.cancel_all()
        arun(supervisor.close())
