"""Audit rows for failed sign-ins anyone can repeat (an e-mail or platform token naming
nobody, a throttled attempt), bounded across client addresses as well as per address.

Each kind is already limited per client address (``audit.record_limited``), but a spray from
many addresses (or a proxy passing X-Forwarded-For through) would still add rows without
end. So a process writes at most ``ROWS_PER_MINUTE`` of them one by one in a calendar minute;
the first one past that writes one summary row instead (``refusal``
``too_many_failed_sign_ins``, actor "", entity ``address:*``), and the rest of the minute's
go only to the log ("sign-in refused" / "sign-in throttled", one line each). A known
employee's wrong password is always written (its e-mail's lock bounds those).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from . import audit

ROWS_PER_MINUTE = 60  # per process, across every client address
SUMMARY = "too_many_failed_sign_ins"


class FailedSignInRows:
    """One process's count of such rows in the current calendar minute."""

    def __init__(self, per_minute: int = ROWS_PER_MINUTE) -> None:
        self.per_minute = per_minute
        self._minute = -1
        self._taken = 0
        self._summarised = False

    def _roll(self) -> int:
        minute = int(time.time() // 60)
        if minute != self._minute:
            self._minute, self._taken, self._summarised = minute, 0, False
        return minute

    async def record(self, engine: AsyncEngine, entry: audit.Entry, *, cap: int) -> None:
        """``entry`` limited to ``cap`` a minute per address, and this process's rows across
        addresses to ``per_minute`` (then one summary row for the rest of the minute)."""
        minute = self._roll()
        if self._taken < self.per_minute:
            self._taken += 1  # taken before the await: concurrent requests cannot overshoot
            if await audit.record_limited(engine, entry, cap=cap, cap_by="entity") is None \
                    and self._minute == minute:
                self._taken -= 1  # not written (a repeat, or the address's cap): not counted
            return
        if self._summarised:
            return
        self._summarised = True
        detail: dict[str, Any] = {"refusal": SUMMARY, "recorded_per_minute": self.per_minute}
        await audit.record(engine, audit.Entry(
            actor="", action="sign_in_failed", entity="address:*", detail=detail))
