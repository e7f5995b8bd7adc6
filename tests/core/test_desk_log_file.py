"""The desk's ``teller.log`` is written as the children's logs are (core/desk_log.py over
core/child_log.py's ``PrivateLogFile``): every file 0600 and the folder 0700 whatever the
umask, the rotated files too; rotated at 2 MB; a full disk drops records without a word on
stderr and the file then says how many were lost; records are still masked."""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import secrets
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from teller_app.core import child_log
from teller_app.secrets.redaction import CONTINUATION
from teller_app.ui.start_logging import configure_logging

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and rlimits")

RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING|ERROR) ")
LOG = logging.getLogger("teller_app.desk_log_probe")


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture()
def wide_umask() -> Iterator[None]:
    """A typical desktop umask (files 0644 by default), not the app's 077."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


@pytest.fixture()
def desk_logging(tmp_path: Path) -> Iterator[Callable[[], logging.handlers.QueueListener]]:
    """The desk's real logging into ``tmp_path/logs``; the fixture's value starts it."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    listeners: list[logging.handlers.QueueListener] = []

    def start() -> logging.handlers.QueueListener:
        listener = configure_logging(tmp_path / "logs")
        assert listener is not None
        listeners.append(listener)
        return listener

    try:
        yield start
    finally:
        for listener in listeners:
            if listener._thread is not None:
                listener.stop()
            for handler in listener.handlers:
                handler.close()
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)


def test_every_file_is_private_after_rotation_under_a_wide_umask(
        tmp_path: Path, wide_umask: None,
        desk_logging: Callable[[], logging.handlers.QueueListener]) -> None:
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o755)
    os.chmod(logs, 0o755)
    older = logs / "teller.log.1"  # what an older version left readable
    older.write_text("old log\n")
    os.chmod(older, 0o644)
    token = secrets.token_urlsafe(24)

    listener = desk_logging()
    LOG.info("signed in with Bearer %s, customer phone %s", token,
             "+380677654321")
    filler = "x" * 1000
    for i in range(2100):  # a little over 2 MB: one rotation
        LOG.info("record %d %s", i, filler)
    LOG.info("the last record")
    listener.stop()  # every queued record written

    names = sorted(p.name for p in logs.iterdir())
    assert names == ["teller.log", "teller.log.1", "teller.log.2"]
    assert _mode(logs) == 0o700
    for name in names:
        assert _mode(logs / name) == 0o600, name
    assert (logs / "teller.log.2").read_text(encoding="utf-8") == "old log\n"
    rotated = (logs / "teller.log.1").read_text(encoding="utf-8")
    assert 1_900_000 < len(rotated.encode("utf-8")) <= 2_000_000  # the size as before
    assert "the last record" in (logs / "teller.log").read_text(encoding="utf-8")
    assert token not in rotated and "677654321" not in rotated  # still masked
    assert "Bearer ***" in rotated and "[phone]" in rotated


def test_a_full_disk_drops_records_quietly_then_says_how_many(
        tmp_path: Path, desk_logging: Callable[[], logging.handlers.QueueListener],
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import resource

    listener = desk_logging()
    LOG.info("before the disk filled")
    listener.stop()
    log_file = tmp_path / "logs" / "teller.log"
    # The disk is "full" 40 bytes on: the kernel refuses what would grow the file past it
    # (EFBIG; Python ignores SIGXFSZ), the first record torn part-way.
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (log_file.stat().st_size + 40, limits[1]))
    try:
        listener.start()
        for i in range(5):
            LOG.info("lost record %d, long enough to pass the limit", i)
        listener.stop()
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
    monkeypatch.setattr(child_log, "RETRY_S", 0.0)  # the next record tries again at once
    listener.start()
    LOG.info("after the disk had room again")
    listener.stop()

    assert "Logging error" not in capsys.readouterr().err  # no traceback a record
    text = log_file.read_text(encoding="utf-8")
    lines = text.rstrip("\n").split("\n")
    assert lines[0].endswith(" before the disk filled")
    assert lines[-2].endswith("5 record(s) not written: the log file could not be written "
                              "(a full disk, a folder gone)")
    assert " WARNING " in lines[-2]
    assert lines[-1].endswith(" after the disk had room again")
    for line in lines[1:]:  # the torn record aside, every line is a record of its own
        assert RECORD_START.match(line) or line.startswith(CONTINUATION), lines
    assert _mode(log_file) == 0o600


def test_the_backups_are_as_many_as_before_and_each_private(tmp_path: Path,
                                                            wide_umask: None) -> None:
    from teller_app.core.desk_log import PrivateLogHandler

    handler = PrivateLogHandler(tmp_path / "logs" / "teller.log", max_bytes=300)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    try:
        for i in range(60):
            handler.handle(logging.makeLogRecord({"msg": f"record {i}", "levelno": 20,
                                                  "levelname": "INFO"}))
    finally:
        handler.close()
    logs = tmp_path / "logs"
    names = sorted(p.name for p in logs.iterdir())
    assert names == ["teller.log", "teller.log.1", "teller.log.2", "teller.log.3"]  # 3 kept
    for name in names:
        assert _mode(logs / name) == 0o600 and (logs / name).stat().st_size <= 300
    assert (logs / "teller.log").read_text(encoding="utf-8").endswith(" record 59\n")
