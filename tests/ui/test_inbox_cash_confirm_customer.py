"""A supervisor's cash confirm recorded from the inbox's drafts names the draft's customer in
its audit row (the trail no longer has to find it in other rows)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from teller_app.core.audit import AuditAction
from teller_app.core.cash import CashReceipt
from teller_app.core.cash_drafts import InboxDraft
from teller_app.core.cash_types import CashKind
from teller_app.ui.cash_drafts_panel import CashDraftsPanel
from teller_app.ui.supervision import Supervision

from .test_audit_writer import _supervision


async def _no_names(_keys: list[str]) -> dict[str, str]:
    return {}


class ConfirmingCash:
    gate = None  # no hub: the panel's refresh after the confirm reads nothing

    async def confirm(self, guid: str) -> CashReceipt:
        return CashReceipt(payment_guid=guid, stellar_hash="h" * 64, status="CONFIRMED",
                           amount=Decimal("15000.01"), kind=CashKind.DEPOSIT)


def test_an_inbox_confirm_names_its_customer(qtbot: Any, qloop: Any, arun: Any, ops: Any,
                                             tmp_path: Path) -> None:
    _window, supervision = _supervision(qtbot, tmp_path)
    assert isinstance(supervision, Supervision)
    customer = str(uuid.uuid4())
    draft = InboxDraft(str(uuid.uuid4()), CashKind.DEPOSIT, Decimal("15000.01"), "UAH", None,
                       customer, "Shevchenko Olena", "teller@demo.bank", "Oksana",
                       ("over_limit",))
    cash = ConfirmingCash()
    panel = CashDraftsPanel(ops, lambda: cash, _no_names, _no_names)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(panel)
    panel.cash_confirmed.connect(supervision._inbox_cash_confirmed)  # as show_inbox wires it
    panel.show_drafts([draft])
    panel.table.selectRow(0)
    with qtbot.waitSignal(panel.cash_confirmed, timeout=5000):
        panel.confirm_button.click()
    arun(supervision.audit.drain())
    entries = arun(supervision.audit.unsent())
    assert [e.detail.get("event") for e in entries] == [AuditAction.CASH_CONFIRM]
    detail = entries[0].detail
    assert detail["customer_guid"] == customer
    assert detail["payment_guid"] == draft.payment_guid
    assert entries[0].entity == f"customer:{customer}"
