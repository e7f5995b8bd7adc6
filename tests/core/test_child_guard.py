"""Child processes never outlive the app: an app-like parent starts the embedded sandbox (from
a short-lived worker thread, as the app does), then the parent is killed (SIGKILL, SIGTERM)
and the sandbox must disappear; likewise the whole embedded stack (sandbox and hub). Also
the child-side watchdog alone (the macOS path) and a restart replacing a leftover sandbox."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from teller_app.core.child_guard import ENV_PARENT_PID, guarded_command, pid_alive
from teller_app.core.embedded_sandbox import start_sandbox

PARENT = textwrap.dedent("""
    import json, sys, threading
    import httpx
    from teller_app.core.embedded_sandbox import start_sandbox

    box = {}
    worker = threading.Thread(target=lambda: box.update(sb=start_sandbox(sys.argv[1])))
    worker.start()
    worker.join()  # the launching thread is gone, as with asyncio.to_thread in the app
    sb = box["sb"]
    httpx.get(sb.base_url + "/api/v1/dictionary/assets", timeout=10)  # still serving
    print(json.dumps({"pid": sb.process.pid, "alive": sb.alive()}), flush=True)
    threading.Event().wait()
""")

STACK_PARENT = textwrap.dedent("""
    import json, sys, threading
    from pathlib import Path
    from teller_app.core.embedded_stack import start_embedded

    box = {}
    worker = threading.Thread(target=lambda: box.update(st=start_embedded(Path(sys.argv[1]))))
    worker.start()
    worker.join()
    st = box["st"]
    print(json.dumps({"pids": [st.sandbox.process.pid, st.hub.process.pid],
                      "alive": st.sandbox.alive() and st.hub.alive()}), flush=True)
    threading.Event().wait()
""")

WATCHDOG_PARENT = textwrap.dedent("""
    import json, os, subprocess, sys, threading
    from teller_app.core.child_guard import ENV_PARENT_PID, guarded_command
    # No preexec (no PR_SET_PDEATHSIG): only the child's parent-pid watchdog can end it.
    env = {**os.environ, ENV_PARENT_PID: str(os.getpid())}
    child = subprocess.Popen(guarded_command("http.server", "0", "--bind", "127.0.0.1"),
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(json.dumps({"pid": child.pid}), flush=True)
    threading.Event().wait()
""")


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll ``condition`` until true or the deadline passes (a foreign process has no handle
    to block on)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture()
def reap() -> Iterator[list[int]]:
    pids: list[int] = []
    yield pids
    for pid in pids:  # never leave an orphan behind, even when the test failed
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)


def start_parent(script: str, *args: str) -> tuple[subprocess.Popen[str], dict[str, object]]:
    parent = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert parent.stdout is not None
    line = parent.stdout.readline()
    assert line, "the parent did not report its child"
    return parent, json.loads(line)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_the_sandbox_dies_with_the_app(tmp_path: Path, sig: signal.Signals,
                                       reap: list[int]) -> None:
    parent, info = start_parent(PARENT, str(tmp_path / "sb"))
    pid = int(info["pid"])  # type: ignore[call-overload]
    reap.append(pid)
    assert info["alive"] and pid_alive(pid)
    parent.send_signal(sig)
    parent.wait(10)
    assert wait_until(lambda: not pid_alive(pid), 15), "the sandbox outlived the app"


def test_the_embedded_hub_dies_with_the_app_too(tmp_path: Path, reap: list[int]) -> None:
    parent, info = start_parent(STACK_PARENT, str(tmp_path / "data"))
    pids = [int(p) for p in info["pids"]]  # type: ignore[attr-defined]
    reap.extend(pids)
    assert info["alive"] and all(pid_alive(p) for p in pids)
    parent.send_signal(signal.SIGKILL)
    parent.wait(10)
    assert wait_until(lambda: not any(pid_alive(p) for p in pids), 15), \
        "the sandbox or the hub outlived the app"


def test_the_watchdog_alone_ends_the_child(reap: list[int]) -> None:
    parent, info = start_parent(WATCHDOG_PARENT)
    pid = int(info["pid"])  # type: ignore[call-overload]
    reap.append(pid)
    assert pid_alive(pid)
    parent.kill()
    parent.wait(10)
    assert wait_until(lambda: not pid_alive(pid), 15), "the watchdog did not end the child"


def test_guarded_command_runs_the_module_in_the_same_process(tmp_path: Path) -> None:
    out = subprocess.run(guarded_command("json.tool", "--help"), capture_output=True,
                         text=True, env={**os.environ, ENV_PARENT_PID: str(os.getpid())},
                         timeout=30)
    assert out.returncode == 0 and "json.tool" in out.stdout


def test_a_restart_replaces_a_leftover_sandbox(tmp_path: Path, reap: list[int]) -> None:
    data = tmp_path / "sb"
    # An unguarded sandbox left running on the data dir (an older version, or a guard that
    # could not act): the next start stops it before taking over the data.
    old = subprocess.Popen([sys.executable, "-m", "teller_app.sandbox", "--host", "127.0.0.1",
                            "--port", "0", "--data", f"{data}"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    reap.append(old.pid)
    assert old.stdout is not None and old.stdout.readline().startswith("http://")
    new = start_sandbox(data)
    reap.append(new.process.pid)
    try:
        assert old.wait(15) is not None  # ended by the restart
        assert new.manifest["pid"] == new.process.pid != old.pid
        assert httpx.get(new.base_url + "/api/v1/dictionary/assets", timeout=10).status_code
    finally:
        new.stop()
