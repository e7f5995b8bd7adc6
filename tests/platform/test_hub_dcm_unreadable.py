"""A hub that answered 503 ``dcm_unreadable`` (it could not read DCM just now for a check a
call needs, and did nothing) is reachable: ``HubClient`` raises ``HubCheckUnavailable``
(the desk stays online, the call is not sent again), never ``HubUnavailable``; a 503 without
the code still is. Fault injection through httpx.MockTransport; no real waits."""

from __future__ import annotations

import uuid

import httpx
import pytest
from platform_fakes import NO_WAIT

from teller_app.platform import HubUnavailable, Unavailable
from teller_app.platform.errors import HubCheckUnavailable
from teller_app.platform.hub_client import HubClient

pytestmark = pytest.mark.asyncio
URL = "http://127.0.0.1:9"  # never reached: the mock transport answers


def _hub(answer: httpx.Response) -> tuple[HubClient, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answer

    hub = HubClient(URL, retry=NO_WAIT, transport=httpx.MockTransport(handler))
    hub.token = "hub-session-token"
    return hub, sent


async def _file(hub: HubClient) -> None:
    # a request id makes the filing idempotent: a retryable failure would be sent again
    await hub.file_request("customer_update", str(uuid.uuid4()), {"name": "Олена"}, "why",
                           request_id=str(uuid.uuid4()))


async def test_dcm_unreadable_is_a_check_the_hub_could_not_run_sent_once() -> None:
    hub, sent = _hub(httpx.Response(503, json={
        "error": "DCM cannot be read: connection refused", "code": "dcm_unreadable"}))
    try:
        with pytest.raises(HubCheckUnavailable) as info:
            await _file(hub)
    finally:
        await hub.aclose()
    unread = info.value
    assert not isinstance(unread, HubUnavailable | Unavailable)
    assert unread.reason == "dcm_unreadable" and unread.status_code == 503
    assert unread.source == "hub"
    assert len(sent) == 1  # nothing re-sent


async def test_a_503_without_the_code_is_still_an_unreachable_hub() -> None:
    hub, sent = _hub(httpx.Response(503, json={"error": "the hub database is unavailable"}))
    try:
        with pytest.raises(HubUnavailable):
            await _file(hub)
    finally:
        await hub.aclose()
    assert len(sent) == NO_WAIT.attempts  # a hub that is down: retried as before
