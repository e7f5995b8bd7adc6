"""Log redaction: a logging.Filter that masks every registered secret and anything JWT-,
bearer-, PEM- or token-shaped, and strips query strings (they carry personal data) from URLs.

``install_redaction()`` puts the filter on every root handler and wraps the log-record factory,
so records reaching handlers added later are masked too."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from teller_app.platform._sensitive import MASK, forget_all_secrets, redact, register_secret

__all__ = [
    "MASK",
    "RedactionFilter",
    "forget_all_secrets",
    "install_redaction",
    "redact",
    "redact_text",
    "register_secret",
]

_URL_QUERY = re.compile(r"(https?://[^\s?\"'<>]+)\?[^\s\"'<>]*")
# ``scheme://user:password@host``: a proxy URL may carry the proxy's credentials
_URL_USERINFO = re.compile(r"\b((?:https?|socks5h?)://)[^\s/@\"'<>]+@")


def redact_text(text: str) -> str:
    text = _URL_USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", redact(text))
    return _URL_QUERY.sub(lambda m: f"{m.group(1)}?{MASK}", text)


def _scrub(record: logging.LogRecord) -> None:
    if getattr(record, "_teller_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep what we can, masked
        message = f"{record.msg!s} {record.args!r}"
    record.msg = redact_text(message)
    record.args = None
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redact_text(record.exc_text)
    if record.stack_info:
        record.stack_info = redact_text(record.stack_info)
    record._teller_redacted = True


class RedactionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        _scrub(record)
        return True


_installed_factory: Callable[..., logging.LogRecord] | None = None


def install_redaction(logger: logging.Logger | None = None) -> RedactionFilter:
    """Add the filter to every handler of ``logger`` (root by default) and make every new
    log record redacted at creation. Idempotent."""
    global _installed_factory
    target = logger or logging.getLogger()
    flt = next(
        (f for h in target.handlers for f in h.filters if isinstance(f, RedactionFilter)),
        RedactionFilter(),
    )
    for handler in target.handlers:
        if flt not in handler.filters:
            handler.addFilter(flt)
    if _installed_factory is None:
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _scrub(record)
            return record

        _installed_factory = factory
        logging.setLogRecordFactory(factory)
    return flt
