"""Bank JWTs minted by the hub for the Mode-B proxy (the bank key lives only here).

Claims: ``sub`` (employee e-mail), ``flow``/``obj`` per the operation (§2.4), ``iat``,
``exp = iat + 60`` at most, a random ``jti`` (DCM refuses a replay) and ``aud``.

The ``kid`` is ``bank_key_kid`` when the settings give one (the kid registered with DCM),
else the key's RFC 7638 JWK thumbprint: a key file rotated in place then signs with its own
kid, never with the old key's.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from .settings import SettingsError, require_private

LIFETIME_S = 60
log = logging.getLogger("teller_hub.bank_key")


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


def jwk_thumbprint(key: RSAPublicKey) -> str:
    """RFC 7638: SHA-256 of the required members ``e``, ``kty``, ``n`` in lexicographic order,
    no whitespace, base64url without padding."""
    numbers = key.public_numbers()
    members = {"e": _b64_uint(numbers.e), "kty": "RSA", "n": _b64_uint(numbers.n)}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":"),
                                       sort_keys=True).encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _b64_uint(value: int) -> str:
    raw = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


_cache: dict[tuple[str, int, int, int, str, str], Minter] = {}
# configured kid -> thumbprint of the key last loaded under it (an in-place rotation shows)
_seen: dict[str, str] = {}
_lock = threading.Lock()


def minter_for(settings: _KeySettings) -> Minter:
    """The minter for the configured key file (re-read when the file changes: key rotation).
    The file must be private (0600): it is the bank's signing key."""
    path = settings.bank_key_file
    if path is None:
        raise ValueError("bank_key_file is not configured")
    st = os.stat(path)
    cache_key = (str(path), st.st_mtime_ns, st.st_ino, st.st_size, settings.bank_key_kid,
                 settings.token_audience)
    with _lock:
        found = _cache.get(cache_key)
        if found is None:
            try:
                require_private(Path(path), "bank key file")
            except SettingsError:
                log.error("bank key file refused: readable by others (chmod 600)")
                raise
            key = load_pem_private_key(Path(path).read_bytes(), password=None)
            if not isinstance(key, RSAPrivateKey):
                raise SettingsError("bank key file: an RSA private key is needed (RS256)")
            found = Minter(key, _kid(settings.bank_key_kid, jwk_thumbprint(key.public_key())),
                           settings.token_audience)
            _cache.clear()
            _cache[cache_key] = found
        return found


def _kid(configured: str, thumbprint: str) -> str:
    if not configured:
        log.info("bank key loaded", extra={"kid": thumbprint, "kid_from": "thumbprint"})
        return thumbprint
    before = _seen.get(configured)
    _seen[configured] = thumbprint
    if before is not None and before != thumbprint:
        # DCM checks this key against the JWK registered under the old kid: every token fails
        log.error("bank key file changed but bank_key_kid still names the old key: register "
                  "the new key's JWK and set its kid (or leave bank_key_kid empty)",
                  extra={"kid": configured, "key_thumbprint": thumbprint})
    else:
        log.info("bank key loaded", extra={"kid": configured, "kid_from": "settings"})
    return configured
