"""A hub link whose session was closed (its password forgotten) cannot renew the hub session:
a call still in flight that meets a 401 fails as expired, and the desk is not told the hub
opened again (it was, with no token: the retry then failed as if the hub were back)."""

from __future__ import annotations

import pytest

from teller_app.core.hub_link import HubLink
from teller_app.platform import HubLogin, PlatformClient
from teller_app.platform.errors import AuthError
from teller_app.platform.hub_client import HubClient


@pytest.mark.asyncio
async def test_a_forgotten_login_does_not_renew_nor_say_opened() -> None:
    hub = HubClient("http://127.0.0.1:9")  # never reached: nothing is sent
    auth = HubLogin(hub, "teller@bank.ua", "pw")
    auth.session_token = hub.token = "T1"
    client = PlatformClient("http://127.0.0.1:9/dcm", "cp", auth=auth)
    link = HubLink(hub, client)
    opened: list[int] = []
    link.when_opened(lambda: opened.append(1))
    try:
        auth.forget()  # its session closed
        hub.token = "T1"  # a call still in flight with the old token met a 401
        with pytest.raises(AuthError):
            await link.connect(force=True, stale="T1")
        assert opened == []
        assert hub.token is None
    finally:
        await client.aclose()
        await hub.aclose()
