"""A closing desk window waits for its live event stream to end (bounded) before its session
closes and the app's loop ends: a stream still closing then was finished by the garbage
collector outside any loop ("coroutine EventFeed.run ... ignored GeneratorExit")."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from fe_stack import SUPERVISOR
from hub_stack_helpers import password_of

from teller_app.core.approvals_feed import EventFeed
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.secrets import Profile

pytestmark = [pytest.mark.slow]


@pytest.fixture(autouse=True)
def _private(private_dirs: None) -> None:
    """Each test in its own dirs, with no OS keyring (conftest.private_dirs)."""


def test_a_closing_window_waits_for_its_stream_to_end(  # type: ignore[no-untyped-def]
        hub_stack: EmbeddedStack, qtbot, arun, monkeypatch) -> None:
    from teller_app.core.session import open_session
    from teller_app.platform import PasswordLogin
    from teller_app.ui.async_op import OpRunner
    from teller_app.ui.main_window import MainWindow

    real_run = EventFeed.run
    ended: list[bool] = []

    async def slow_to_end(self: EventFeed, *args: Any) -> None:
        try:
            await real_run(self, *args)
        finally:
            # a stream whose close takes a while (a slow hub): real work off the loop's
            # thread, not a synchronisation
            await asyncio.to_thread(time.sleep, 0.3)
            ended.append(True)

    monkeypatch.setattr(EventFeed, "run", slow_to_end)
    sandbox = hub_stack.sandbox
    profile = Profile(name="feed-close", base_url=sandbox.base_url,
                      counterparty_guid=sandbox.counterparty_guid, hub_url=hub_stack.hub_url)
    session = arun(open_session(profile, PasswordLogin(SUPERVISOR,
                                                       password_of(sandbox, SUPERVISOR))))
    assert session.hub_available
    window = MainWindow(session, OpRunner(), profile_name="feed-close",
                        sandbox_asset=sandbox.manifest["asset"])
    qtbot.addWidget(window)
    window.show()
    supervision = window.supervision
    try:
        qtbot.waitUntil(lambda: supervision.feed is not None and supervision.feed.connected,
                        timeout=15000)
        task = supervision._feed_task
        assert task is not None
        supervision.shutdown()  # as the window's close
        arun(supervision.wait_closed())
        assert task.done() and ended == [True]
    finally:
        supervision.shutdown()
        window.ops.cancel_all()
        arun(session.close())
