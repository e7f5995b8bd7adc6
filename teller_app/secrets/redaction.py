"""Log redaction: a logging.Filter that masks every registered secret and anything JWT-,
bearer-, PEM- or token-shaped, and strips query strings (they carry personal data) from URLs.
Log records are also scrubbed of personal data a pattern can find (``scrub_personal_data``:
phone numbers, IBANs, the local part of e-mail addresses); a name cannot be found that way,
so exceptions that may carry one are logged through ``exception_text``.

A record is one line: what a message quotes (a platform's error body, a name) may carry a line
break that would start a forged record, or terminal escapes; those are written escaped
(``\\n``, ``\\x1b``). A traceback keeps its lines, each marked as a continuation
(``MarkedLinesFormatter``).

``install_redaction()`` puts the filter on every root handler and wraps the log-record factory,
so records reaching handlers added later are masked too."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

from teller_app.platform._sensitive import MASK, forget_all_secrets, redact, register_secret

__all__ = [
    "CONTINUATION",
    "MASK",
    "MarkedLinesFormatter",
    "RedactionFilter",
    "escape_controls",
    "exception_line",
    "exception_text",
    "forget_all_secrets",
    "install_redaction",
    "redact",
    "redact_text",
    "register_secret",
    "scrub_personal_data",
]

_URL_QUERY = re.compile(r"(https?://[^\s?\"'<>]+)\?[^\s\"'<>]*")
# ``scheme://user:password@host``: a proxy URL may carry the proxy's credentials
_URL_USERINFO = re.compile(r"\b((?:https?|socks5h?)://)[^\s/@\"'<>]+@")


# Not inside a longer token: a GUID, an id, a number with more digits or a decimal part.
_ALONE_BEFORE = r"(?<![\w+.\-/@])"
_ALONE_AFTER = r"(?![\w@]|[\-.,/][0-9A-Fa-f])"
# Ukrainian numbers: +380 / 380 / 0, an operator or area code 03x-09x, seven digits; spaces,
# dashes and brackets anywhere people put them ("+38 (067) 765-43-21", "0677654321").
_UA_LOCAL = r"\(?\s?0\s?[3-9]\s?\d\s?\)?(?:[\s\-]?\d){7}"
_PHONE_UA = re.compile(_ALONE_BEFORE + r"(?:3\s?8[\s\-]?)?" + _UA_LOCAL + _ALONE_AFTER)
# With a "+" it is no id (GUIDs and ids have none): anything may follow but a digit.
_PHONE_PLUS = re.compile(r"(?<![\d+])\+(?:\s?3\s?8[\s\-]?" + _UA_LOCAL + r"|\d{10,15})(?!\d)")
# UA + 2 check digits + 25 digits (27 in all), grouped by four or not.
_IBAN_UA = re.compile(r"(?<![\w])UA\s?\d{2}(?:\s?\d){25}(?!\w)", re.IGNORECASE)
# Any other country's IBAN (two letters, two check digits, 11-30 letters or digits, grouped
# by four or not), and a payment card's 13-19 digits that pass the Luhn check.
# The IBAN pattern may run on into a following word ("… 00 UAH"): the check walks back to
# the longest prefix that is an IBAN. A card is 15-19 digits in one run, or 4-4-4-4(-3)
# groups; 13-digit runs (a timestamp in ms) are never taken for one.
_IBAN_OTHER = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11,30}")
_CARD = re.compile(_ALONE_BEFORE + r"(?:\d{15,19}|\d{4}(?:[ \-]\d{4}){3}(?:[ \-]?\d{1,3})?)"
                   + _ALONE_AFTER)
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@((?:[\w\-]+\.)+[\w\-]{2,})")
PHONE_MASK, IBAN_MASK, CARD_MASK = "[phone]", "[iban]", "[card]"
# C0 (line breaks and ESC among them), DEL, C1, the line/paragraph separators and the
# direction controls: a log line shows them escaped, never acts on them.
_LOG_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                           "\u200e\u200f\u061c]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# typed text that would read as one of those escapes (or as a doubled backslash)
_READS_AS_ESCAPE = re.compile(r"\\[\\nrtxu]")
CONTINUATION = "  | "  # starts every further line of one record (a traceback's)


def redact_text(text: str) -> str:
    text = _URL_USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", redact(text))
    return _URL_QUERY.sub(lambda m: f"{m.group(1)}?{MASK}", text)


def scrub_personal_data(text: str) -> str:
    """``text`` without the customer's phone numbers, IBANs and e-mail local parts (the
    domain stays: it tells which mail service a failure was about)."""
    text = _IBAN_OTHER.sub(_iban_or_not, _IBAN_UA.sub(IBAN_MASK, text))
    text = _CARD.sub(_card_or_not, text)
    text = _EMAIL.sub(lambda m: f"{MASK}@{m.group(1)}", text)
    text = _PHONE_PLUS.sub(PHONE_MASK, text)
    return _PHONE_UA.sub(PHONE_MASK, text)


def _iban_or_not(match: re.Match[str]) -> str:
    """The longest prefix of the match that is an IBAN (its ISO 13616 mod-97 check tells it
    from an id that merely looks alike), masked; the rest of the match as it was."""
    text = match.group(0)
    for end in range(len(text), 14, -1):
        head = text[:end]
        if head[-1].isspace() or (end < len(text) and not text[end].isspace()):
            continue  # a prefix ends where a group of the text ends
        raw = re.sub(r"\s", "", head)
        if 15 <= len(raw) <= 34 and _mod97(raw) == 1:
            return IBAN_MASK + text[end:]
    return text


def _mod97(raw: str) -> int:
    return int("".join(str(int(c, 36)) for c in raw[4:] + raw[:4])) % 97


def _card_or_not(match: re.Match[str]) -> str:
    """A card number (Luhn) masked: the whole match, or its four groups of four when what
    follows them is another number ("4111 1111 1111 1111 100 UAH")."""
    text = match.group(0)
    for end in (len(text), 19):
        if end <= len(text) and _luhn(text[:end]):
            return CARD_MASK + text[end:]
    return text


def _luhn(text: str) -> bool:
    digits = [int(c) for c in text if c.isdigit()]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2)
                for i, d in enumerate(reversed(digits)))
    return len(digits) >= 15 and total % 10 == 0


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` for a log line: line breaks, tabs, ESC and every other control character
    (C0, DEL, C1), line/paragraph separators and direction controls written as escapes
    (``\\n``, ``\\x1b``, ``\\u202e``); ``keep_newlines`` keeps ``\\n`` (a traceback)."""
    if text.isprintable() and "\\" not in text:  # the common case, in C
        return text
    escaped = {m.group(0) for m in _LOG_CONTROLS.finditer(text)} - (
        {"\n"} if keep_newlines else set())
    if not escaped and _READS_AS_ESCAPE.search(text) is None:
        return text  # "C:\\Program Files" stays as is: nothing in it reads as an escape
    # a backslash the text had is doubled when the line has escapes or the text has what
    # reads as one: "\\n" was typed, "\n" was a line break (a reader can tell them apart)
    text = text.replace("\\", "\\\\")

    def escape(match: re.Match[str]) -> str:
        ch = match.group(0)
        if keep_newlines and ch == "\n":
            return ch
        if ch in _NAMED_ESCAPES:
            return _NAMED_ESCAPES[ch]
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"

    return _LOG_CONTROLS.sub(escape, text)


