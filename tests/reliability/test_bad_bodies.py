"""Truncated, garbage and huge answers from a real sandbox: the client raises a typed
PlatformError (never a raw JSON/HTTP/pydantic exception), and a 50 MB answer is parsed off
the event loop (the loop keeps ticking)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import httpx
import pytest
from reliability_helpers import TELLER, FaultyTransport, password_of

from teller_app.platform import PasswordLogin, PlatformClient, PlatformError, RetryPolicy, _json

ONCE = RetryPolicy(attempts=1, base_delay=0.0, max_delay=0.0)
GOOD_PAGE = {"customers": [], "total": 0}


def replace_customers_answer(body: bytes, status: int = 200,
                             content_type: str = "application/json") -> Any:
    def fault(request: httpx.Request, _n: int) -> httpx.Response | None:
        if request.method == "GET" and request.url.path.endswith("/customers"):
            return httpx.Response(status, content=body, headers={"Content-Type": content_type})
        return None

    return fault


BAD = {
    "truncated": json.dumps({"customers": [{"wallet_user_guid": "x"}], "total": 1}).encode()[:25],
    "garbage": b"\x00\xff\xfe garbage \x9c not json",
    "html": b"<html><body>502 Bad Gateway</body></html>",
    "wrong-shape": b'{"customers": "not a list", "total": "many"}',
    "wrong-types": b'{"customers": [{"wallet_user_guid": 5, "kyc_level": "high"}], "total": 1}',
    "empty-array": b"[]",
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "nan": b'{"customers": [], "total": NaN}',
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_answers_raise_typed_errors(sandbox: Any, name: str) -> None:
    async def scenario() -> None:
        transport = FaultyTransport(replace_customers_answer(BAD[name]))
        async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                                  auth=PasswordLogin(TELLER, password_of(sandbox, TELLER)),
                                  transport=transport, retry=ONCE) as c:
            with contextlib.suppress(PlatformError):  # typed: the UI has a message for it
                await c.list_customers(limit=5)
            # and the client still works afterwards
            transport.fault = None
            assert (await c.list_customers(limit=1)).total >= 0

    asyncio.run(scenario())


@pytest.mark.slow
def test_a_50_mb_answer_does_not_stall_the_event_loop(
        sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    filler = "Ш" * 1000
    row = {"wallet_user_guid": "00000000-0000-4000-8000-000000000001", "login": "x",
           "name": filler, "surname": filler, "status": "active",
           "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
    one = json.dumps(row, ensure_ascii=False)
    count = 50 * 1024 * 1024 // len(one.encode())
    body = (f'{{"total": {count}, "customers": [' + ",".join([one] * count) + "]}").encode()
    assert len(body) >= 50 * 1024 * 1024

    ticks = [0]
    decoding: list[int] = []  # the ticker's count as the decoding began and as it ended
    real_loads = _json.loads_in_pieces

    def marked_loads(text: str) -> Any:
        decoding.append(ticks[0])
        try:
            return real_loads(text)
        finally:
            decoding.append(ticks[0])

    monkeypatch.setattr(_json, "loads_in_pieces", marked_loads)

    async def scenario() -> Any:
        transport = FaultyTransport(replace_customers_answer(body))
        done = asyncio.Event()

        async def ticker() -> None:
            while not done.is_set():
                await asyncio.sleep(0.01)
                ticks[0] += 1

        async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                                  auth=PasswordLogin(TELLER, password_of(sandbox, TELLER)),
                                  transport=transport, retry=ONCE) as c:
            tick = asyncio.create_task(ticker())
            try:
                result: Any = await c.list_customers(limit=1000)
            except PlatformError as exc:
                result = exc
            done.set()
            await tick
        return result

    result = asyncio.run(scenario())
    assert isinstance(result, PlatformError) or len(result.customers) > 0
    # The loop ran while the 50 MB were decoded (~5 ticks here): decoded on the loop, the
    # ticker could not have run at all in between (how long the loop may wait for the GIL
    # is the stall benchmark's figure, not a test's).
    began, ended = decoding[-2:]
    assert ended > began, (began, ended)
