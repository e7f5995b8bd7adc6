"""The desk's own log, ``teller.log``: a queue and a listener thread (no disk I/O on the UI
thread), the redaction filter on every handler (``secrets/redaction``: registered secrets,
tokens, URL queries, phone numbers, IBANs, cards, e-mail local parts), one line a record, a
traceback's further lines marked.

The file is written as the children's logs are (``PrivateLogFile``, core/child_log.py): 0600
whatever the umask, the rotated files too, in a 0700 folder; a failing disk drops records
for a while and then says in the file how many were lost, instead of a traceback on stderr
for every record (``logging.Handler.handleError``)."""

from __future__ import annotations

import logging
import logging.handlers
import queue
import sys
from pathlib import Path

from teller_app.core.child_log import BACKUPS, MAX_BYTES, PrivateLogFile
from teller_app.secrets.redaction import MarkedLinesFormatter, install_redaction

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
LOG_NAME = "teller.log"


class PrivateLogHandler(logging.Handler):
    """Records into a ``PrivateLogFile``; never raises and never writes to stderr for a
    failed write (a defect in formatting a record still goes to ``handleError``)."""

    def __init__(self, path: Path, *, max_bytes: int = MAX_BYTES,
                 backups: int = BACKUPS) -> None:
        super().__init__()
        self.file = PrivateLogFile(path, self._lost_note, max_bytes=max_bytes,
                                   backups=backups)

    def __repr__(self) -> str:
        return f"<PrivateLogHandler {str(self.file.path)!r} ({logging.getLevelName(self.level)})>"

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self.file.write(text + "\n")

    def close(self) -> None:
        self.file.close()
        super().close()

    def _lost_note(self, count: int) -> str:
        """A record of its own (so the file still reads as records): how many were lost."""
        note = logging.LogRecord(
            __name__, logging.WARNING, __file__, 0,
            f"{count} record(s) not written: the log file could not be written "
            "(a full disk, a folder gone)", None, None)  # its time: now
        return self.format(note) + "\n"


def configure_logging(log_dir: Path | None) -> logging.handlers.QueueListener:
    """Root logging at INFO: warnings to stderr and, given ``log_dir``, every record to
    ``log_dir/teller.log``, both written by a listener thread (started, returned) that the
    root's queue feeds. The redaction filter sits on every handler; messages are escaped to
    one line (secrets/redaction), and a traceback's further lines start with "  | "."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    handlers[0].setLevel(logging.WARNING)
    if log_dir is not None:
        handlers.append(PrivateLogHandler(log_dir / LOG_NAME))  # opened on its first record
    for handler in handlers:
        handler.setFormatter(MarkedLinesFormatter(LOG_FORMAT))
    records: queue.Queue[logging.LogRecord] = queue.Queue()
    root.addHandler(logging.handlers.QueueHandler(records))
    listener = logging.handlers.QueueListener(records, *handlers, respect_handler_level=True)
    for handler in handlers:
        root.addHandler(handler)  # so install_redaction finds them...
    install_redaction(root)
    for handler in handlers:
        root.removeHandler(handler)  # ...but only the queue writes from this thread
    listener.start()
    return listener
