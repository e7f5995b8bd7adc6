"""A desk's event feed that stops (a window closing) closes its stream then and there: the
stream's generator is finished and its response closed in the feed's own task, not left
suspended for the garbage collector (which closed it outside any task: the "async generator
ignored GeneratorExit" and "cancel scope in a different task" errors CI printed). Real hub
(SQLite) and sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pytest
from fe_helpers import _client, new_customer
from hub_proc import PASSWORD, HubProc, add_employee, branches
from keyring.backends import fail

from teller_app.core.approvals_away import KeyringMarks
from teller_app.core.approvals_feed import EventFeed
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.session import HubLink
from teller_app.platform.hub_client import HubClient
from teller_app.platform.hub_models import HubEvent
from teller_app.secrets import SecretStore


@pytest.fixture(scope="module")
def hub_db() -> str | None:
    return None  # the desk's side: the hub's database plays no part


def test_a_stopped_feed_closes_its_stream_at_once(hub: HubProc,
                                                  sandbox: SandboxProcess) -> None:
    b0 = branches(sandbox)[0]
    with hub.client() as http:
        teller = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
    finished = asyncio.run(_stop_after_one_event(hub, teller, sandbox,
                                                 new_customer(sandbox, b0)))
    assert finished, "the feed never opened its stream"
    assert all(finished)  # each stream finished, none suspended at a yield


async def _stop_after_one_event(hub_proc: HubProc, teller: str, sandbox: SandboxProcess,
                                customer: str) -> list[bool]:
    """Whether each stream the feed opened was finished when its run returned (read then:
    the end of ``asyncio.run`` closes whatever generators are left)."""
    dcm = _client(sandbox)
    streams: list[AsyncGenerator[HubEvent, None]] = []
    async with HubClient(hub_proc.base_url) as hub, \
            HubClient(hub_proc.base_url) as beside:
        await hub.open_password_session(teller, PASSWORD)
        await beside.open_password_session(teller, PASSWORD)
        opened = hub.stream_events

        def recorded(*args: Any) -> AsyncGenerator[HubEvent, None]:
            stream = opened(*args)
            streams.append(stream)
            return stream

        hub.stream_events = recorded  # type: ignore[method-assign]
        marks = KeyringMarks(SecretStore("feed-close-test", backend=fail.Keyring()))
        feed = EventFeed(HubLink(hub, dcm), marks=marks)
        live = asyncio.Event()

        def on_state(connected: bool) -> None:
            if connected:
                live.set()

        task = asyncio.create_task(feed.run(lambda _event: feed.stop(), on_state))
        try:
            await asyncio.wait_for(live.wait(), 20)
            await beside.file_request("customer_update", customer, {"kyc_level": 1},
                                      "feed-close")
            await asyncio.wait_for(task, 20)  # the event stops it: run returns
            finished = [s.ag_frame is None for s in streams]
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    await dcm.aclose()
    return finished
