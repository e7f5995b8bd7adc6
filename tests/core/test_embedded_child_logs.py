"""What the embedded children print reaches the desk's log folder (``hub.log``,
``sandbox.log``: 0600 in a 0700 folder, rotated, masked as the desk's log is, their secrets
never in clear) and the diagnostics zip; the in-memory copy keeps the newest lines; a failing
disk never ends the drain."""

from __future__ import annotations

import os
import secrets
import stat
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from teller_app.core import child_log, embedded_child
from teller_app.core.child_log import ChildLog
from teller_app.core.embedded_child import spawn, wait_ready
from teller_app.core.embedded_stack import EmbeddedStack, start_embedded

CAP = 40  # the in-memory copy's length for these tests (10 000 in the app)
REQUESTS = CAP + 10


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@dataclass
class Ended:
    stack: EmbeddedStack
    logs: Path


@pytest.fixture(scope="module")
def ended(tmp_path_factory: pytest.TempPathFactory) -> Ended:
    """The embedded default started (its data in a temp dir, so its log folder is
    DATA/logs), asked more than ``CAP`` requests, one unrouted last, then stopped."""
    data = tmp_path_factory.mktemp("child-logs") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(embedded_child, "OUTPUT_LINES", CAP, raising=False)
        stack = start_embedded(data)
    try:
        assert stack.hub is not None, stack.hub_problem
        with httpx.Client(base_url=stack.hub.base_url, timeout=30) as http:
            for _ in range(REQUESTS):
                assert http.get("/api/v1/version").status_code == 200
            assert http.get("/no/such/route").status_code == 404
    finally:
        stack.stop()
    return Ended(stack, data / "logs")


def test_the_childrens_output_is_in_the_desks_log_folder(ended: Ended) -> None:
    hub_log, sandbox_log = ended.logs / "hub.log", ended.logs / "sandbox.log"
    assert _mode(ended.logs) == 0o700
    assert _mode(hub_log) == 0o600 and _mode(sandbox_log) == 0o600
    hub_text = hub_log.read_text(encoding="utf-8")
    # every request line, not only the newest CAP: the file is the day's record
    assert hub_text.count('"path": "/api/v1/version"') == REQUESTS
    assert '"path": "(no route)"' in hub_text
    assert "hub stopped" in hub_text  # stop() waits for the last lines
    sandbox_text = sandbox_log.read_text(encoding="utf-8")
    assert ended.stack.sandbox.base_url in sandbox_text  # its start-up lines too
    assert "sandbox stopped" in sandbox_text


def test_no_secret_reaches_the_files(ended: Ended) -> None:
    stack = ended.stack
    assert stack.hub is not None
    manifest = stack.sandbox.manifest
    kept = [e["password"] for e in manifest["employees"]]
    kept += [e["password"] for e in manifest["other_counterparty"]["employees"]]
    kept += [manifest["sim_admin_token"], stack.hub.admin_token]
    for name in ("hub.log", "sandbox.log"):
        text = (ended.logs / name).read_text(encoding="utf-8")
        assert not [s for s in kept if s in text], name


def test_the_diagnostics_zip_takes_them(ended: Ended, tmp_path: Path) -> None:
    from teller_app.ui.diagnostics import build_zip

    target = build_zip(tmp_path / "d.zip", versions={}, session={}, log_dir=ended.logs,
                       settings_dir=tmp_path)
    with zipfile.ZipFile(target) as zf:
        assert {"logs/hub.log", "logs/sandbox.log"} <= set(zf.namelist())
        assert "hub stopped" in zf.read("logs/hub.log").decode("utf-8")


def test_memory_keeps_the_newest_lines(ended: Ended) -> None:
    assert ended.stack.hub is not None
    output = list(ended.stack.hub.output)
    assert len(output) == CAP
    assert not any(line.startswith("http://") for line in output)  # its first lines fell out
    assert any('"path": "(no route)"' in line for line in output)  # the newest are kept
    assert "hub stopped" in output[-1]


