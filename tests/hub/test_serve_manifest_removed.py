"""``hub.json`` names a running hub only: a clean stop (SIGTERM, SIGINT) removes it, unless
another start has written it since (it is then theirs, even with the same pid); a crash
(SIGKILL) leaves it, and its readers trust only the manifest of the process they started.
Real ``teller-hub serve`` processes on an embedded database."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from hub_proc import start_hub


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_clean_stop_removes_its_manifest(tmp_path: Path, sig: signal.Signals) -> None:
    data = tmp_path / "hub"
    hub = start_hub(data, {})
    manifest = data / "hub.json"
    assert json.loads(manifest.read_text())["pid"] == hub.process.pid
    hub.process.send_signal(sig)
    assert hub.process.wait(30) == 0, hub.log()[-2000:]
    assert not manifest.exists()


def test_a_manifest_another_process_wrote_since_stays(tmp_path: Path) -> None:
    data = tmp_path / "hub"
    hub = start_hub(data, {})
    manifest = data / "hub.json"
    theirs = {**json.loads(manifest.read_text()), "pid": hub.process.pid + 1,
              "instance": "their start", "base_url": "http://127.0.0.1:1"}
    manifest.write_text(json.dumps(theirs))  # a hub started since on the same data dir
    assert hub.stop() == 0, hub.log()[-2000:]
    assert json.loads(manifest.read_text()) == theirs


def test_a_crash_leaves_the_manifest(tmp_path: Path) -> None:
    data = tmp_path / "hub"
    hub = start_hub(data, {})
    hub.process.kill()
    hub.process.wait(10)
    assert json.loads((data / "hub.json").read_text())["pid"] == hub.process.pid


def test_a_manifest_of_another_start_with_the_same_pid_stays(tmp_path: Path) -> None:
    # two containers sharing a data dir are both pid 1: the pid cannot tell them apart
    data = tmp_path / "hub"
    hub = start_hub(data, {})
    manifest = data / "hub.json"
    ours = json.loads(manifest.read_text())
    assert ours["instance"]
    theirs = {**ours, "instance": "another start", "base_url": "http://127.0.0.1:1"}
    manifest.write_text(json.dumps(theirs))
    assert hub.stop() == 0, hub.log()[-2000:]
    assert json.loads(manifest.read_text()) == theirs
