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
    assert escape_controls("C:\\teller\\log") == "C:\\teller\\log"  # nothing escaped: as is