# A child of our own (real process, real pipe): it publishes secrets in its manifest and
# then prints them, with a customer's phone, e-mail and IBAN.
CHILD = r"""
import json, pathlib, sys
data, password, token, given, lines = sys.argv[1:]
(data := pathlib.Path(data)).joinpath("kid.json").write_text(json.dumps({
    "base_url": "http://127.0.0.1:9", "sim_admin_token": token,
    "employees": [{"email": "teller@demo.bank", "password": password}]}))
print("first start: teller's password is", password, flush=True)
print("http://127.0.0.1:9", flush=True)
print("customer +38 (067) 765-43-21 ivan.petrenko@example.com UA213223130000026007233566001",
      flush=True)
print("token", token, "setting", given, flush=True)
print(json.dumps({"traceback": "File x\n  boom"}), flush=True)
print("colour \x1b[31mred", flush=True)
for i in range(int(lines)):
    print("line", i, flush=True)
"""


def _child(data: Path, log: ChildLog | None, lines: int, *values: str
           ) -> embedded_child.ChildOutput:
    data.mkdir(parents=True, exist_ok=True)
    proc = spawn([sys.executable, "-c", CHILD, str(data), *values, str(lines)],
                 dict(os.environ), guard=False)
    try:
        _manifest, output = wait_ready(proc, data, "kid.json", timeout=60.0, what="kid",
                                       log=log)
        assert output.ended.wait(60), "the drain did not reach the end of the output"
    finally:
        proc.kill()
        proc.wait(10)
    return output


def test_lines_are_masked_and_the_newest_kept(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded_child, "OUTPUT_LINES", 10)
    password, token, given = (secrets.token_urlsafe(12) for _ in range(3))
    log = ChildLog(tmp_path / "logs", "kid", secrets=[given])
    output = _child(tmp_path / "data", log, 50, password, token, given)
    assert list(output) == [f"line {i}" for i in range(40, 50)]
    text = (tmp_path / "logs" / "kid.log").read_text(encoding="utf-8")
    assert _mode(tmp_path / "logs" / "kid.log") == 0o600
    for clear in (password, token, given, "765-43-21", "ivan.petrenko",
                  "UA213223130000026007233566001"):
        assert clear not in text
    assert "teller's password is ***" in text  # a line read before the URL, masked too
    assert "[phone]" in text and "[iban]" in text and "***@example.com" in text
    assert "line 0\n" in text and "line 49\n" in text
    assert ' {"traceback": "File x\\n  boom"}\n' in text  # a JSON line stays JSON
    assert " colour \\x1b[31mred\n" in text  # control characters escaped


def test_a_failing_disk_never_ends_the_drain(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    log = ChildLog(blocker / "logs", "kid")  # its folder cannot be made
    output = _child(tmp_path / "data", log, 30, "pw-" + secrets.token_hex(4),
                    secrets.token_hex(8), secrets.token_hex(8))
    assert list(output)[-1] == "line 29"  # every line still read
    blocker.unlink()  # the disk is back
    monkeypatch.setattr(child_log, "RETRY_S", 0.0)
    log.write("after")
    text = (blocker / "logs" / "kid.log").read_text(encoding="utf-8")
    assert "line(s) not written: the disk failed" in text and text.endswith(" after\n")


def test_the_files_rotate(tmp_path: Path) -> None:
    log = ChildLog(tmp_path / "logs", "kid", max_bytes=300, backups=2)
    for i in range(60):
        log.write(f"line {i}")
    log.close()
    names = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert names == ["kid.log", "kid.log.1", "kid.log.2"]
    for name in names:
        path = tmp_path / "logs" / name
        assert path.stat().st_size <= 300 and _mode(path) == 0o600
    assert (tmp_path / "logs" / "kid.log").read_text(encoding="utf-8").endswith(" line 59\n")


def test_a_child_without_a_log_still_drains(tmp_path: Path) -> None:
    output = _child(tmp_path / "data", None, 5, "a" * 8, "b" * 8, "c" * 8)
    assert list(output)[-1] == "line 4"
