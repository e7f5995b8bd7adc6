"""DCM's public keys (``{dcm_url}/api/v1/.well-known/jwks.json``) and X-Session-ID checks.

Keys are cached by ``kid``; an unknown ``kid`` refetches the set (DCM rotated its key), at
most once per ``REFETCH_INTERVAL_S`` so a flood of made-up kids cannot hammer DCM.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger("teller_hub.jwks")

REFETCH_INTERVAL_S = 5.0
LEEWAY_S = 5  # PLATFORM_API §2.4: exp >= now - 5 s
FLOWS = frozenset({"sign-in", "sign-up", "sign-up-processing", "sign-up-emission"})


class TokenError(ValueError):
    """The X-Session-ID is not a valid DCM token (message safe to return)."""


@dataclass(frozen=True)
class DcmClaims:
    sub: str
    obj: str
    flow: str


class JwksCache:
    def __init__(self, dcm_url: str, http: httpx.AsyncClient) -> None:
        self._url = f"{dcm_url.rstrip('/')}/api/v1/.well-known/jwks.json"
        self._http = http
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> Any:
        key = self._keys.get(kid)
        if key is not None:
            return key
        async with self._lock:
            key = self._keys.get(kid)
            if key is None and time.monotonic() - self._fetched_at >= REFETCH_INTERVAL_S:
                await self._fetch()
                key = self._keys.get(kid)
        if key is None:
            raise TokenError("unknown signing key (kid)")
        return key

    async def _fetch(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            resp = await self._http.get(self._url, timeout=0.5)
            resp.raise_for_status()
            keys = resp.json()["keys"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("jwks fetch failed", extra={"error": type(exc).__name__})
            return
        fresh: dict[str, Any] = {}
        for jwk in keys if isinstance(keys, list) else []:
            if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not jwk.get("kid"):
                continue
            try:
                fresh[str(jwk["kid"])] = RSAAlgorithm.from_jwk(jwk)
            except (ValueError, KeyError, jwt.InvalidKeyError):
                continue
        self._keys = fresh
        log.info("jwks refreshed", extra={"keys": len(fresh)})

    async def verify(self, token: str) -> DcmClaims:
        if not token or len(token) > 8192:
            raise TokenError("missing X-Session-ID")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError("X-Session-ID is not a JWT") from None
        if header.get("alg") != "RS256":
            raise TokenError("X-Session-ID must be signed with RS256")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("X-Session-ID has no kid")
        key = await self.key(kid)
        try:
            claims = jwt.decode(token, key, algorithms=["RS256"], leeway=LEEWAY_S,
                                options={"require": ["sub", "obj", "exp"],
                                         "verify_aud": False})
        except jwt.ExpiredSignatureError:
            raise TokenError("X-Session-ID has expired") from None
        except jwt.PyJWTError as exc:
            raise TokenError(f"X-Session-ID rejected: {type(exc).__name__}") from None
        sub, obj, flow = claims.get("sub"), claims.get("obj"), claims.get("flow", "sign-in")
        if not isinstance(sub, str) or not isinstance(obj, str) or not sub or not obj:
            raise TokenError("X-Session-ID: sub and obj must be non-empty strings")
        if len(obj) > 500:
            raise TokenError("X-Session-ID: obj longer than 500 characters")
        if flow not in FLOWS:
            raise TokenError("X-Session-ID: unknown flow")
        return DcmClaims(sub=sub.strip().lower(), obj=obj, flow=str(flow))
