"""The branch cash position fits its columns once, when the first rows and the employees'
names are in: a width the supervisor set stays through a refresh (it re-fitted every column
on each refresh). A fake till service (its position only): the fit, not the hub, is tested."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QStyle, QTableWidget

from teller_app.core.till import BranchPosition, Till, Transfer, VaultCount
from teller_app.ui.till_position import BranchCashView

TELLER = "teller.kyiv@demo.bank"
SUPERVISOR = "sup.kyiv@demo.bank"
TELLER_NAME = "Мельник-Кравченко Оксана Володимирівна"


class _Position:
    """A till service that answers one position, however often it is read."""

    def __init__(self) -> None:
        self.reads = 0

    async def position(self, branch_guid: str | None = None) -> BranchPosition:
        self.reads += 1
        till = Till("t-1", "T1", "open", TELLER, None, Decimal("500.00"), Decimal("500.00"))
        transfer = Transfer("x-1", "to_till", Decimal("100.00"), "pending", TELLER)
        count = VaultCount("v-1", Decimal("9000.00"), Decimal("9100.00"), Decimal("-100.00"),
                           "pending", SUPERVISOR, "short by a note")
        return BranchPosition(None, Decimal("9100.00"), Decimal("9600.00"), (till,),
                              (transfer,), pending_vault_counts=(count,))


def _name_shown(view: BranchCashView) -> str:
    item = view.tills.item(0, 1)
    return item.text() if item is not None else ""


def _one_line(table: QTableWidget, text: str) -> int:
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    return table.fontMetrics().horizontalAdvance(text) + 2 * margin


def test_a_width_the_supervisor_set_stays_through_a_refresh(qtbot: Any, ops: Any,
                                                            english: None) -> None:
    answered = asyncio.Event()

    async def names(emails: list[str]) -> dict[str, str]:
        await answered.wait()  # the names come after the position, as from the platform
        return {TELLER: TELLER_NAME}

    service = _Position()
    view = BranchCashView(ops, service, employee_names=names)  # type: ignore[arg-type]
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.position is not None, timeout=5000)
    answered.set()
    qtbot.waitUntil(lambda: _name_shown(view) == TELLER_NAME, timeout=5000)
    # fitted once the names are in: the teller's name whole, on one line
    qtbot.waitUntil(lambda: view.tills.columnWidth(1) >= _one_line(view.tills, TELLER_NAME),
                    timeout=5000)
    wider = view.tills.columnWidth(0) + 60
    view.tills.setColumnWidth(0, wider)  # the supervisor widens the till's code
    narrower = view.transfers.columnWidth(0) - 20
    view.transfers.setColumnWidth(0, narrower)
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.refresh()
    assert service.reads == 2
    assert view.tills.columnWidth(0) == wider
    assert view.transfers.columnWidth(0) == narrower
    assert _name_shown(view) == TELLER_NAME  # the names kept too


OTHER = "teller2.kyiv@demo.bank"
OTHER_NAME = "Шевченко-Квітка-Основ'яненко Тарасій Григорович"


class _Growing(_Position):
    """One till at first; a transfer asked for by another teller from the second read."""

    async def position(self, branch_guid: str | None = None) -> BranchPosition:
        first = await super().position(branch_guid)
        transfers = () if self.reads == 1 else (
            Transfer("x-2", "to_vault", Decimal("50.00"), "pending", OTHER),)
        return BranchPosition(None, first.vault, first.total, first.tills, transfers)


def test_overlapping_name_look_ups_fit_the_columns_after_the_last(
        qtbot: Any, ops: Any, english: None) -> None:
    """A refresh asks for a new name while the first look-up still runs: the first to answer
    does not fit the new table before its name is in (it kept a clipped name for good)."""
    gates = {TELLER: asyncio.Event(), OTHER: asyncio.Event()}
    known = {TELLER: TELLER_NAME, OTHER: OTHER_NAME}

    async def names(emails: list[str]) -> dict[str, str]:
        for email in emails:
            await gates[email].wait()
        return {e: known[e] for e in emails}

    view = BranchCashView(ops, _Growing(), employee_names=names)  # type: ignore[arg-type]
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.position is not None, timeout=5000)
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.refresh()  # the transfer by the other teller: a second look-up
    assert view.transfers.rowCount() == 1
    gates[TELLER].set()  # the first look-up answers, the second still runs
    qtbot.waitUntil(lambda: _name_shown(view) == TELLER_NAME, timeout=5000)
    gates[OTHER].set()
    qtbot.waitUntil(lambda: view.transfers.item(0, 0).text() == OTHER_NAME, timeout=5000)
    qtbot.waitUntil(lambda: view.transfers.columnWidth(0)
                    >= _one_line(view.transfers, OTHER_NAME), timeout=5000)
