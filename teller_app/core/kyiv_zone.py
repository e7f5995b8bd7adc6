"""Kyiv's time zone, which every time on the desk is shown in (receipts, the history, the
audit trail, the till's reports). Standard library only, the zone data loaded at the first
call: the start-up check (``ui/zone_check.py``) asks before any time is shown."""

from __future__ import annotations

from datetime import tzinfo
from functools import cache

KYIV_ZONE = "Europe/Kyiv"


class KyivZoneMissing(RuntimeError):
    """No time zone data for Kyiv on this machine: a broken installation."""


def kyiv_tz() -> tzinfo:
    """Kyiv's zone, summer time included: the OS's tz database, else the ``tzdata`` package
    (a dependency on every OS).

    No fixed-offset fallback: +02:00 printed every summer time an hour early on receipts and
    reports, and cut the audit trail's and the history's days an hour off, silently. A desk
    without zone data is a broken installation, so it says so loudly (at start, and the crash
    dialog and the log if a time is shown anyway) instead of printing wrong times. Looked up
    once: the failure too, so a table's every paint does not look for the zone again."""
    found = _kyiv_zone()
    if isinstance(found, str):
        raise KyivZoneMissing(found)  # a new one each time: a raised one keeps its traceback
    return found


def kyiv_zone_problem() -> str | None:
    """Why Kyiv's zone cannot be loaded (None: it can). Reads the zone data the first time."""
    found = _kyiv_zone()
    return found if isinstance(found, str) else None


@cache
def _kyiv_zone() -> tzinfo | str:
    """The zone, or why there is none."""
    from contextlib import suppress
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    # the import makes a frozen bundle carry the package (PyInstaller's hook); without it the
    # OS's database may still have the zone
    with suppress(ImportError):
        import tzdata  # type: ignore[import-untyped]  # noqa: F401
    for name in (KYIV_ZONE, "Europe/Kiev"):  # "Kiev": tz databases older than 2022b
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    return ("no time zone data for Europe/Kyiv (the tzdata package is missing or broken): "
            "reinstall Teller")
