"""Retries of the HTTP transport (``_http``): the backoff between attempts, and which calls
are background work (retried however long that takes, no interactive deadline)."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

BACKGROUND: ContextVar[bool] = ContextVar("teller_background_calls", default=False)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, for idempotent requests (GET, PUT) only."""

    attempts: int = 3
    base_delay: float = 0.25
    max_delay: float = 4.0
    jitter: bool = True

    def delay(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(0, ceiling) if self.jitter else ceiling


@contextlib.contextmanager
def background_calls() -> Iterator[None]:
    """Within (this context, and the tasks created in it): calls are background work, retried
    ``RetryPolicy.attempts`` times however long that takes (no interactive deadline)."""
    token = BACKGROUND.set(True)
    try:
        yield
    finally:
        BACKGROUND.reset(token)
