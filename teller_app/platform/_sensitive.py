"""Process-wide registry of secret values and the masking used by logs and exceptions.

Lives in the wire layer so that auth code can register what it handles; the log filter in
``teller_app.secrets.redaction`` uses the same registry.
"""

from __future__ import annotations

import re
import threading

MASK = "***"
_MIN_LEN = 4  # shorter values would mask ordinary words; such secrets are refused upstream

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None

# Anything JWT-shaped (three base64url segments, the first one a JSON header "eyJ...").
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
# "bearer <token>" / "Authorization: <value>" / CX-Authorization headers.
_BEARER = re.compile(r"(?i)\b(bearer)\s+[^\s\"',]+")
_AUTH_HEADER = re.compile(r"(?i)((?:cx-)?authorization['\"]?\s*[:=]\s*['\"]?)[^\s\"',]+")
# session_token / password / csrf_token key-value pairs in JSON, forms or reprs.
_KV = re.compile(
    r"(?i)([\"']?(?:session_token|password|csrf_token|private_key|token)[\"']?\s*[:=]\s*[\"']?)"
    r"[^\s\"'&,}]+"
)
_PEM = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.S
)


def register_secret(value: str | bytes | None) -> None:
    """Mask ``value`` (and, for multi-line values such as PEM keys, each long line of it)
    wherever it appears in logs or exception text from now on."""
    if value is None:
        return
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    parts = {text.strip()}
    if "\n" in text:
        parts.update(line.strip() for line in text.splitlines() if len(line.strip()) >= 16)
    parts = {p for p in parts if len(p) >= _MIN_LEN and not p.startswith("-----")}
    if not parts:
        return
    global _pattern
    with _lock:
        if parts <= _secrets:
            return
        _secrets.update(parts)
        ordered = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def forget_all_secrets() -> None:
    """Tests only: empty the registry."""
    global _pattern
    with _lock:
        _secrets.clear()
        _pattern = None


def redact(text: str) -> str:
    """Mask every registered secret and anything JWT-, bearer-, PEM- or token-shaped."""
    if not text:
        return text
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _PEM.sub(MASK, text)
    text = _JWT.sub(MASK, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{MASK}", text)
    return _KV.sub(lambda m: f"{m.group(1)}{MASK}", text)
