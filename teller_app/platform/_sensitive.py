"""Process-wide registry of secret values and the masking used by logs and exceptions.

Lives in the wire layer so that auth code can register what it handles; the log filter in
``teller_app.secrets.redaction`` uses the same registry.

Values are kept as keyed digests (BLAKE2b, a key made at start and never written), so the
registry holds no plain text of a password or token; only the rare values that contain
whitespace or separators, which are searched for as substrings, are kept as they are (a short,
bounded list). A value registered inside ``secret_scope()`` is forgotten when the scope ends
(a supervisor's credentials typed at a teller's desk), unless the scope keeps it.
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

MASK = "***"
_MIN_LEN = 4  # shorter values would mask ordinary words; such secrets are refused upstream
# Bounded: the oldest registered value is forgotten first. Per-request tokens are never
# registered (the JWT pattern masks them), so a shift registers a few dozen values.
MAX_SECRETS = 10_000
_MAX_ODD = 256

_lock = threading.Lock()
_KEY = os.urandom(32)
# Registration is O(1) (a dict insert; no pattern is rebuilt). Masking scans the text token by
# token and looks each token, and each part of it between inner delimiters, up in the dict
# (digest -> length); only parts of a registered length are hashed at all.
_secrets: dict[bytes, int] = {}
_lengths: dict[int, int] = {}  # length -> how many registered digests have it
# The rare values that contain whitespace, quotes or separators cannot be found as tokens:
# they are searched for as substrings (a short, separately bounded list, in plain text).
_odd: dict[str, None] = {}
_Key = bytes | str  # a digest (token-like values) or the value itself (odd ones)
_owners: dict[_Key, SecretScope] = {}  # values a live scope registered first
_scope: contextvars.ContextVar[SecretScope | None] = contextvars.ContextVar(
    "teller_secret_scope", default=None)

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


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), key=_KEY,
                           digest_size=16).digest()


def _parts(value: str | bytes | None) -> set[str]:
    """What is masked of ``value``: the whole of it and, for multi-line values such as PEM
    keys, each long line of it."""
    if value is None:
        return set()
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    parts = {text.strip()}
    if "\n" in text:
        parts.update(line.strip() for line in text.splitlines() if len(line.strip()) >= 16)
    return {p for p in parts if len(p) >= _MIN_LEN and not p.startswith("-----")}


def _key(part: str) -> _Key:
    return part if _OUTER.search(part) else _digest(part)


def _held(key: _Key) -> bool:
    return key in _odd if isinstance(key, str) else key in _secrets


def _drop(key: _Key) -> None:
    """Forget one entry (the caller holds ``_lock``)."""
    _owners.pop(key, None)
    if isinstance(key, str):
        _odd.pop(key, None)
        return
    length = _secrets.pop(key, None)
    if length is not None:
        left = _lengths.get(length, 0) - 1
        if left > 0:
            _lengths[length] = left
        else:
            _lengths.pop(length, None)


def _add(key: _Key, length: int) -> None:
    """Add one entry, forgetting the oldest past the bound (the caller holds ``_lock``)."""
    if isinstance(key, str):
        _odd[key] = None
        if len(_odd) > _MAX_ODD:
            _drop(next(iter(_odd)))
        return
    _secrets[key] = length
    _lengths[length] = _lengths.get(length, 0) + 1
    if len(_secrets) > MAX_SECRETS:
        _drop(next(iter(_secrets)))


class SecretScope:
    """The values first registered while it is active (in this task and the tasks and
    threads it starts) are forgotten when it ends, unless ``keep`` hands them on."""

    def __init__(self, parent: SecretScope | None) -> None:
        self.parent = parent
        self.closed = False
        self._added: list[_Key] = []

    def keep(self, *values: str | bytes | None) -> None:
        """Hand these values on to the enclosing scope (registered for good when there is
        none): e.g. a password and session token once the sign-in worked."""
        heir = _open_scope(self.parent)
        with _lock:
            for part in {p for v in values for p in _parts(v)}:
                key = _key(part)
                if _owners.get(key) is not self:
                    continue
                if heir is None:
                    del _owners[key]
                else:
                    _owners[key] = heir
                    heir._added.append(key)

    def _close(self) -> None:
        with _lock:
            self.closed = True
            for key in self._added:
                if _owners.get(key) is self:
                    _drop(key)
            self._added.clear()


def _open_scope(scope: SecretScope | None) -> SecretScope | None:
    while scope is not None and scope.closed:  # a task that outlived its scope
        scope = scope.parent
    return scope


@contextmanager
def secret_scope() -> Iterator[SecretScope]:
    """``with secret_scope():`` everything registered inside that was not registered already
    is forgotten at the end: credentials used once are not kept in this process."""
    scope = SecretScope(_scope.get())
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)
        scope._close()


def register_secret(value: str | bytes | None) -> None:
    """Mask ``value`` (and, for multi-line values such as PEM keys, each long line of it)
    wherever it appears in logs or exception text from now on (inside ``secret_scope``: until
    the scope ends). O(1) per value."""
    parts = _parts(value)
    if not parts:
        return
    scope = _open_scope(_scope.get())
    with _lock:
        for part in parts:
            key = _key(part)
            if _held(key):
                if scope is None:
                    _owners.pop(key, None)  # registered for good now, whoever added it
                continue
            _add(key, len(part))
            if scope is not None:
                _owners[key] = scope
                scope._added.append(key)


def forget_secrets(*values: str | bytes | None) -> None:
    """Stop masking these values (credentials that are no longer used anywhere)."""
    with _lock:
        for part in {p for v in values for p in _parts(v)}:
            _drop(_key(part))


def registered_count() -> int:
    return len(_secrets) + len(_odd)


def forget_all_secrets() -> None:
    """Tests only: empty the registry."""
    with _lock:
        _secrets.clear()
        _lengths.clear()
        _odd.clear()
        _owners.clear()


def _known(part: str) -> bool:
    return len(part) in _lengths and _digest(part) in _secrets


def _mask_token(token: str) -> str | None:
    """``token`` with every registered secret in it masked, or None if it holds none."""
    if _known(token):
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
            if end - start >= _MIN_LEN and end - start in _lengths \
                    and _known(token[start:end]):
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
