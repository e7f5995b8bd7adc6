"""A teller whose desk was closed when their request was decided is told at the next sign-in,
through the same feed events as a live decision, and only once: a second start tells nothing
again, nor does it repeat a decision that was told live. Real sandbox + hub over HTTP, on
SQLite and PostgreSQL; the marks in the desk's real store (session-only here: no OS keyring
in these tests)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fe_helpers import _client, new_customer
from hub_proc import PASSWORD, HubProc, add_employee, branches
from keyring.backends import fail

from teller_app.core.approvals import Actor, ApprovalService
from teller_app.core.approvals_away import KeyringMarks
from teller_app.core.approvals_feed import EventFeed
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.session import HubLink
from teller_app.platform.hub_client import HubClient
from teller_app.platform.hub_models import ChangeRequest, HubEvent
from teller_app.secrets import SecretStore

OUTCOMES = {"request.approved", "request.rejected", "request.applied", "request.failed"}


def test_a_decision_made_while_the_desk_was_closed_is_told_once(
        http: httpx.Client, hub: HubProc, sandbox: SandboxProcess) -> None:
    b0 = branches(sandbox)[0]
    teller = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
    sup = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
    asyncio.run(_check(hub, sandbox, teller, sup, new_customer(sandbox, b0)))


class Desk:
    """One sign-in's feed: what it delivered, in order."""

    def __init__(self, link: HubLink, marks: KeyringMarks) -> None:
        self.feed = EventFeed(link, marks=marks)
        self.events: list[HubEvent] = []
        self.changed = asyncio.Event()

    def deliver(self, event: HubEvent) -> None:
        self.events.append(event)
        self.changed.set()

    async def until(self, request_id: str, kind: str) -> None:
        while not any(e.request_id == request_id and e.kind == kind for e in self.events):
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 20)

    def outcomes(self) -> list[tuple[str | None, str]]:
        return [(e.request_id, e.kind) for e in self.events if e.kind in OUTCOMES]


async def _check(hub: HubProc, sandbox: SandboxProcess, teller: str, sup: str,
                 customer: str) -> None:
    dcm = _client(sandbox)
    # one store for every sign-in of this process, as the desk's (no OS keyring here)
    marks = KeyringMarks(SecretStore("away-test", backend=fail.Keyring()))
    async with HubClient(hub.base_url) as teller_hub, HubClient(hub.base_url) as sup_hub:
        await teller_hub.open_password_session(teller, PASSWORD)
        await sup_hub.open_password_session(sup, PASSWORD)
        link = HubLink(teller_hub, dcm)
        maker = ApprovalService(link, Actor(teller))
        checker = ApprovalService(HubLink(sup_hub, dcm), Actor(sup, "", True))

        async def file(reason: str) -> ChangeRequest:
            return await maker.file_request(customer, {"kyc_level": 1}, reason)

        @asynccontextmanager
        async def desk() -> AsyncIterator[Desk]:
            """A desk signed in until the block ends; settled once a request filed after
            its start is heard (what it was told at the start came before that)."""
            opened = Desk(link, marks)
            task = asyncio.create_task(opened.feed.run(opened.deliver))
            try:
                probe = await file("a probe")
                await opened.until(probe.id, "request.filed")
                await maker.withdraw(probe)
                yield opened
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

        async with desk() as first:
            request = await file("decided while the desk is closed")
            await first.until(request.id, "request.filed")
        assert first.outcomes() == []
        rejected = await checker.reject(await checker.get(request.id), "not today")
        assert rejected.state == "rejected"

        async with desk() as second:  # the next sign-in
            assert second.outcomes() == [(request.id, "request.rejected")]
            told = next(e for e in second.events if e.kind == "request.rejected")
            assert told.maker == teller and told.checker == sup
            live = await file("decided while the desk is open")
            await checker.reject(await checker.get(live.id), "no")
            await second.until(live.id, "request.rejected")

        async with desk() as third:  # told before, at a sign-in or live: never again
            assert third.outcomes() == []
    await dcm.aclose()
