"""The supervisor's inbox with thousands of pending requests stays responsive: a live event
measures the header and a bounded sample of rows (the first ones and those in view), never the
whole list; names read for a few rows repaint those rows only; and the cash drafts list, read
again on each cash event, is never cancelled by the next event: events that come while a read
runs make one more read after it."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from teller_app.core.approvals import CASH_CONFIRM
from teller_app.core.cash_drafts import InboxDraft
from teller_app.platform.hub_models import ChangeRequest, HubEvent
from teller_app.ui import cash_drafts_panel
from teller_app.ui.approvals_model import PendingRequestsModel
from teller_app.ui.cash_drafts_panel import CashDraftsPanel

from .test_approvals_inbox import FakeService, _inbox, _request

MANY = 2000
SAMPLE_BOUND = 80  # rows outside the view a fit may read: independent of MANY


def _many(count: int) -> list[ChangeRequest]:
    requests = [_request({"segment": "vip", "is_disabled": True}) for _ in range(count)]
    # distinct times, newest first: the list's order is this one
    return [r.model_copy(update={"created_at": r.created_at - n})
            for n, r in enumerate(requests)]


def _visible_rows(table: Any) -> set[int]:
    top = max(0, table.rowAt(0))
    bottom = table.rowAt(table.viewport().height() - 1)
    bottom = table.model().rowCount() - 1 if bottom < 0 else bottom
    return set(range(top, bottom + 1))


class CountingModel(PendingRequestsModel):
    """The inbox's model, noting which rows' texts are read (while ``counting``)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.counting = False
        self.read: list[int] = []

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if self.counting and role == Qt.ItemDataRole.DisplayRole and index.isValid():
            self.read.append(index.row())
        return super().data(index, role)


