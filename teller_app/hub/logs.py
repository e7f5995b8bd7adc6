"""Structured JSON logs, one object per line on stderr.

Only fields we put there explicitly are written (``extra={...}``); request headers, bodies,
tokens and secrets never are.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from typing import Any

QUIET_LOGGERS = ("httpx", "httpcore", "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool",
                 "aiosqlite", "asyncpg")
_STD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STD and not key.startswith("_"):
                out[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info and record.exc_info[0] is not None:
            # Frames only: an exception's message may quote data, so it is left out.
            out["exc_type"] = record.exc_info[0].__name__
            out["traceback"] = "".join(traceback.format_tb(record.exc_info[2]))[-4000:]
        return json.dumps(out, ensure_ascii=False)


def setup(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Never below WARNING, whatever the hub's level: at debug/info these write every SQL
    # statement with its parameters (employees' password hashes, customers' logins, sealed
    # secrets) and httpx every URL.
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
