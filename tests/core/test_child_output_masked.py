"""The lines an embedded child printed, as kept in memory (``ChildProcess.output``, what a
test reads and a "did not start" error quotes), are masked as its log file's lines are: a
bearer token, a customer's phone, the passwords its manifest publishes, the secrets it was
given. A real child process over a real pipe."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import pytest

from teller_app.core import embedded_child
from teller_app.core.child_log import ChildLog
from teller_app.core.embedded_child import ChildStartError, spawn, wait_ready

# Prints a bearer token and a phone before and after its URL; publishes a password in its
# manifest (and prints it before the URL, so only the manifest read can mask it); prints the
# value it was "given" as a bare word (only the caller's ``secrets`` can mask that).
CHILD = r"""
import json, pathlib, sys
data, password, token, given, url = sys.argv[1:]
print("booting with Bearer", token, "for +38 (067) 765-43-21", flush=True)
print("first start: the teller's password is", password, flush=True)
if url == "none":
    sys.exit(3)
pathlib.Path(data, "kid.json").write_text(json.dumps({
    "base_url": url, "employees": [{"password": password}]}))
print(url, flush=True)
print("GET /api Authorization: Bearer", token, "phone +380677654321", flush=True)
print("setting", given, flush=True)
print("plain line", flush=True)
"""


def _start(data: Path, password: str, token: str, url: str, log: ChildLog | None, *,
           given: str = "-", **kwargs: list[str]) -> embedded_child.ChildOutput:
    data.mkdir(parents=True, exist_ok=True)
    proc = spawn([sys.executable, "-c", CHILD, str(data), password, token, given, url],
                 dict(os.environ), guard=False)
    try:
        _manifest, output = wait_ready(proc, data, "kid.json", timeout=60.0, what="kid",
                                       log=log, **kwargs)
        assert output.ended.wait(60), "the drain did not reach the end of the output"
    finally:
        proc.kill()
        proc.wait(10)
    return output


@pytest.mark.parametrize("with_log", [False, True], ids=["no log", "with its log"])
def test_the_lines_kept_in_memory_are_masked(tmp_path: Path, with_log: bool) -> None:
    password, token = "pw-" + secrets.token_hex(6), secrets.token_urlsafe(24)
    log = ChildLog(tmp_path / "logs", "kid") if with_log else None
    output = list(_start(tmp_path / "data", password, token, "http://127.0.0.1:9", log))
    assert len(output) == 6 and output[-1] == "plain line"
    kept = "\n".join(output)
    for clear in (token, password, "765-43-21", "677654321"):
        assert clear not in kept
    assert "Bearer ***" in output[0] and "[phone]" in output[0]
    assert output[1] == "first start: the teller's password is ***"  # the manifest's
    assert output[2] == "http://127.0.0.1:9"  # what needs no masking stays as printed
    assert "[phone]" in output[3]
    if log is not None:  # the file holds the same masked lines
        text = (tmp_path / "logs" / "kid.log").read_text(encoding="utf-8")
        assert [line.split(" ", 2)[2] for line in text.splitlines()] == output


def test_a_child_that_did_not_start_is_quoted_masked(tmp_path: Path) -> None:
    token = secrets.token_urlsafe(24)
    with pytest.raises(ChildStartError) as failed:
        _start(tmp_path / "data", "pw-" + secrets.token_hex(6), token, "none", None)
    message = str(failed.value)
    assert message.startswith("kid did not start:\n")
    assert "booting with Bearer *** for [phone]" in message  # its lines are quoted...
    assert token not in message and "765-43-21" not in message  # ...masked


def test_the_secrets_it_was_given_are_masked_in_memory(tmp_path: Path) -> None:
    """What the desk hands a child (the hub's settings) is masked even without a log."""
    given = secrets.token_hex(16)
    output = _start(tmp_path / "data", "pw-" + secrets.token_hex(6), secrets.token_hex(8),
                    "http://127.0.0.1:9", None, given=given, secrets=[given])
    assert "setting ***" in output
    assert not [line for line in output if given in line]
