"""The status bar's "Synced HH:MM" is Kyiv's clock, as every other time on the desk, not
the computer's zone (a desk whose OS runs on UTC said 21:30 for a sync at 00:30 Kyiv)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from teller_app.ui.cache_wiring import sync_line_text


@pytest.fixture()
def utc_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_synced_is_kyiv_time_on_a_utc_machine(qapp: Any, utc_machine: None) -> None:
    summer = datetime.fromisoformat("2026-07-01T21:30:00+00:00").timestamp()
    winter = datetime.fromisoformat("2026-12-04T22:05:00+00:00").timestamp()
    assert sync_line_text("synced", (summer,)) == "Synced 00:30"  # +03:00
    assert sync_line_text("synced", (winter,)) == "Synced 00:05"  # +02:00
