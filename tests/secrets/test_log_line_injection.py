"""A log record cannot forge another: what a message quotes (a platform's error body, a name)
is written with its line breaks, carriage returns, ESC and other control characters escaped;
a traceback keeps its lines, each further one marked "  | ", so only a record's own first line
starts with a time. Written through the desk's real logging (queue, listener, file)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from teller_app.platform import ValidationError
from teller_app.secrets.redaction import CONTINUATION, exception_line, exception_text
from teller_app.ui.start_logging import configure_logging

FORGED = ("refused\n2026-01-01 09:00:00,000 INFO teller_app.core.cash confirmed withdrawal "
          "50000.00 UAH by supervisor\r2026-01-01 09:00:01,000 INFO teller_app.core.session "
          "signed in\x1b[2J\x1b[8m\x85\u2028\u202eend")
RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING|ERROR) ")


def test_an_expected_failure_is_one_line_with_its_controls_escaped() -> None:
    line = exception_line(ValidationError(FORGED))
    assert not any(ch in line for ch in "\n\r\x1b\x85\u2028\u202e")
    assert line.startswith("ValidationError: refused\\n2026-01-01 09:00:00,000 INFO")
    for escaped in ("\\n", "\\r", "\\x1b[2J", "\\x85", "\\u2028", "\\u202e"):
        assert escaped in line


@pytest.fixture()
def written(tmp_path: Path) -> Iterator[Callable[[], str]]:
    """The desk's logging into ``tmp_path``; calling the fixture's value stops its listener
    (which writes every queued record first) and returns the file's text."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    listener = configure_logging(tmp_path)
    assert listener is not None
    stopped: list[bool] = []

    def stop_and_read() -> str:
        if not stopped:
            listener.stop()
            stopped.append(True)
        return (tmp_path / "teller.log").read_text(encoding="utf-8")

    try:
        yield stop_and_read
    finally:
        stop_and_read()
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)


def _raise_forged() -> None:
    raise ValidationError(FORGED)


def test_no_record_in_the_log_file_can_pass_for_another(written: Callable[[], str]) -> None:
    log = logging.getLogger("teller_app.probe")
    exc = ValidationError(FORGED)
    log.warning("cash confirm failed: %s", exception_line(exc))
    log.info("platform body: %s", FORGED)  # a body quoted as it came
    try:
        _raise_forged()
    except ValidationError as caught:
        log.exception("confirm failed")
        log.error("uncaught exception: %s", exception_text(caught))  # the crash handler's way
    text = written()

    assert "\x1b" not in text and "\r" not in text and "\x85" not in text
    assert "\u2028" not in text and "\u202e" not in text
    lines = text.rstrip("\n").split("\n")
    records = [line for line in lines if RECORD_START.match(line)]
    assert len(records) == 4, lines  # the four records logged, none forged
    for line in lines:
        assert RECORD_START.match(line) or line.startswith(CONTINUATION), line
    assert not any(line.startswith("2026-01-01") for line in lines)
    traceback = [line for line in lines if line.startswith(CONTINUATION)]
    assert any("Traceback" in line for line in traceback)
    assert any("_raise_forged" in line for line in traceback)  # the traceback stays readable


def test_a_typed_backslash_n_reads_apart_from_an_escaped_line_break() -> None:
    """Review: "Ivan\\n2026 forged" (typed) and a real line break read the same once escaped."""
    from teller_app.secrets.redaction import escape_controls

    assert escape_controls("Ivan\\n2026 forged\nreal") == "Ivan\\\\n2026 forged\\nreal"
    # nothing in it reads as an escape: as is
    assert escape_controls("C:\\Program Files\\Teller\\Logs") == "C:\\Program Files\\Teller\\Logs"


_TOKEN = re.compile(r"\\(\\|n|r|t|x[0-9a-f]{2}|u[0-9a-f]{4})")


def _read_back(line: str) -> str:
    """What a reader takes ``line`` for: as written when nothing in it reads as an escape
    or a doubled backslash, else each such read back."""
    if not re.search(r"\\[\\nrtxu]", line):
        return line

    def token(match: re.Match[str]) -> str:
        body = match.group(1)
        if body in ("\\", "n", "r", "t"):
            return {"\\": "\\", "n": "\n", "r": "\r", "t": "\t"}[body]
        return chr(int(body[1:], 16))

    return _TOKEN.sub(token, line)


@pytest.mark.parametrize("typed, control", [
    ("foo\\n2024 INFO forged", "foo\n2024 INFO forged"),
    ("foo\\r2024 INFO forged", "foo\r2024 INFO forged"),
    ("name\\tforged", "name\tforged"),
    ("name\\x1b[2J", "name\x1b[2J"),
    ("name\\u202eend", "name\u202eend"),
    ("name\\\\n", "name\\\n"),  # a typed "\\n" and a backslash before a line break
])
def test_typed_escapes_without_controls_read_apart_from_the_controls(
        typed: str, control: str) -> None:
    """Review: a backslash was doubled only when the same text had a real control, so a
    typed "foo\\n2024 INFO forged" and a real line break were the same line in the log."""
    from teller_app.secrets.redaction import escape_controls

    assert escape_controls(typed) != escape_controls(control)
    assert _read_back(escape_controls(typed)) == typed
    assert _read_back(escape_controls(control)) == control


@pytest.mark.parametrize("text", [
    "C:\\teller\\log", "C:\\Program Files\\Teller", "a\\\\b", "a\\\\\\nb", "\\", "end\\",
    "a\\\nb", "\\x41 and \x41", "\\u0041\u2028", "tab\\t and\ttab",
])
def test_every_escaped_line_reads_back_as_the_text_it_came_from(text: str) -> None:
    from teller_app.secrets.redaction import escape_controls

    assert _read_back(escape_controls(text)) == text
    assert "\n" not in escape_controls(text)
