"""A supervisor who rejects an over-threshold cash draft says why: the teller's cash dialog
shows that comment with the rejection, whether the supervisor decided at their own desk (the
live event carries no comment: the dialog reads the request) or in place at the teller's.
Real sandbox and hub processes (both databases)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from fe_helpers import ADMIN, TillWorld, open_cash_desk, password_of, till_world
from hub_proc import PASSWORD
from till_helpers import customer, status

from teller_app.core.approvals import Actor, ApprovalService
from teller_app.core.approvals_feed import EventFeed
from teller_app.core.cash import CashKind
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.session import HubLink
from teller_app.platform import PasswordLogin, PlatformClient
from teller_app.platform.hub_client import HubClient
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.async_op import OpRunner

COMMENT = "Паспорт не збігається з карткою <b>"


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TillWorld]:
    with till_world(tmp_path_factory.mktemp("cash-reject-hub"), sandbox, hub_db) as w:
        yield w


@pytest.fixture()
def ops(qloop: Any) -> OpRunner:
    return OpRunner()


def test_the_supervisors_comment_is_shown_with_the_rejection(
        world: TillWorld, sandbox: SandboxProcess, qtbot: Any, arun: Any,
        ops: OpRunner) -> None:
    from teller_app.ui.cash_dialog import CashDialog

    cust, _account = customer(sandbox, world.b0)
    teller_hub, sup_hub = HubClient(world.hub.base_url), HubClient(world.hub.base_url)
    dcm = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                         auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))
    tasks: list[asyncio.Task[None]] = []
    feeds: list[EventFeed] = []
    try:
        arun(teller_hub.open_password_session(world.teller, PASSWORD))
        arun(sup_hub.open_password_session(world.sup, PASSWORD))
        desk = arun(open_cash_desk(dcm, world.b0, teller_hub, sup_hub, "T-rej", "rej-desk"))
        sup = ApprovalService(HubLink(sup_hub, dcm), Actor(world.sup, world.b0, True))

        async def in_place(email: str, password: str, request: ChangeRequest, outcome: str,
                           comment: str) -> ChangeRequest:
            hub = HubClient(world.hub.base_url)
            try:
                await hub.open_password_session(email, password)
                mine = ApprovalService(HubLink(hub, dcm), Actor(email, world.b0, True))
                return await mine.reject(request, comment)
            finally:
                await hub.aclose()

        for where in ("own desk", "in place"):
            dialog = CashDialog(ops, desk.service, arun(dcm.get_customer(cust)),
                                CashKind.DEPOSIT,
                                approvals=ApprovalService(HubLink(teller_hub, dcm),
                                                          Actor(world.teller, world.b0), dcm),
                                decide_in_place=in_place)
            qtbot.addWidget(dialog)
            feed = EventFeed(HubLink(teller_hub, dcm))
            feeds.append(feed)
            tasks.append(asyncio.get_event_loop().create_task(feed.run(dialog.on_hub_event)))
            qtbot.waitUntil(lambda: feed.connected, timeout=15000)  # noqa: B023
            qtbot.waitUntil(lambda: dialog.context is not None, timeout=10000)  # noqa: B023
            dialog.amount.setText("15000,10")
            qtbot.waitUntil(lambda: dialog.create_button.isEnabled(),  # noqa: B023
                            timeout=10000)
            with qtbot.waitSignal(dialog.approval.filed,  # type: ignore[union-attr]
                                  timeout=15000) as filed:
                dialog.create_draft()
            request: ChangeRequest = filed.args[0]
            if where == "own desk":  # the dialog hears it from the live event only
                arun(sup.reject(request, COMMENT))
            else:
                dialog.open_supervisor_confirm()
                place = dialog.approval.dialog  # type: ignore[union-attr]
                assert place is not None
                place.email.setText(world.sup)
                place.password.setText(PASSWORD)
                place.comment.setText(COMMENT)
                place.reject_button.click()
            qtbot.waitUntil(lambda: COMMENT in dialog.note.text(), timeout=20000)  # noqa: B023
            note = dialog.note.text()
            assert "rejected" in note or "відхилив" in note, (where, note)
            assert note.count(COMMENT) == 1, (where, note)
            assert status(sandbox, request.change["payment_guid"]) != "CONFIRMED"
            dialog.close()
    finally:
        for feed in feeds:
            feed.stop()
        for task in tasks:
            task.cancel()
        for c in (teller_hub, sup_hub, dcm):
            arun(c.aclose())
