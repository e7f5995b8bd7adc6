"""Online/offline tracking from the outcome of platform calls (no Qt).

``Unavailable``/``Timeout`` -> offline; any success -> online. While offline a probe
coroutine (e.g. ``client.list_customers(limit=1)``) is retried with backoff so the app
recovers by itself. Listeners are plain callbacks (the UI wraps them in Qt signals); they run
on the event-loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from teller_app.platform import Unavailable

log = logging.getLogger(__name__)
T = TypeVar("T")
Listener = Callable[[bool], None]
SyncListener = Callable[[float], None]
DEFAULT_BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)


def is_connectivity_error(exc: BaseException) -> bool:
    """Unavailable (incl. its subclass Timeout): the platform cannot be reached."""
    return isinstance(exc, Unavailable)


class Connectivity:
    def __init__(
        self,
        probe: Callable[[], Awaitable[Any]] | None = None,
        *,
        backoff: Sequence[float] = DEFAULT_BACKOFF,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._probe = probe
        self._backoff = tuple(backoff) or (1.0,)
        self._clock = clock
        self._online = True
        self._listeners: list[Listener] = []
        self._sync_listeners: list[SyncListener] = []
        self._probe_task: asyncio.Task[None] | None = None
        self.last_sync_at: float | None = None
        self.last_error: BaseException | None = None

    # -- state -------------------------------------------------------------------------------
    @property
    def online(self) -> bool:
        return self._online

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """``listener(online)`` on every change; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def add_sync_listener(self, listener: SyncListener) -> Callable[[], None]:
        """``listener(last_sync_at)`` after every successful sync."""
        self._sync_listeners.append(listener)
        return lambda: (
            self._sync_listeners.remove(listener) if listener in self._sync_listeners else None
        )

    def _set(self, online: bool) -> None:
        if online == self._online:
            return
        self._online = online
        for listener in list(self._listeners):
            try:
                listener(online)
            except Exception:  # a broken listener must not break the others
                log.exception("connectivity listener failed")
        if not online:
            self.start_probing()

    def report_success(self) -> None:
        self.last_error = None
        self._set(True)

    def report_failure(self, exc: BaseException) -> bool:
        """Record a failed call; True (and offline) if it was a connectivity error."""
        if not is_connectivity_error(exc):
            return False
        self.last_error = exc
        self._set(False)
        return True

    def set_last_sync(self, at: float | None = None) -> None:
        self.last_sync_at = self._clock() if at is None else at
        for listener in list(self._sync_listeners):
            try:
                listener(self.last_sync_at)
            except Exception:
                log.exception("sync listener failed")

    def data_age(self) -> float | None:
        """Seconds since the last successful sync (None: never synced)."""
        return None if self.last_sync_at is None else max(0.0, self._clock() - self.last_sync_at)

    async def track(self, awaitable: Awaitable[T]) -> T:
        """Await a platform call, recording its outcome; re-raises its error."""
        try:
            result = await awaitable
        except Exception as exc:
            self.report_failure(exc)
            raise
        self.report_success()
        return result

    # -- recovery ----------------------------------------------------------------------------
    def start_probing(self) -> asyncio.Task[None] | None:
        """Start the probe loop (if a probe and a running loop exist and none is running)."""
        if self._probe is None or (self._probe_task is not None and not self._probe_task.done()):
            return self._probe_task
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        self._probe_task = loop.create_task(self.probe_until_online())
        return self._probe_task

    async def probe_until_online(self) -> None:
        """Retry the probe with backoff until it succeeds (then we are online)."""
        if self._probe is None:
            return
        attempt = 0
        while not self._online:
            await asyncio.sleep(self._backoff[min(attempt, len(self._backoff) - 1)])
            attempt += 1
            try:
                await self._probe()
            except Exception as exc:
                if not is_connectivity_error(exc):  # e.g. auth expired: the platform is up
                    self.report_success()
                    return
                self.last_error = exc
                continue
            self.report_success()

    async def stop(self) -> None:
        task, self._probe_task = self._probe_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
