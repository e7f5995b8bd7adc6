"""Bank JWTs minted by the hub for the Mode-B proxy (the bank key lives only here).

Claims: ``sub`` (employee e-mail), ``flow``/``obj`` per the operation (§2.4), ``iat``,
``exp = iat + 60`` at most, a random ``jti`` (DCM refuses a replay) and ``aud``.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_private_key

LIFETIME_S = 60


class _KeySettings(Protocol):
    @property
    def bank_key_file(self) -> Path | None: ...
    @property
    def bank_key_kid(self) -> str: ...
    @property
    def token_audience(self) -> str: ...


class Minter:
    def __init__(self, key: Any, kid: str, audience: str, lifetime: int = LIFETIME_S) -> None:
        self._key = key
        self.kid = kid
        self.audience = audience
        self.lifetime = min(lifetime, LIFETIME_S)

    def __repr__(self) -> str:
        return f"Minter(kid={self.kid!r}, audience={self.audience!r}, key=***)"

    def mint(self, sub: str, flow: str, obj: str) -> str:
        now = int(time.time())
        claims = {
            "sub": sub,
            "flow": flow,
            "obj": obj,
            "iat": now,
            "exp": now + self.lifetime,
            "jti": secrets.token_urlsafe(16),
            "aud": self.audience,
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})


_cache: dict[tuple[str, float, str, str], Minter] = {}
_lock = threading.Lock()


def minter_for(settings: _KeySettings) -> Minter:
    """The minter for the configured key file (re-read when the file changes: key rotation)."""
    path = settings.bank_key_file
    if path is None:
        raise ValueError("bank_key_file is not configured")
    mtime = os.stat(path).st_mtime
    cache_key = (str(path), mtime, settings.bank_key_kid, settings.token_audience)
    with _lock:
        found = _cache.get(cache_key)
        if found is None:
            key = load_pem_private_key(Path(path).read_bytes(), password=None)
            found = Minter(key, settings.bank_key_kid, settings.token_audience)
            _cache.clear()
            _cache[cache_key] = found
        return found