def test_a_filed_event_does_not_measure_the_whole_list(qtbot, ops, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui import approvals_inbox

    monkeypatch.setattr(approvals_inbox, "PendingRequestsModel", CountingModel)
    requests = _many(MANY)
    service = FakeService(requests)
    inbox = _inbox(qtbot, ops, service)
    inbox.resize(392, 600)
    inbox.show()
    qtbot.waitExposed(inbox)
    inbox.start()
    model, table = inbox.model, inbox.table
    assert isinstance(model, CountingModel)
    last = requests[-1]
    qtbot.waitUntil(lambda: model.rowCount() == MANY and last.customer_guid in
                    model.customer_names, timeout=60000)
    fitter = inbox.columns
    qtbot.waitUntil(lambda: not fitter._timer.isActive(), timeout=60000)

    fits: list[int] = []
    fit = type(fitter).fit
    monkeypatch.setattr(type(fitter), "fit", lambda self: (fits.append(1), fit(self))[1])
    read = model.read
    model.counting = True

    new = _request({"status": "blocked"})
    service.requests[new.id] = new
    with qtbot.waitSignal(inbox.new_requests, timeout=10000):
        inbox.on_event(HubEvent(id=1, kind="request.filed", request_id=new.id))
    # its customer's name comes back, then the columns are fitted again
    qtbot.waitUntil(lambda: new.customer_guid in model.customer_names, timeout=10000)
    qtbot.waitUntil(lambda: bool(fits) and not fitter._timer.isActive(), timeout=10000)
    assert model.rowCount() == MANY + 1
    outside = set(read) - _visible_rows(table)
    assert len(outside) <= SAMPLE_BOUND, f"{len(outside)} rows read outside the view"
    # the rows have one height, never measured one by one
    assert table.rowHeight(0) == table.rowHeight(MANY)


def _changed_rows(model: PendingRequestsModel, spans: list[tuple[QModelIndex, QModelIndex]]
                  ) -> set[int]:
    rows: set[int] = set()
    for top_left, bottom_right in spans:
        assert top_left.column() == 0
        assert bottom_right.column() == model.columnCount() - 1
        rows.update(range(top_left.row(), bottom_right.row() + 1))
    return rows


def test_names_repaint_only_their_rows(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = PendingRequestsModel()
    model.replace(_many(MANY))
    model.set_names({"teller.kyiv@demo.bank": "Оксана Мельник"}, {})  # every row's maker
    spans: list[tuple[QModelIndex, QModelIndex]] = []
    model.dataChanged.connect(lambda a, b, *_: spans.append((a, b)))

    chosen = (3, 700, 1999)
    model.set_names({}, {model.rows[r].customer_guid: "Петренко Іван" for r in chosen})
    assert _changed_rows(model, spans) == set(chosen)

    spans.clear()  # the same names again: nothing to repaint
    model.set_names({"teller.kyiv@demo.bank": "Оксана Мельник"},
                    {model.rows[r].customer_guid: "Петренко Іван" for r in chosen})
    assert _changed_rows(model, spans) == set()


def _cash_request(payment_guid: str, customer_guid: str) -> ChangeRequest:
    request = _request({"payment_guid": payment_guid})
    return request.model_copy(update={"kind": CASH_CONFIRM, "customer_guid": customer_guid})


def test_drafts_read_repaint_only_their_requests(qtbot) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from teller_app.core.cash_types import CashKind

    model = PendingRequestsModel()
    requests = _many(MANY)
    chosen = (10, 11, 1500)
    guids = {r: f"00000000-0000-4000-8000-{r:012d}" for r in chosen}
    for r, guid in guids.items():
        requests[r] = _cash_request(guid, requests[r].customer_guid).model_copy(
            update={"created_at": requests[r].created_at})
    model.replace(requests)
    model.set_names({"teller.kyiv@demo.bank": "Оксана Мельник"}, {})
    spans: list[tuple[QModelIndex, QModelIndex]] = []
    model.dataChanged.connect(lambda a, b, *_: spans.append((a, b)))
    drafts = [InboxDraft(payment_guid=guid, kind=CashKind.WITHDRAWAL, amount=Decimal("15000.01"),
                         asset_code="UAH", created_at=datetime(2026, 1, 5, tzinfo=UTC),
                         customer_guid=model.rows[r].customer_guid, customer_name="Петренко Іван",
                         teller_email="teller.kyiv@demo.bank", teller_name="Оксана Мельник",
                         reasons=()) for r, guid in guids.items()]
    model.set_drafts(drafts)
    assert _changed_rows(model, spans) == set(chosen)
    assert "15" in str(model.data(model.index(10, model.CHANGE_COLUMN)))

    spans.clear()
    model.set_drafts(drafts)  # read again, nothing new
    assert _changed_rows(model, spans) == set()


class HeldReads:
    """``inbox_drafts`` whose reads wait until released; counts starts and cancellations."""

    def __init__(self) -> None:
        self.started = 0
        self.finished = 0
        self.cancelled = 0
        self.release = asyncio.Event()

    async def __call__(self, *_args: Any) -> list[InboxDraft]:
        self.started += 1
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        self.finished += 1
        return []


@pytest.fixture()
def held(monkeypatch: pytest.MonkeyPatch) -> HeldReads:
    reads = HeldReads()
    monkeypatch.setattr(cash_drafts_panel, "inbox_drafts", reads)
    return reads


async def _nobody(_keys: list[str]) -> dict[str, str]:
    return {}


async def _turns() -> None:
    for _ in range(5):
        await asyncio.sleep(0)  # turns of the loop, not a wait for time


def test_cash_events_during_a_read_make_one_more_read(qtbot, ops, arun, held) -> None:  # type: ignore[no-untyped-def]
    panel = CashDraftsPanel(ops, lambda: SimpleNamespace(gate=None, client=None), _nobody, _nobody)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(panel)
    shown: list[object] = []
    panel.shown.connect(shown.append)
    panel.refresh()
    qtbot.waitUntil(lambda: held.started == 1, timeout=5000)
    for n in range(3):  # faster than one read
        panel.on_event(HubEvent(id=n + 1, kind="cash.voided"))
    arun(_turns())  # a cancelled read would have seen its cancellation by now
    assert held.cancelled == 0  # the running read goes on
    assert held.started == 1  # one read at a time

    held.release.set()  # the read answers (and the next one at once): each is shown
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=5000)
    arun(_turns())  # a third read would have started by now
    assert held.finished == 2 and held.cancelled == 0
    assert not ops.is_busy("cash-drafts")
    assert held.started == 2  # exactly one more, for the three events