def exception_text(exc: BaseException, tb: TracebackType | None = None) -> str:
    """An exception for the log: its type and traceback (``tb``, default its own; the chain
    included), each message only redacted and scrubbed of personal data, control characters
    escaped but the traceback's line breaks (logged as a message, those are escaped too)."""
    lines = traceback.format_exception(type(exc), exc, tb or exc.__traceback__)
    return escape_controls(_log_text("".join(lines).rstrip("\n")), keep_newlines=True)


def exception_line(exc: BaseException) -> str:
    """An expected failure for the log, on one line: its type and its message, redacted and
    scrubbed of personal data, control characters escaped (a line break in a server's body
    cannot start a forged line; no traceback: the failure is reported, not a defect)."""
    return escape_controls(_log_text(f"{type(exc).__name__}: {exc}"))


def _log_text(text: str) -> str:
    return scrub_personal_data(redact_text(text))


def _scrub(record: logging.LogRecord) -> None:
    if getattr(record, "_teller_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep what we can, masked
        message = f"{record.msg!s} {record.args!r}"
    record.msg = escape_controls(_log_text(message))  # one line, whatever it quotes
    record.args = None
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = _block(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = _block(record.exc_text)
    if record.stack_info:
        record.stack_info = _block(record.stack_info)
    record._teller_redacted = True


def _block(text: str) -> str:
    """A traceback or stack: its lines kept (``MarkedLinesFormatter`` marks them)."""
    return escape_controls(_log_text(text), keep_newlines=True)


class MarkedLinesFormatter(logging.Formatter):
    """Every further line of a record (a traceback, a stack) starts with ``CONTINUATION``:
    only a record's first line starts with its time, so no text it carries can read as a
    record of its own. Control characters a record still holds are escaped."""

    def format(self, record: logging.LogRecord) -> str:
        text = escape_controls(super().format(record), keep_newlines=True)
        return text.replace("\n", "\n" + CONTINUATION)


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
