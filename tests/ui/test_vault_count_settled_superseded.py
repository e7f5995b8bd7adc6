"""A vault count whose answer was lost is settled by its id; found replaced by a newer count
meanwhile (``superseded``), the dialog says so and stays open to count again, instead of
closing as if the count stood. The service is a stand-in answering as ``TillService`` does
after such a settle (the lost answer itself is tested against the hub in
tests/hub/test_till_lost_answers.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from teller_app.core.till import TillService
from teller_app.core.till_models import BranchPosition, VaultCount
from teller_app.ui.till_position import VaultCountDialog

REPLACED = VaultCount("c-1", Decimal("4500.00"), Decimal("4000.00"), Decimal("500.00"),
                      "superseded", "sup@bank.test", "recount", "other@bank.test")


class SettledReplaced:
    async def count_vault(self, counts: dict[str, int], branch_guid: str | None = None,
                          reason: str = "") -> BranchPosition:
        return BranchPosition(None, Decimal("4000.00"), Decimal("4000.00"), (), (),
                              count=REPLACED)


def test_a_count_found_replaced_is_said_and_the_dialog_stays(  # type: ignore[no-untyped-def]
        qtbot, ops, english: Any) -> None:
    dialog = VaultCountDialog(ops, cast(TillService, SettledReplaced()), None,
                              book=Decimal("4000.00"))
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.grid.spins["note_500"].setValue(9)
    dialog.reason.setText("recount")
    with qtbot.waitSignal(dialog.saved, timeout=10000):
        dialog.save.click()
    qtbot.waitUntil(lambda: dialog.status.text() != "", timeout=5000)
    assert dialog.status.text() == "A newer count of the vault replaced this one."
    assert dialog.isVisible() and dialog.save.isEnabled()  # count again and save
