"""A vault count co-signed here while "Check the co-sign" (or the hub's event) reads it too:
both end the wait as applied, and the dialog ends once (``saved`` once, accepted once), not
a second ``saved`` for the branch position and a second ``accepted`` for whoever listens."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from teller_app.core.till_models import BranchPosition, VaultCount
from teller_app.ui.till_vault_count import VaultCountDialog

WAITING = VaultCount("c1", Decimal("1100.00"), Decimal("1000.00"), Decimal("100.00"),
                     "pending", "boss@demo.bank", "recount")
POSITION = BranchPosition(None, Decimal("1100.00"), Decimal("1100.00"), (), ())


class Stand:
    """The hub's answer to the check, held until ``gate`` opens: the count applied."""

    def __init__(self) -> None:
        self.gate, self.asked = asyncio.Event(), asyncio.Event()

    async def vault_count(self, count_id: str) -> VaultCount:
        self.asked.set()
        await self.gate.wait()
        return VaultCount(count_id, WAITING.counted, WAITING.book, WAITING.difference,
                          "applied", WAITING.counted_by, WAITING.reason, "other@demo.bank")

    async def position(self, _branch: str | None) -> BranchPosition:
        return POSITION


@pytest.mark.usefixtures("english")
def test_a_check_and_a_cosign_here_end_the_count_once(qtbot: Any, ops: Any) -> None:
    stand = Stand()
    dialog = VaultCountDialog(ops, stand, None, book=WAITING.book,  # type: ignore[arg-type]
                              cosign_here=lambda *_: POSITION)  # type: ignore[arg-type,return-value]
    qtbot.addWidget(dialog)
    dialog.show()
    dialog._wait_for_cosign(WAITING)
    saved: list[object] = []
    accepted: list[int] = []
    dialog.saved.connect(saved.append)
    dialog.accepted.connect(lambda: accepted.append(1))
    dialog.refresh()  # "Check the co-sign": its answer held
    qtbot.waitUntil(stand.asked.is_set, timeout=5000)
    dialog._applied(POSITION)  # the co-sign here went through first
    stand.gate.set()  # then the check's answer: applied too
    qtbot.waitUntil(lambda: not ops.is_busy(), timeout=5000)
    assert saved == [POSITION] and accepted == [1]
    assert not dialog.isVisible()
