"""Search-as-you-type against the platform: ``search_server_p50_ms`` / ``search_server_p95_ms``.

Signed in as the demo teller (teller.kyiv@demo.bank), as the app's platform search does:
``PlatformClient.list_customers(search_string=prefix, limit=50)`` for every prefix (1..6
characters) of real surnames and first names taken from the sandbox (Cyrillic), and of the
customers' Latin logins (``ivan.petrenko.123@...`` -> ``i``, ``iv``, ... ``ivan.p``). One
keep-alive client, requests one after another (a typist waits for each). Per run: p50/p95
over all requests; the figures are medians over runs.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from benchmarks.common import Context, Sandbox, median, open_client, percentile, rnd

TELLER = "teller.kyiv@demo.bank"
WORDS_PER_SCRIPT = 8


async def pick_words(client: Any, n: int, seed: int = 5) -> tuple[list[str], list[str]]:
    """(Cyrillic surnames/names, Latin login stems) of real customers."""
    rng = random.Random(seed)
    total = (await client.list_customers(limit=1)).total
    page = await client.list_customers(limit=500, offset=rng.randrange(0, max(1, total - 500)))
    cyr: list[str] = []
    lat: list[str] = []
    for c in page.customers:
        for word in (c.surname, c.name):
            if word and len(word) >= 6 and word not in cyr:
                cyr.append(word)
        login = (c.login or "").split("@")[0]
        if len(login) >= 6 and login[:6] not in lat:
            lat.append(login[:6])
    rng.shuffle(cyr)
    rng.shuffle(lat)
    return cyr[:n], lat[:n]


def prefixes(word: str) -> list[str]:
    return [word[:i] for i in range(1, 7)]


async def one_run(client: Any, words: list[str]) -> list[float]:
    times: list[float] = []
    for word in words:
        for prefix in prefixes(word):
            t0 = time.perf_counter()
            await client.list_customers(search_string=prefix, limit=50)
            times.append((time.perf_counter() - t0) * 1000)
    return times


async def _measure(ctx: Context, data_dir: Any) -> dict[str, Any]:
    client = await open_client(data_dir, TELLER)
    try:
        cyr, lat = await pick_words(client, WORDS_PER_SCRIPT)
        ctx.log(f"words: {cyr[:4]}... {lat[:4]}...")
        await one_run(client, cyr[:2] + lat[:2])  # warm-up (connection, sandbox page cache)
        p50s, p95s, by_len_runs = [], [], []
        for _ in range(ctx.runs):
            t_cyr = await one_run(client, cyr)
            t_lat = await one_run(client, lat)
            times = t_cyr + t_lat
            p50s.append(percentile(times, 50))
            p95s.append(percentile(times, 95))
            by_len = {}
            for length in (1, 3, 6):
                picked = [t for i, t in enumerate(t_cyr) if i % 6 == length - 1]
                picked += [t for i, t in enumerate(t_lat) if i % 6 == length - 1]
                by_len[length] = percentile(picked, 95)
            by_len_runs.append(by_len)
        ctx.log(f"search_server p95 per run: {[rnd(v) for v in p95s]}")
        result = {
            "search_server_p50_ms": rnd(median(p50s)),
            "search_server_p95_ms": rnd(median(p95s)),
        }
        for length in (1, 3, 6):
            result[f"search_server_p95_{length}ch_ms"] = rnd(
                median([r[length] for r in by_len_runs]))
        return result
    finally:
        await client.aclose()


def run(ctx: Context) -> dict[str, Any]:
    with Sandbox(ctx) as sandbox:
        return asyncio.run(_measure(ctx, sandbox.data_dir))
