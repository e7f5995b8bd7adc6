"""A supervisor sees an over-threshold cash draft once: where the hub holds a four-eyes
``cash_confirm`` request for it, the request in the inbox is the one place to decide, and
"Cash operations awaiting a supervisor" does not list the draft again — at start, live when a
draft's request is filed, and after a decision. Real sandbox + hub (SQLite) over HTTP."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hub"))

from fe_helpers import ADMIN, TillWorld, open_cash_desk, password_of, till_world
from hub_proc import PASSWORD
from till_helpers import customer

from teller_app.core.approvals import Actor, ApprovalService
from teller_app.core.approvals_feed import EventFeed
from teller_app.core.cash import CashDraft, CashKind, CashService
from teller_app.core.cash_approval import request_approval
from teller_app.core.cash_drafts import requested_drafts
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.session import HubLink
from teller_app.core.till_cash import HubCash
from teller_app.platform import PasswordLogin, PlatformClient
from teller_app.platform.hub_client import HubClient
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.async_op import OpRunner

TELLER_NAME = "Оксана Касирська"  # in the hub's directory only (DCM does not know her)


@pytest.fixture(scope="module")
def world(sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TillWorld]:
    with till_world(tmp_path_factory.mktemp("draft-once"), sandbox, None,
                    teller_name=TELLER_NAME) as w:
        yield w


def _draft_rows(inbox: ApprovalsInbox, guid: str) -> int:
    """Rows of the drafts panel showing this draft (its table, not only its list)."""
    table = inbox.drafts.table
    shown = [table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(table.rowCount())]
    assert len(shown) == len(inbox.drafts.rows)
    return shown.count(guid)


def _request_rows(inbox: ApprovalsInbox, guid: str) -> int:
    return sum(1 for r in inbox.model.rows if r.displayed_change().get("payment_guid") == guid)


def _times_listed(inbox: ApprovalsInbox, guid: str) -> int:
    return _draft_rows(inbox, guid) + _request_rows(inbox, guid)


def test_requested_draft_is_listed_once(world: TillWorld, sandbox: SandboxProcess,
                                        qtbot: Any, arun: Any, ops: OpRunner) -> None:
    cust, _account = customer(sandbox, world.b0)
    teller_hub, sup_hub = HubClient(world.hub.base_url), HubClient(world.hub.base_url)
    dcm = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                         auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))
    feed: EventFeed | None = None
    task: asyncio.Task[None] | None = None
    try:
        arun(teller_hub.open_password_session(world.teller, PASSWORD))
        arun(sup_hub.open_password_session(world.sup, PASSWORD))
        service = arun(open_cash_desk(dcm, world.b0, teller_hub, sup_hub, "T-once",
                                      "once-desk")).service
        maker = ApprovalService(HubLink(teller_hub, dcm), Actor(world.teller, world.b0), dcm)

        def file(draft: CashDraft) -> ChangeRequest:
            request: ChangeRequest = arun(request_approval(maker, draft, world.b0,
                                                           "a large deposit"))
            return request

        filed_first = arun(service.create(CashKind.DEPOSIT, cust, "15000.10"))
        waiting = arun(service.create(CashKind.DEPOSIT, cust, "12000.00"))
        assert filed_first.needs_supervisor and waiting.needs_supervisor
        first = file(filed_first)

        sup = ApprovalService(HubLink(sup_hub, dcm), Actor(world.sup, world.b0, True), None,
                              "sup")
        inbox = ApprovalsInbox(ops, lambda: sup, cash=lambda: CashService(
            dcm, world.b0, "", Decimal(10000), gate=HubCash(sup_hub)))
        qtbot.addWidget(inbox)
        feed = EventFeed(HubLink(sup_hub, dcm))
        task = asyncio.get_event_loop().create_task(feed.run(inbox.on_event))
        qtbot.waitUntil(lambda: feed is not None and feed.connected, timeout=15000)
        inbox.start()

        # at start: the filed draft is its request only; the unfiled one waits in the panel
        qtbot.waitUntil(lambda: first.id in inbox.pending_ids()
                        and _draft_rows(inbox, waiting.payment_guid) == 1, timeout=15000)
        assert _request_rows(inbox, filed_first.payment_guid) == 1
        assert _times_listed(inbox, filed_first.payment_guid) == 1
        assert requested_drafts(inbox.model.rows) >= {filed_first.payment_guid}
        # the request row names the teller as the drafts list did (the hub's directory)
        row = inbox.model.pending_ids().index(first.id)
        qtbot.waitUntil(lambda: inbox.model.data(inbox.model.index(
            row, inbox.model.MAKER_COLUMN)).strip("\u2068\u2069") == TELLER_NAME, timeout=15000)

        # live: the waiting draft's request is filed -> it moves from the panel to requests
        second = file(waiting)
        qtbot.waitUntil(lambda: second.id in inbox.pending_ids(), timeout=15000)
        assert _times_listed(inbox, waiting.payment_guid) == 1
        assert _draft_rows(inbox, waiting.payment_guid) == 0
        # the panel's own re-read (started by the same event) keeps it out too
        with qtbot.waitSignal(inbox.drafts.shown, timeout=15000):
            inbox.drafts.refresh()
        assert _times_listed(inbox, waiting.payment_guid) == 1
        assert _times_listed(inbox, filed_first.payment_guid) == 1

        # rejected in the inbox: the hub voids the draft, listed nowhere (never back below)
        inbox.table.selectRow(inbox.model.pending_ids().index(first.id))
        inbox.comment.setText("the customer left")
        with qtbot.waitSignal(inbox.decided, timeout=15000):
            inbox.reject_button.click()
        assert _times_listed(inbox, filed_first.payment_guid) == 0
        with qtbot.waitSignal(inbox.drafts.shown, timeout=15000):
            inbox.drafts.refresh()
        assert _times_listed(inbox, filed_first.payment_guid) == 0
        assert _times_listed(inbox, waiting.payment_guid) == 1
    finally:
        if feed is not None:
            feed.stop()
        if task is not None:
            task.cancel()
        for client in (teller_hub, sup_hub, dcm):
            arun(client.aclose())
