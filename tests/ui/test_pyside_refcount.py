"""PySide6 6.12.0 returned None from void methods without a reference: each
``processEvents()`` or timer slot call dropped None's count by one, and a long sync (or a
teller's day) ended in "Fatal Python error: none_dealloc". The pin in pyproject.toml keeps
such a build out; this test fails on one."""

from __future__ import annotations

import sys
from typing import Any

import pytest


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from 3.12")
def test_qt_calls_do_not_leak_references_to_none(qapp: Any) -> None:
    from PySide6.QtCore import QTimer

    ticks = {"n": 0}

    def tick() -> None:
        ticks["n"] += 1

    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(tick)
    before = sys.getrefcount(None)
    timer.start()
    for _ in range(2000):
        qapp.processEvents()
    timer.stop()
    assert ticks["n"] > 100
    # A healthy build stays within a handful; the broken one loses ~2 000 + ticks.
    assert sys.getrefcount(None) - before > -200
