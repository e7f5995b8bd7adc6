"""DCM → bank Auth Service callbacks (PLATFORM_API §2.5) at step 3 of customer create,
additional account and payment confirm.

The sandbox signs a short RS256 JWT with its own DCM key (``dcm_private_pem``/``dcm_kid`` in
meta, public part at ``/api/v1/.well-known/jwks.json``) and sends it in ``X-Session-ID``. A
non-200 answer, more than 1 s, or a body without ``key`` declines the operation with 401.
A counterparty without stored URLs (no ``--bank-auth-url``) is not called at all.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import time
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization

from .db import Store
from .errors import ApiError

TIMEOUT = 1.0  # §2.5: "each method must answer within 1 second"
TOKEN_TTL = 60
MAX_EXTERNAL_ID = 500
DECLINED = "bank auth service declined: "


class BankAuth:
    """One per app: the DCM signing key (loaded once) and a pooled async HTTP client."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._key: Any = None
        self._http: httpx.AsyncClient | None = None

    def _signing_key(self) -> tuple[Any, str]:
        if self._key is None:
            pem = self.store.meta("dcm_private_pem") or ""
            self._key = serialization.load_pem_private_key(pem.encode(), password=None)
        return self._key, str(self.store.meta("dcm_kid"))

    def token(self, sub: str, obj: str, flow: str) -> str:
        key, kid = self._signing_key()
        now = int(time.time())
        claims = {"sub": sub, "obj": obj, "flow": flow, "iat": now, "exp": now + TOKEN_TTL,
                  "jti": secrets.token_hex(16), "iss": "dcm"}
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            # trust_env=False: a proxy from the environment must never see the callback.
            self._http = httpx.AsyncClient(timeout=TIMEOUT, trust_env=False,
                                           follow_redirects=False)
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def call(self, cp: sqlite3.Row, method: str, *, sub: str, obj: str,
                   flow: str) -> dict[str, Any] | None:
        """``method`` is ``user_auth`` or ``key``. None when the counterparty has no Auth
        Service configured; the 200 body otherwise; ApiError(401) when declined."""
        url = cp[f"user_{'auth' if method == 'user_auth' else method}_url"]
        if not url:
            return None
        headers = {"X-Session-ID": self.token(sub, obj, flow)}
        try:
            resp = await asyncio.wait_for(self._client().get(url, headers=headers), TIMEOUT)
        except (TimeoutError, httpx.TimeoutException):
            raise _declined(f"/{method} did not answer within {TIMEOUT:g} s") from None
        except httpx.HTTPError as exc:
            raise _declined(f"/{method} unreachable ({type(exc).__name__})") from None
        if resp.status_code != 200:
            raise _declined(f"/{method} answered {resp.status_code}")
        try:
            body = resp.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise _declined(f"/{method} answered a body that is not a JSON object")
        key = body.get("key")
        if not isinstance(key, str) or not key:
            raise _declined(f"/{method} has no key for {obj!r}")
        if method == "user_auth":
            ext = body.get("external_id")
            if not isinstance(ext, str) or not ext or len(ext) > MAX_EXTERNAL_ID:
                raise _declined("/user_auth answered no valid external_id")
        return body


def _declined(why: str) -> ApiError:
    return ApiError(401, DECLINED + why)


def configure(store: Store, cp: str, base_url: str | None) -> None:
    """Store (or, with "", clear) the Auth Service URLs of counterparty ``cp``."""
    urls: tuple[str | None, ...] = (None, None, None)
    if base_url:
        base = base_url.rstrip("/")
        urls = (f"{base}/user_auth", f"{base}/key", f"{base}/external_id")
    with store.tx():
        store.conn.execute(
            "UPDATE counterparties SET user_auth_url = ?, user_key_url = ?, user_id_url = ? "
            "WHERE guid = ?", (*urls, cp))


def configured_base(store: Store, cp: str) -> str | None:
    url = store.scalar("SELECT user_auth_url FROM counterparties WHERE guid = ?", (cp,))
    return str(url).removesuffix("/user_auth") if url else None


def payer_external_id(sender: sqlite3.Row) -> str:
    """``obj`` of a confirm: the paying customer's external id, or the key keeper of the
    bank entity that pays (a branch's or the head office's processing/emission account)."""
    if sender["customer_guid"] is not None:
        return str(sender["customer_external_id"])
    if sender["branch_guid"]:
        return f"keykeeper:{sender['branch_guid']}"
    return f"keykeeper:{sender['counterparty_guid']}"
