"""DCM's public keys (``{dcm_url}/api/v1/.well-known/jwks.json``) and X-Session-ID checks.

Keys are cached by ``kid``; an unknown ``kid`` refetches the set (DCM rotated its key), at
most once per ``REFETCH_INTERVAL_S`` so a flood of made-up kids cannot hammer DCM. A fetch that
failed (DCM slow or away) may be tried again after ``RETRY_AFTER_FAILURE_S``: one slow answer
must not refuse every DCM call for the whole interval.

A token is short-lived and used once: ``iat`` required and not ahead of the clock,
``exp - iat`` at most ``TokenPolicy.max_lifetime``, ``iss``/``aud`` when the settings name
them, and a ``jti`` (PLATFORM_API §2.4 lists none; the sandbox sends one) spent in the
database on first use (``token_replay``), so no process of the hub takes it twice.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import math
import time
from dataclasses import dataclass
from typing import Any, TypeGuard

import httpx
import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm

from .token_replay import JtiLedger

log = logging.getLogger("teller_hub.jwks")

REFETCH_INTERVAL_S = 5.0
RETRY_AFTER_FAILURE_S = 1.0
FETCH_TIMEOUT_S = 2.0  # DCM waits on this answer; a loaded DCM took over 0.5 s (the old limit)
LEEWAY_S = 5  # PLATFORM_API §2.4: exp >= now - 5 s (and iat <= now + 5 s)
MAX_JTI = 256
FLOWS = frozenset({"sign-in", "sign-up", "sign-up-processing", "sign-up-emission"})


class TokenError(ValueError):
    """The X-Session-ID is not a valid DCM token (message safe to return)."""


@dataclass(frozen=True)
class DcmClaims:
    sub: str
    obj: str
    flow: str


@dataclass(frozen=True)
class TokenPolicy:
    """What an X-Session-ID must carry beyond a DCM signature (hub settings ``dcm_token_*``)."""

    max_lifetime: int = 300
    issuer: str = ""  # empty: not checked
    audience: str = ""


class JwksCache:
    def __init__(self, dcm_url: str, http: httpx.AsyncClient, *,
                 policy: TokenPolicy | None = None, ledger: JtiLedger | None = None) -> None:
        self._url = f"{dcm_url.rstrip('/')}/api/v1/.well-known/jwks.json"
        self._http = http
        self.policy = policy or TokenPolicy()
        self._ledger = ledger
        self._keys: dict[str, RSAPublicKey] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> RSAPublicKey:
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
            resp = await self._http.get(self._url, timeout=FETCH_TIMEOUT_S)
            resp.raise_for_status()
            keys = resp.json()["keys"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("jwks fetch failed", extra={"error": type(exc).__name__})
            # the next unknown kid may ask again soon: the throttle is for answers we have
            self._fetched_at -= REFETCH_INTERVAL_S - RETRY_AFTER_FAILURE_S
            return
        fresh: dict[str, Any] = {}
        for jwk in keys if isinstance(keys, list) else []:
            if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not jwk.get("kid"):
                continue
            try:
                key = RSAAlgorithm.from_jwk(jwk)
            except (ValueError, KeyError, jwt.InvalidKeyError):
                continue
            if isinstance(key, RSAPublicKey):  # never accept a private JWK as a verifier
                fresh[str(jwk["kid"])] = key
        self._keys = fresh
        log.info("jwks refreshed", extra={"keys": len(fresh)})

    async def verify(self, token: str) -> DcmClaims:
        """RS256 signature by a DCM key, ``exp`` (5 s leeway), ``nbf``, ``iat``, the lifetime,
        ``iss``/``aud`` (when set), ``sub``/``obj``/``flow``; then its ``jti`` is spent.

        Parsed by hand with strict base64url: PyJWT's own parsing costs ~0.4 ms per token in
        pure Python, most of this route's CPU budget at 200 req/s."""
        if not token or len(token) > 8192:
            raise TokenError("missing X-Session-ID")
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("X-Session-ID is not a JWT")
        header = _json_segment(parts[0])
        if header.get("alg") != "RS256":
            raise TokenError("X-Session-ID must be signed with RS256")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("X-Session-ID has no kid")
        key = await self.key(kid)
        try:
            key.verify(_b64(parts[2]), f"{parts[0]}.{parts[1]}".encode("ascii"),
                       padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError, UnicodeEncodeError):
            raise TokenError("X-Session-ID rejected: bad signature") from None
        claims = _json_segment(parts[1])
        now = time.time()
        exp, nbf, iat = claims.get("exp"), claims.get("nbf"), claims.get("iat")
        if not _is_number(exp):
            raise TokenError("X-Session-ID has no valid exp")
        if now > float(exp) + LEEWAY_S:
            raise TokenError("X-Session-ID has expired")
        if nbf is not None and (not _is_number(nbf) or now + LEEWAY_S < float(nbf)):
            raise TokenError("X-Session-ID is not valid yet")
        if not _is_number(iat):
            raise TokenError("X-Session-ID has no valid iat")
        if float(iat) > now + LEEWAY_S:
            raise TokenError("X-Session-ID is issued in the future")
        if not 0 <= float(exp) - float(iat) <= self.policy.max_lifetime:
            raise TokenError("X-Session-ID lifetime (exp - iat) is out of bounds")
        self._check_issuer_audience(claims)
        jti = claims.get("jti")
        if jti is not None and (not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI):
            raise TokenError("X-Session-ID has an invalid jti")
        sub, obj, flow = claims.get("sub"), claims.get("obj"), claims.get("flow", "sign-in")
        if not isinstance(sub, str) or not isinstance(obj, str) or not sub or not obj:
            raise TokenError("X-Session-ID: sub and obj must be non-empty strings")
        if len(obj) > 500:
            raise TokenError("X-Session-ID: obj longer than 500 characters")
        if not isinstance(flow, str) or flow not in FLOWS:  # a list is unhashable
            raise TokenError("X-Session-ID: unknown flow")
        if jti is not None and self._ledger is not None and not await self._ledger.spend(
                jti, int(float(exp)) + LEEWAY_S + 1):  # kept while the token could pass
            raise TokenError("X-Session-ID replayed (jti already used)")
        return DcmClaims(sub=sub.strip().lower(), obj=obj, flow=str(flow))

    def _check_issuer_audience(self, claims: dict[str, Any]) -> None:
        policy = self.policy
        if policy.issuer and claims.get("iss") != policy.issuer:
            raise TokenError("X-Session-ID: wrong or missing iss")
        if policy.audience:
            aud = claims.get("aud")
            auds = aud if isinstance(aud, list) else [aud]
            if policy.audience not in auds:
                raise TokenError("X-Session-ID: wrong or missing aud")


def _b64(segment: str) -> bytes:
    try:
        return base64.b64decode(segment + "=" * (-len(segment) % 4), altchars=b"-_",
                                validate=True)
    except (binascii.Error, ValueError):
        raise TokenError("X-Session-ID is not a JWT (bad base64url)") from None


def _json_segment(segment: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64(segment))
    except (ValueError, UnicodeDecodeError):
        raise TokenError("X-Session-ID is not a JWT (bad JSON)") from None
    if not isinstance(value, dict):
        raise TokenError("X-Session-ID is not a JWT (not an object)")
    return value


def _is_number(value: Any) -> TypeGuard[int | float]:
    """A JSON number a time can be: finite (Python's ``json`` also reads NaN and Infinity) and
    within a 64-bit integer (a larger int would not convert to a float)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**63) < value < 2**63
    return isinstance(value, float) and math.isfinite(value)
