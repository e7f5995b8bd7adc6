"""What the load tests share (``test_load.py``: sandbox only; ``test_load_hub.py``: sandbox
and hub): the teller count and search prefixes, running N tellers at once, the timed call
that collects latencies and errors, percentiles, and the after-run checks (money conserved,
every created customer there exactly once)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from reliability_helpers import password_of

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import PasswordLogin, PlatformClient, PlatformError

T = TypeVar("T")
TELLERS = 20
PREFIXES = ["Ко", "Ше", "Бо", "Мел", "Tar", "Iv", "Пе", "Ли"]
ADMIN = "admin@demo.bank"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


def p50_95_99_ms(values: list[float]) -> tuple[float, float, float]:
    p50, p95, p99 = (percentile(values, p) * 1000 for p in (0.5, 0.95, 0.99))
    return p50, p95, p99


@dataclass
class Meter:
    """Latency of every call, by kind, and the error of every failed call (a failed call
    answers None: the teller goes on, the test fails on ``errors``)."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    async def timed(self, kind: str, awaitable: Awaitable[T]) -> T | None:
        started = time.perf_counter()
        try:
            return await awaitable
        except (PlatformError, httpx.HTTPError) as exc:
            self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            return None
        finally:
            self.latencies.setdefault(kind, []).append(time.perf_counter() - started)

    def every(self) -> list[float]:
        return [x for values in self.latencies.values() for x in values]


async def all_tellers(teller: Callable[[int], Awaitable[int]], count: int = TELLERS) -> int:
    """Run ``teller(0..count-1)`` at once; the total of the actions they report."""
    return sum(await asyncio.gather(*(teller(n) for n in range(count))))


def conservation(sb: SandboxProcess) -> dict[str, Any]:
    answer = httpx.get(f"{sb.base_url}/__sim/conservation", timeout=30,
                       headers={"X-Sim-Admin": sb.manifest["sim_admin_token"]})
    return dict(answer.json())


async def customers_exactly_once(sb: SandboxProcess, logins: list[str]) -> list[str]:
    """The logins not found on DCM exactly once (read as the admin, 100 at a time)."""
    async with PlatformClient(sb.base_url, sb.counterparty_guid,
                              auth=PasswordLogin(ADMIN, password_of(sb, ADMIN))) as c:
        wrong = []
        for start in range(0, len(logins), 100):
            batch = logins[start:start + 100]
            page = await c.list_customers(logins=batch, limit=1000)
            seen = [x.login for x in page.customers]
            wrong += [login for login in batch if seen.count(login) != 1]
        return wrong
