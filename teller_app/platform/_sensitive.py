"""Process-wide registry of secret values and the masking used by logs and exceptions.

Lives in the wire layer so that auth code can register what it handles; the log filter in
``teller_app.secrets.redaction`` uses the same registry.
"""

from __future__ import annotations

import re
import threading

MASK = "***"
_MIN_LEN = 4  # shorter values would mask ordinary words; such secrets are refused upstream
# Bounded: the oldest registered value is forgotten first. Per-request tokens are never
# registered (the JWT pattern masks them), so a shift registers a few dozen values.
MAX_SECRETS = 10_000
_MAX_ODD = 256

_lock = threading.Lock()
# Registration is O(1) (a dict insert; no pattern is rebuilt). Masking scans the text token by
# token and looks each token, and each part of it between inner delimiters, up in the dict.
_secrets: dict[str, None] = {}
# The rare values that contain whitespace, quotes or separators cannot be found as tokens:
# they are searched for as substrings (a short, separately bounded list).
_odd: dict[str, None] = {}

# A token: a run of characters that are not whitespace, quotes or list/markup separators.
_TOKEN = re.compile(r"[^\s\"'`<>,;&|(){}\[\]\\]+")
_OUTER = re.compile(r"[\s\"'`<>,;&|(){}\[\]\\]")
# Inside a token, a secret may sit between these (key=secret, user:secret, /path/secret).
_INNER = frozenset("=:/?#@.+")
_MAX_BOUNDS = 24  # a token with more inner delimiters is checked only at its ends

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
    wherever it appears in logs or exception text from now on. O(1) per value."""
    if value is None:
        return
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    parts = {text.strip()}
    if "\n" in text:
        parts.update(line.strip() for line in text.splitlines() if len(line.strip()) >= 16)
    parts = {p for p in parts if len(p) >= _MIN_LEN and not p.startswith("-----")}
    with _lock:
        for part in parts:
            target = _odd if _OUTER.search(part) else _secrets
            if part in target:
                continue
            target[part] = None
            if len(target) > (_MAX_ODD if target is _odd else MAX_SECRETS):
                del target[next(iter(target))]  # forget the oldest


def registered_count() -> int:
    return len(_secrets) + len(_odd)


def forget_all_secrets() -> None:
    """Tests only: empty the registry."""
    with _lock:
        _secrets.clear()
        _odd.clear()


def _mask_token(token: str) -> str | None:
    """``token`` with every registered secret in it masked, or None if it holds none."""
    if token in _secrets:
        return MASK
    bounds = [-1, *(i for i, ch in enumerate(token) if ch in _INNER), len(token)]
    if len(bounds) == 2:
        return None
    if len(bounds) > _MAX_BOUNDS:
        bounds = bounds[: _MAX_BOUNDS // 2] + bounds[-_MAX_BOUNDS // 2:]
    out: list[str] = []
    done = 0  # token[:done] is already in out
    i = 0
    while i < len(bounds) - 1:
        start = bounds[i] + 1
        for j in range(len(bounds) - 1, i, -1):  # longest candidate first
            end = bounds[j]
            if end - start >= _MIN_LEN and token[start:end] in _secrets:
                out += [token[done:start], MASK]
                done = end
                i = j
                break
        else:
            i += 1
    if not out:
        return None
    out.append(token[done:])
    return "".join(out)


def _mask_registered(text: str) -> str:
    if _odd:
        for secret in list(_odd):
            if secret in text:
                text = text.replace(secret, MASK)
    if not _secrets:
        return text
    out: list[str] = []
    last = 0
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if len(token) < _MIN_LEN:
            continue
        masked = _mask_token(token)
        if masked is not None:
            out += [text[last:match.start()], masked]
            last = match.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def redact(text: str) -> str:
    """Mask every registered secret and anything JWT-, bearer-, PEM- or token-shaped."""
    if not text:
        return text
    text = _mask_registered(text)
    text = _PEM.sub(MASK, text)
    text = _JWT.sub(MASK, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{MASK}", text)
    return _KV.sub(lambda m: f"{m.group(1)}{MASK}", text)
