"""DCM's keys after a failed fetch: one slow or lost JWKS answer must not refuse every DCM call
for the whole refetch interval (a loaded DCM answered after the hub's 0.5 s limit, and the hub
refused ``/user_auth`` for the next 5 s). The keys are the real sandbox's; the fault (a
timeout on the first fetch) is injected with ``httpx.MockTransport``."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from hub_proc import DcmSigner

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import jwks
from teller_app.hub.jwks import JwksCache, TokenError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_failed_fetch_is_tried_again_after_a_second_not_five(
        sandbox: SandboxProcess, dcm: DcmSigner, monkeypatch: pytest.MonkeyPatch) -> None:
    real_keys = httpx.get(sandbox.manifest["dcm_jwks_url"], timeout=30).json()
    clock = Clock()
    monkeypatch.setattr(jwks.time, "monotonic", clock)
    asked: list[Any] = []

    def dcm_answers(request: httpx.Request) -> httpx.Response:
        asked.append(request.extensions.get("timeout", {}).get("read"))
        if len(asked) == 1:
            raise httpx.ReadTimeout("DCM is slow", request=request)
        return httpx.Response(200, json=real_keys)

    async def scenario() -> list[str]:
        seen: list[str] = []
        async with httpx.AsyncClient(transport=httpx.MockTransport(dcm_answers)) as http:
            cache = JwksCache(sandbox.base_url, http)
            for step in (0.0, 0.2, 1.0):  # the lost answer; at once; a second later
                clock.now += step
                try:
                    claims = await cache.verify(dcm.token("admin@demo.bank", "x", "sign-in"))
                    seen.append(claims.sub)
                except TokenError as exc:
                    seen.append(str(exc))
        return seen

    seen = asyncio.run(scenario())
    assert seen == ["unknown signing key (kid)", "unknown signing key (kid)",
                    "admin@demo.bank"]
    assert len(asked) == 2  # not asked again at once: a flood of bad kids still waits
    assert asked[0] is not None and asked[0] >= 2.0  # a loaded DCM gets more than 0.5 s
