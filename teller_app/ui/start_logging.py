"""The app's logging: a queue and a listener thread (no disk I/O on the UI thread), with the
redaction filter on every handler; one line a record, a traceback's further lines marked."""

from __future__ import annotations

import logging
import logging.handlers
import queue
import sys
from pathlib import Path

from teller_app.secrets import install_redaction
from teller_app.secrets.redaction import MarkedLinesFormatter

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(log_dir: Path | None) -> logging.handlers.QueueListener | None:
    """Log records go through a queue; a listener thread writes the file (no disk I/O on the
    UI thread). The redaction filter sits on every handler; messages are escaped to one line
    (secrets/redaction), and a traceback's further lines start with "  | "."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    handlers[0].setLevel(logging.WARNING)
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            handlers.append(logging.handlers.RotatingFileHandler(
                log_dir / "teller.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"))
        except OSError:
            pass
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
