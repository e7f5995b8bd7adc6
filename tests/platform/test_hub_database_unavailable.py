"""A hub 503 ``database_unavailable`` (its database failed before the call changed anything)
reaches the desk as ``HubUnavailable`` with that reason, which says nothing was done; but
only of the attempt it answered: after an earlier attempt of the same call was lost (no
answer), the reason is dropped, as that attempt may have landed. Fault injection through
httpx.MockTransport; no real waits."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from platform_fakes import NO_WAIT

from teller_app.platform import HubUnavailable
from teller_app.platform.errors import DATABASE_UNAVAILABLE
from teller_app.platform.hub_client import HubClient

pytestmark = pytest.mark.asyncio
URL = "http://127.0.0.1:9"  # never reached: the mock transport answers
DOWN = {"error": "the hub database is unavailable", "code": "database_unavailable"}
Answer = Callable[[httpx.Request], httpx.Response]


def _hub(*answers: Answer) -> tuple[HubClient, list[httpx.Request]]:
    """Each attempt gets the next answer (the last one repeats)."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answers[min(len(sent), len(answers)) - 1](request)

    hub = HubClient(URL, retry=NO_WAIT, transport=httpx.MockTransport(handler))
    hub.token = "hub-session-token"
    return hub, sent


def _down(_: httpx.Request) -> httpx.Response:
    return httpx.Response(503, json=DOWN)


def _no_answer(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("no answer", request=request)


def _not_connected(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


async def _file(hub: HubClient) -> None:
    # a request id makes the filing idempotent: a retryable failure is sent again
    await hub.file_request("customer_update", str(uuid.uuid4()), {"name": "Олена"}, "why",
                           request_id=str(uuid.uuid4()))


async def _raised(hub: HubClient) -> HubUnavailable:
    try:
        with pytest.raises(HubUnavailable) as info:
            await _file(hub)
    finally:
        await hub.aclose()
    return info.value


async def test_the_code_reaches_the_desk_as_nothing_done() -> None:
    hub, sent = _hub(_down)
    down = await _raised(hub)
    assert down.reason == DATABASE_UNAVAILABLE and down.status_code == 503
    assert down.method == "POST" and down.path == "/api/v1/requests"
    assert len(sent) == NO_WAIT.attempts  # retried as any hub that is down


async def test_after_a_request_that_never_left_the_code_still_holds() -> None:
    hub, sent = _hub(_not_connected, _down)
    down = await _raised(hub)
    assert down.reason == DATABASE_UNAVAILABLE and len(sent) == NO_WAIT.attempts


async def test_after_a_lost_answer_the_code_is_dropped() -> None:
    """The first attempt got no answer (it may have landed); the retry's "nothing done"
    speaks for the retry only."""
    hub, sent = _hub(_no_answer, _down)
    down = await _raised(hub)
    assert down.status_code == 503 and down.reason is None
    assert len(sent) == NO_WAIT.attempts
