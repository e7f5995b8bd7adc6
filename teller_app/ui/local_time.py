"""One way to show a moment: Kyiv local time in the locale's short format (dd.MM.yyyy HH:mm
in Ukrainian, the US form in English). Accepts an aware/naive-UTC ``datetime`` or an RFC 3339
string (what the platform and the audit trail store); anything unreadable is shown as is."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

from teller_app.core.receipt import kyiv_time


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


def local_text(value: datetime | str | None, *, seconds: bool = False) -> str:
    """``value`` in Kyiv time, formatted for the current locale ("" for None)."""
    moment = to_kyiv(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    qt = QDateTime(QDate(moment.year, moment.month, moment.day),
                   QTime(moment.hour, moment.minute, moment.second))
    locale = QLocale()
    fmt = locale.dateTimeFormat(QLocale.FormatType.ShortFormat)
    if seconds and ":ss" not in fmt:
        fmt = fmt.replace(":mm", ":mm:ss", 1)
    if "yyyy" not in fmt:  # the short format's two-digit year is ambiguous at a bank desk
        fmt = fmt.replace("yy", "yyyy", 1)
    return locale.toString(qt, fmt)


def local_clock_text(value: datetime | str | None) -> str:
    """Only the time of day of ``value`` in Kyiv, with seconds, in the locale's format
    ("14:05:09"; "2:05:09 PM" in English)."""
    moment = to_kyiv(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    locale = QLocale()
    fmt = locale.timeFormat(QLocale.FormatType.ShortFormat)
    if ":ss" not in fmt:
        fmt = fmt.replace(":mm", ":mm:ss", 1)
    return locale.toString(QTime(moment.hour, moment.minute, moment.second), fmt)
