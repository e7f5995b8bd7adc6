"""When to lock the session: N minutes without user input (Qt-free; the clock is injectable).

The UI feeds input events into ``touch()`` (an application-wide event filter) and asks
``due()`` on a coarse timer; tests drive a ``FakeClock`` instead of waiting.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

DEFAULT_IDLE_MINUTES = 5.0


class FakeClock:
    """A monotonic clock tests move by hand: ``clock.advance(seconds)``."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def wall_idle_clock() -> float:
    """Seconds on a clock that keeps counting while the machine sleeps: a teller who shuts
    the lid for an hour has been away an hour. ``time.monotonic`` stops during a suspend on
    Linux and macOS (CLOCK_MONOTONIC / mach time), not on Windows (GetTickCount64)."""
    if sys.platform.startswith("linux"):
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    if sys.platform == "darwin":  # Darwin's CLOCK_MONOTONIC counts sleep (UPTIME_RAW does not)
        return time.clock_gettime(time.CLOCK_MONOTONIC)
    return time.monotonic()


class IdleTracker:
    def __init__(
        self, idle_minutes: float = DEFAULT_IDLE_MINUTES, clock: Callable[[], float] | None = None
    ) -> None:
        self.clock = clock or wall_idle_clock
        self.idle_seconds = max(0.0, float(idle_minutes)) * 60.0
        self._last_input = self.clock()

    @property
    def enabled(self) -> bool:
        return self.idle_seconds > 0  # 0 minutes in the profile = never lock on idle

    def touch(self) -> None:
        """Input now. Input that comes once the idle time has already run out (the first
        mouse move after waking the machine, before the check's timer) does not cancel the
        lock that is due: only ``restart`` (a sign-in, an unlock) does."""
        if not self.due():
            self._last_input = self.clock()

    def restart(self) -> None:
        self._last_input = self.clock()

    def idle_for(self) -> float:
        return self.clock() - self._last_input

    def due(self) -> bool:
        return self.enabled and self.idle_for() >= self.idle_seconds
