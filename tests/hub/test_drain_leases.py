"""A hub that stops (SIGTERM) gives its watchers' leases back: another process of the same
database takes them at its next tick, not once they expire (interval × 3 + 10 s)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import shared_hubs
from fe_helpers import wait_for
from hub_proc import HubProc

from teller_app.core.embedded_sandbox import SandboxProcess

shared, _main_hub = shared_hubs.fixtures("leases")  # only ``shared``: no third watcher
pytestmark = pytest.mark.slow
LEASES = {"watcher", "cash_watcher"}
TTL_S = 0.3 * 3 + 10  # fe_env's watch interval: how long an unreleased lease stays taken


def _taken(hub: HubProc) -> set[str]:
    lines = (json.loads(ln) for ln in hub.log().splitlines() if ln.startswith("{"))
    return {str(ln.get("lease")) for ln in lines if ln.get("msg") == "watcher lease taken"}


def test_a_stopping_hub_hands_its_watchers_over_at_once(
        shared: dict[str, str], sandbox: SandboxProcess, tmp_path: Path) -> None:
    first = shared_hubs.start(tmp_path / "a", sandbox, shared, TELLER_HUB_WATCH="1")
    second: HubProc | None = None
    try:
        wait_for(lambda: _taken(first) == LEASES, 15)
        second = shared_hubs.start(tmp_path / "b", sandbox, shared, TELLER_HUB_WATCH="1")
        assert first.stop() == 0, first.log()[-3000:]
        stopped = time.monotonic()
        wait_for(lambda: _taken(second) == LEASES, TTL_S / 2)
        assert time.monotonic() - stopped < TTL_S / 2
        assert "watcher lease released" in first.log()
    finally:
        first.stop()
        if second is not None:
            assert second.stop() == 0, second.log()[-3000:]
