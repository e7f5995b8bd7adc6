"""One way to show a moment, in both languages: Kyiv local time as day.month.year with a
24-hour clock ("06.12.2026 06:48"), as Ukrainian banks print it and as receipts do. The
English locale's M/d/yyyy read "11/6/2026" as 11 June next to "06.12.2026" at a Kyiv desk,
so no screen follows the locale's own date format. Accepts an aware/naive-UTC ``datetime``
or an RFC 3339 string (what the platform and the audit trail store); anything unreadable is
shown as is."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone

from teller_app.core.receipt import kyiv_time

# Qt formats: every date, date box and time on screen uses these
DATE_FORMAT = "dd.MM.yyyy"
CLOCK_FORMAT = "HH:mm"
CLOCK_SECONDS_FORMAT = "HH:mm:ss"  # only where a time already showed its seconds
DATE_TIME_FORMAT = f"{DATE_FORMAT} {CLOCK_FORMAT}"
DATE_TIME_SECONDS_FORMAT = f"{DATE_FORMAT} {CLOCK_SECONDS_FORMAT}"


def to_kyiv(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return kyiv_time(value)


def _qt(moment: datetime) -> QDateTime:
    # the wall-clock fields as they are: ``moment`` is already in the zone to show. Held as
    # UTC, so no machine zone's own DST gap can move them (03:30 on a spring-forward night)
    return QDateTime(QDate(moment.year, moment.month, moment.day),
                     QTime(moment.hour, moment.minute, moment.second), QTimeZone.utc())


def day_text(day: date) -> str:
    """A calendar day: "06.12.2026"."""
    return QDate(day.year, day.month, day.day).toString(DATE_FORMAT)


def moment_text(moment: datetime, *, seconds: bool = False) -> str:
    """``moment``'s own wall clock (no zone change): "06.12.2026 06:48"[":24"]."""
    return _qt(moment).toString(DATE_TIME_SECONDS_FORMAT if seconds else DATE_TIME_FORMAT)


def clock_text(moment: datetime, *, seconds: bool = True) -> str:
    """``moment``'s own time of day (no zone change): "06:48:24" (or "06:48")."""
    return _qt(moment).toString(CLOCK_SECONDS_FORMAT if seconds else CLOCK_FORMAT)


def local_text(value: datetime | str | None, *, seconds: bool = False) -> str:
    """``value`` in Kyiv time, "dd.MM.yyyy HH:mm" ("" for None)."""
    moment = to_kyiv(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    return moment_text(moment, seconds=seconds)


def local_clock_text(value: datetime | str | None) -> str:
    """Only the time of day of ``value`` in Kyiv, with seconds: "14:05:09"."""
    moment = to_kyiv(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    return clock_text(moment)
