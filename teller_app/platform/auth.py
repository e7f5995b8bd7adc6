"""Authentication modes.

* ``PasswordLogin`` — Mode A: Ory Kratos native login flow, then ``Authorization: bearer``.
  One transparent re-login on 401 (serialised by an asyncio.Lock so concurrent 401s log in once).
  A login whose answer is lost is never sent again on its flow (Kratos consumes a flow with
  the first POST, so a re-send reads as a wrong password): it starts once more on a new flow.
* ``BankJwtLogin`` — Mode B: a fresh RS256 JWT (60 s) per request in ``CX-Authorization`` with
  ``Authorization`` empty. Claims: ``sub`` = employee e-mail; ``flow``/``obj`` per operation:
  customer/account creation -> ``sign-up`` with ``obj`` = the customer's login; payments and
  all reads -> ``sign-in`` with ``obj`` = the counterparty GUID (our choice: a read acts on no
  single customer, and the teller never knows the key keeper's login). Used by bank-side
  services (the hub) that hold the key; the desk never does.
* ``HubLogin`` — Mode B from the desk: e-mail + password to the Teller Hub, then
  ``Authorization: Bearer <hub token>`` to the hub's ``/dcm`` proxy, which checks role and
  branch and mints the bank JWT. One transparent re-login on 401, like ``PasswordLogin``.

A password is masked in logs (``_sensitive``) while its sign-in runs and kept masked only when
the sign-in worked: a wrong guess is never remembered by this process.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import jwt

from ._sensitive import register_secret, secret_scope
from .errors import AuthError, NotFound, PlatformError, Unavailable, ValidationError
from .models._base import _parse_timestamp

if TYPE_CHECKING:
    from ._http import HttpCore
    from .hub_client import HubClient, HubEmployee

KRATOS_FLOW_PATH = "/kratos/self-service/login/api"
KRATOS_LOGIN_PATH = "/kratos/self-service/login"
KRATOS_LOGOUT_PATH = "/kratos/self-service/logout/api"
log = logging.getLogger("teller_app.platform.auth")


@dataclass(frozen=True)
class Operation:
    """What a request does, for bank-JWT claims. ``obj`` None = the counterparty."""

    flow: str = "sign-in"
    obj: str | None = None


READ = Operation()


class PasswordLogin:
    """E-mail + password via Kratos. ``session_token`` may be given to re-use a saved session
    (the password is then only needed when it has expired)."""

    mode = "password"

    def __init__(self, email: str, password: str | None, *, session_token: str | None = None):
        self.email = email
        self._password = password or ""
        self.session_token: str | None = session_token
        self.expires_at: datetime | None = None
        self.identity_id: str | None = None
        self._lock: asyncio.Lock | None = None
        register_secret(session_token)  # a saved session; the password once it has worked

    def __repr__(self) -> str:
        return f"PasswordLogin(email={self.email!r}, password=***)"

    def held_secrets(self) -> tuple[str | None, ...]:
        """What this sign-in holds (to be forgotten with a short-lived session)."""
        return self._password or None, self.session_token

    def forget(self) -> None:
        """Its session closed: the password kept for a re-login and the session token are
        dropped, so nothing closed holds them (a later call cannot sign in again)."""
        self._password = ""
        self.session_token = None

    # --- used by PlatformClient ----------------------------------------------------------
    def headers(self, op: Operation, counterparty_guid: str) -> dict[str, str]:
        if not self.session_token:
            return {}
        return {"Authorization": f"bearer {self.session_token}"}

    def marker(self) -> str | None:
        return self.session_token

    async def ensure(self, http: HttpCore) -> None:
        if not self.session_token:
            await self._locked_login(http, None)

    async def relogin(self, http: HttpCore, stale: str | None) -> bool:
        """After a 401 with token ``stale``: log in again unless another task already did."""
        if not self._password:
            return False
        await self._locked_login(http, stale)
        return True

    async def _locked_login(self, http: HttpCore, stale: str | None) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.session_token and self.session_token != stale:
                return  # refreshed by another task while we waited
            await self.login(http)

    async def login(self, http: HttpCore) -> None:
        if not self._password:
            raise AuthError("no password to sign in with", reason="invalid_credentials")
        with secret_scope() as attempt:  # a failed attempt leaves nothing registered
            register_secret(self._password)
            try:
                body = await self._submit(http)
            except Unavailable as exc:
                if exc.not_sent:  # never reached Kratos (the transport already re-tried)
                    raise
                # The answer was lost: Kratos may have consumed the flow (and made a session
                # we never learn). The same flow would now say "not found": a new one.
                log.info("login answer lost (%s): once more on a new flow", type(exc).__name__)
                body = await self._submit(http)
            self._accept(body)
            attempt.keep(self._password, self.session_token)

    async def _submit(self, http: HttpCore) -> Any:
        """One login: a new flow, then its POST, sent once (a flow takes one attempt)."""
        flow = await http.request("GET", KRATOS_FLOW_PATH, idempotent=True)
        flow_id, csrf = _flow_fields(flow)
        form = {
            "identifier": self.email,
            "password": self._password,
            "method": "password",
            "csrf_token": csrf,
        }
        try:
            return await http.request(
                "POST", KRATOS_LOGIN_PATH, params={"flow": flow_id}, form=form, idempotent=False
            )
        except (AuthError, ValidationError) as exc:
            raise _login_error(exc) from None

    def _accept(self, body: Any) -> None:
        token = body.get("session_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthError(
                "login answer has no session token",
                reason="invalid_credentials",
                method="POST",
                path=KRATOS_LOGIN_PATH,
            )
        register_secret(token)
        self.session_token = token
        session = body.get("session")
        session = session if isinstance(session, dict) else {}
        self.expires_at = _parse_timestamp(session.get("expires_at"))
        identity = session.get("identity")
        identity = identity if isinstance(identity, dict) else {}
        ident = identity.get("id")
        self.identity_id = ident if isinstance(ident, str) and ident else None

    async def logout(self, http: HttpCore) -> bool:
        """Kratos native logout (revokes the token). Best effort, never raises."""
        token, self.session_token = self.session_token, None
        if not token:
            return False
        try:
            await http.request("DELETE", KRATOS_LOGOUT_PATH,
                               json_body={"session_token": token}, idempotent=True)
        except PlatformError as exc:  # already gone (403/404) or platform down
            log.info("logout not confirmed: %s", type(exc).__name__)
            return False
        return True


def is_not_found(exc: BaseException) -> bool:
    """A 404, or the 400 a server sends instead for an unknown GUID or path (§1.6 documents
    only "400 json with error msg"; e.g. ``{"error": "record not found"}``)."""
    if isinstance(exc, NotFound):
        return True
    return isinstance(exc, ValidationError) and "not found" in exc.message.lower()


def _flow_fields(flow: Any) -> tuple[str, str]:
    if not isinstance(flow, dict) or not isinstance(flow.get("id"), str):
        raise AuthError(
            "login flow answer has no id",
            reason="invalid_credentials",
            method="GET",
            path=KRATOS_FLOW_PATH,
        )
    csrf = ""
    ui = flow.get("ui")
    ui = ui if isinstance(ui, dict) else {}
    for node in ui.get("nodes") or []:
        attrs = node.get("attributes") if isinstance(node, dict) else None
        if isinstance(attrs, dict) and attrs.get("name") == "csrf_token":
            csrf = str(attrs.get("value") or "")
    register_secret(csrf)
    return flow["id"], csrf


def _login_error(exc: PlatformError) -> AuthError:
    text = exc.message.lower()
    reason = "disabled" if ("disabled" in text or "inactive" in text) else "invalid_credentials"
    return AuthError(
        exc.message, status_code=exc.status_code, method=exc.method, path=exc.path, reason=reason
    )


class BankJwtLogin:
    """Bank-signed RS256 JWTs (no login); see the module docstring for the claims."""

    mode = "bank_jwt"

    def __init__(
        self,
        email: str,
        private_key_pem: bytes | str,
        kid: str,
        *,
        lifetime: int = 60,
        audience: str = "dcm",
    ) -> None:
        self.email = email
        self.kid = kid
        self.lifetime = lifetime
        self.audience = audience
        pem = private_key_pem.encode() if isinstance(private_key_pem, str) else private_key_pem
        register_secret(pem)
        self._key_pem = pem
        self._key: Any = None
        self.session_token: str | None = None
        self.expires_at: datetime | None = None
        self.identity_id: str | None = None

    def __repr__(self) -> str:
        return f"BankJwtLogin(email={self.email!r}, kid={self.kid!r}, key=***)"

    def held_secrets(self) -> tuple[str | None, ...]:
        return (self.session_token,)  # the bank's key stays masked: the service keeps it

    def forget(self) -> None:
        """Its session closed: the last session token is dropped (the key is the service's)."""
        self.session_token = None

    def _private_key(self) -> Any:
        if self._key is None:
            from cryptography.hazmat.primitives.serialization import load_pem_private_key

            try:
                self._key = load_pem_private_key(self._key_pem, password=None)
            except (ValueError, TypeError) as exc:
                raise AuthError(
                    f"the bank private key cannot be read ({type(exc).__name__})", reason="bad_key"
                ) from None
        return self._key

    def token(self, op: Operation, counterparty_guid: str) -> str:
        now = int(time.time())
        claims = {
            "sub": self.email,
            "obj": op.obj or counterparty_guid,
            "flow": op.flow,
            "iat": now,
            "exp": now + self.lifetime,
            "jti": secrets.token_urlsafe(16),  # single use: DCM refuses a replay
            "aud": self.audience,
        }
        # Not registered as a secret: one per request would grow the registry without bound;
        # the JWT-shaped pattern of the redaction masks every such token anyway.
        return jwt.encode(
            claims, self._private_key(), algorithm="RS256", headers={"kid": self.kid}
        )

    def headers(self, op: Operation, counterparty_guid: str) -> dict[str, str]:
        return {"CX-Authorization": self.token(op, counterparty_guid), "Authorization": ""}

    def marker(self) -> str | None:
        return None

    async def ensure(self, http: HttpCore) -> None:
        self._private_key()

    async def relogin(self, http: HttpCore, stale: str | None) -> bool:
        return False  # a fresh JWT is minted per request: a 401 is final

    async def login(self, http: HttpCore, counterparty_guid: str = "") -> None:
        """Check the key against the platform (``POST .../jwk/authenticate``, no side effects).
        A server without that endpoint (404) is accepted."""
        self._private_key()
        if not counterparty_guid:
            return
        op = Operation("sign-in", counterparty_guid)
        try:
            body = await http.request(
                "POST",
                f"/api/v1/counterparty/{counterparty_guid}/jwk/authenticate",
                headers=lambda: self.headers(op, counterparty_guid),
                idempotent=True,
            )
        except (NotFound, ValidationError) as exc:
            if is_not_found(exc):
                return
            raise
        except AuthError as exc:
            raise AuthError(
                exc.message,
                status_code=exc.status_code,
                method=exc.method,
                path=exc.path,
                reason="bank_auth",
            ) from None
        token = body.get("session_token") if isinstance(body, dict) else None
        if isinstance(token, str):
            register_secret(token)
        self.expires_at = datetime.fromtimestamp(time.time() + self.lifetime, tz=UTC)


class HubLogin:
    """Mode B through the Teller Hub: e-mail + password to the hub (``POST /api/v1/sessions``,
    mode password), then ``Authorization: Bearer <hub token>`` on every request to the hub's
    ``/dcm`` proxy, which checks role and branch and mints the bank JWT (the bank key never
    reaches the desk). One transparent re-login on 401, like ``PasswordLogin``.

    ``hub`` is the ``HubClient`` of the hub the PlatformClient's base URL proxies through."""

    mode = "hub"

    def __init__(self, hub: HubClient, email: str, password: str | None) -> None:
        self.hub = hub
        self.email = email
        self._password = password or ""
        self.session_token: str | None = None
        self.expires_at: datetime | None = None
        self.identity_id: str | None = None
        self.employee: HubEmployee | None = None
        self._lock: asyncio.Lock | None = None

    def __repr__(self) -> str:
        return f"HubLogin(email={self.email!r}, password=***)"

    def held_secrets(self) -> tuple[str | None, ...]:
        return self._password or None, self.session_token

    def forget(self) -> None:
        """Its session closed: the password kept for a re-login and the hub token dropped."""
        self._password = ""
        self.session_token = None
        self.hub.token = None
        self.hub.session = None

    def headers(self, op: Operation, counterparty_guid: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.session_token}"} if self.session_token else {}

    def marker(self) -> str | None:
        return self.session_token

    async def ensure(self, http: HttpCore) -> None:
        if not self.session_token:
            await self._locked_login(None)

    async def relogin(self, http: HttpCore, stale: str | None) -> bool:
        if not self._password:
            return False
        await self._locked_login(stale)
        return True

    async def _locked_login(self, stale: str | None) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.session_token and self.session_token != stale:
                return
            await self.login()

    async def login(self) -> None:
        if not self._password:
            raise AuthError("no password to sign in with", reason="invalid_credentials")
        with secret_scope() as attempt:  # a failed attempt leaves nothing registered
            register_secret(self._password)
            try:
                session = await self.hub.open_password_session(self.email, self._password)
            except (AuthError, ValidationError) as exc:
                # The hub does not tell a wrong password from a disabled employee (no account
                # enumeration): never guess "disabled" from its text.
                raise AuthError(exc.message, status_code=exc.status_code, method=exc.method,
                                path=exc.path, reason="invalid_credentials") from None
            attempt.keep(self._password, session.token)
        self.session_token = session.token
        self.expires_at = session.expires_at
        self.employee = session.employee


Auth = PasswordLogin | BankJwtLogin | HubLogin
