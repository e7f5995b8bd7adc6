"""A platform search superseded by a newer keystroke (cold cache) is cancelled, but its
request is read to its end: its connection goes back to the pool instead of being closed
(on a slow link each keystroke paid a new TCP + TLS connection). Real sandbox with latency,
so each cancel lands while the request is in flight; httpx event hooks on the real client."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.ui.search_sources import PlatformSearchSource
from tests.platform.sandbox_helpers import password_client


@pytest.fixture()
def slow_sandbox(tmp_path: Path) -> Iterator[SandboxProcess]:
    proc = start_sandbox(tmp_path / "sb", "--latency-ms", "150", customers=30)
    yield proc
    proc.stop()


def test_a_superseded_search_reads_its_answer_and_keeps_the_connection(
    slow_sandbox: SandboxProcess,
) -> None:
    async def scenario() -> None:
        async with password_client(slow_sandbox) as client:
            await client.login()
            sent: list[httpx.Request] = []
            streams: set[int] = set()
            done = 0

            sending = asyncio.Event()

            async def on_request(request: httpx.Request) -> None:
                sent.append(request)
                sending.set()

            async def on_response(response: httpx.Response) -> None:
                nonlocal done
                await response.aread()
                streams.add(id(response.extensions["network_stream"]))
                done += 1

            hooks = client._http._client.event_hooks
            hooks["request"] += [on_request]
            hooks["response"] += [on_response]
            source = PlatformSearchSource(client)
            for key in range(4):  # typing: each query superseded while its request travels
                sending.clear()
                tasks = asyncio.all_tasks()
                query = asyncio.ensure_future(source.first_page(f"zq{key}x", 50))
                await sending.wait()  # its request is on its way
                query.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await query
                # what goes on reading the stale answer (nothing, if it was cut off): waited
                # for here so that the next keystroke finds its connection back in the pool
                reading = asyncio.all_tasks() - tasks - {asyncio.current_task()}
                if reading:
                    await asyncio.wait(reading, timeout=10)
            rows, total, _more = await source.first_page("zq-9", 50)
            assert rows == [] and total == 0  # the current query is answered as before
            assert done == len(sent) >= 5
            assert len(streams) == 1  # one connection for every keystroke
    asyncio.run(scenario())
