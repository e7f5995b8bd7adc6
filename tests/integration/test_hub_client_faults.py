"""HubClient and HubLogin against injected faults (httpx.MockTransport only injects faults):
error mapping, retries only where idempotent, no external id in error texts."""

from __future__ import annotations

import json

import httpx
import pytest

from teller_app.platform import AuthError, HubLogin, HubUnavailable, PlatformClient, Unavailable
from teller_app.platform._http import RetryPolicy
from teller_app.platform.hub_client import HubClient
from teller_app.platform.traits import ServerTraits

pytestmark = pytest.mark.asyncio
SESSION = {"token": "hub-token-1", "expires_at": "2030-01-01T00:00:00Z",
           "employee": {"email": "t@bank", "name": "T", "roles": ["Teller"],
                        "branch_guid": "b-1", "head_office": False}}
NO_WAIT = RetryPolicy(attempts=3, base_delay=0, jitter=False)


def _client(handler, **kw) -> HubClient:  # type: ignore[no-untyped-def]
    return HubClient("http://127.0.0.1:9", transport=httpx.MockTransport(handler), retry=NO_WAIT,
                     **kw)


async def test_secret_issue_is_retried_but_a_session_post_is_not() -> None:
    calls: dict[str, int] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        calls[request.url.path] = calls.get(request.url.path, 0) + 1
        if calls[request.url.path] == 1:
            return httpx.Response(503, json={"error": "busy"})
        if request.url.path == "/api/v1/sessions":
            return httpx.Response(200, json=SESSION)
        return httpx.Response(200, json={"external_id": "x", "created": False})

    hub = _client(handler)
    with pytest.raises(HubUnavailable):
        await hub.open_password_session("t@bank", "pw")
    assert calls["/api/v1/sessions"] == 1  # a POST that reached the hub is never re-sent
    issued = await hub.issue_secret("x", "b-1")
    assert calls["/api/v1/secrets"] == 2 and not issued.created  # idempotent: retried
    await hub.aclose()


async def test_hub_errors_keep_the_external_id_out_and_are_not_platform_outages() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/api/v1/secrets/"):
            return httpx.Response(401, json={"error": "session expired"})
        raise httpx.ConnectError("refused")

    hub = _client(handler)
    with pytest.raises(AuthError) as info:
        await hub.secret_exists("ivan.petrenko@example.com")
    assert "ivan.petrenko" not in f"{info.value!s} {info.value!r}"
    with pytest.raises(HubUnavailable) as down:
        await hub.issue_secret("x", "b-1")
    assert not isinstance(down.value, Unavailable)  # the platform may be fine: stay online
    await hub.aclose()


async def test_hub_login_relogs_in_once_on_401_through_the_proxy() -> None:
    tokens = iter(["hub-token-1", "hub-token-2"])
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/sessions":
            body = json.loads(request.content)
            assert body == {"mode": "password", "email": "t@bank", "password": "pw"}
            return httpx.Response(200, json={**SESSION, "token": next(tokens)})
        seen.append(request.headers.get("authorization", ""))
        assert request.url.path.startswith("/dcm/api/v1/counterparty/cp/")
        assert "cx-authorization" not in request.headers  # the desk never mints a bank JWT
        if len(seen) == 1:
            return httpx.Response(401, json={"error": "hub session expired"})
        return httpx.Response(200, json={"customers": [], "total": 0})

    transport = httpx.MockTransport(handler)
    hub = HubClient("http://127.0.0.1:9", transport=transport, retry=NO_WAIT)
    auth = HubLogin(hub, "t@bank", "pw")
    async with PlatformClient("http://127.0.0.1:9/dcm", "cp", auth=auth, transport=transport,
                              retry=NO_WAIT) as client:
        client.traits = ServerTraits(disabled_reading="exact")  # no probe requests
        page = await client.list_customers()
    assert page.total == 0
    assert seen == ["Bearer hub-token-1", "Bearer hub-token-2"]
    assert auth.employee is not None and auth.employee.roles == ("Teller",)
    await hub.aclose()


async def test_a_write_whose_answer_is_lost_is_sent_once_and_says_it_was_sent() -> None:
    """A PUT or POST that reached the hub is never re-sent by the client (its caller reads
    the state); one that never left (connection refused) is retried and says so when it
    still fails, so the desk may tell the teller that nothing was applied."""
    calls: dict[str, int] = {}
    refuse = {"on": False}

    def handler(request: httpx.Request) -> httpx.Response:
        key = f"{request.method} {request.url.path}"
        calls[key] = calls.get(key, 0) + 1
        if refuse["on"]:
            raise httpx.ConnectError("refused")
        raise httpx.ReadTimeout("the answer was lost")

    hub = _client(handler)
    with pytest.raises(HubUnavailable) as lost:
        await hub.call("PUT", "/api/v1/vault", json_body={"counts": {}})
    assert calls["PUT /api/v1/vault"] == 1 and not lost.value.not_sent
    with pytest.raises(HubUnavailable) as lost:
        await hub.approve("r-1", "0" * 64)
    assert calls["POST /api/v1/requests/r-1/approve"] == 1 and not lost.value.not_sent
    refuse["on"] = True
    with pytest.raises(HubUnavailable) as refused:
        await hub.approve("r-1", "0" * 64)
    assert calls["POST /api/v1/requests/r-1/approve"] == 1 + NO_WAIT.attempts
    assert refused.value.not_sent and refused.value.method == "POST"
    await hub.aclose()
