"""``HubClient``: the desk's async client of the Teller Hub (the bank-side service).

Sessions in both modes (Mode A: the DCM Kratos session token; Mode B: the hub's own e-mail +
password), who am I, and customer secrets (issue, exists; a secret itself never comes back).
Errors are the platform's tree (``errors.py``), except that a hub that cannot be reached
raises ``HubUnavailable``, not ``Unavailable``: the platform may be fine, the desk stays online.

Retries: GETs and the secret issue (idempotent per external id on the hub) are retried with
backoff; a session POST only when the connection could not be opened at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

import httpx
import pydantic
from pydantic import BaseModel, ConfigDict, Field

from ._http import HttpCore, QueryValue, RetryPolicy, Sleep
from ._sensitive import register_secret
from .errors import HubUnavailable, PlatformError, Unavailable

SESSIONS_PATH = "/api/v1/sessions"
ME_PATH = "/api/v1/me"
SECRETS_PATH = "/api/v1/secrets"
DEFAULT_HUB_TIMEOUT = httpx.Timeout(connect=3.0, read=10.0, write=10.0, pool=5.0)
M = TypeVar("M", bound=BaseModel)


class HubEmployee(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    email: str
    name: str = ""
    roles: tuple[str, ...] = ()
    branch_guid: str | None = None
    head_office: bool = False


class HubSession(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    token: str = Field(repr=False)
    expires_at: datetime | None = None
    employee: HubEmployee


class SecretIssued(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    external_id: str
    created: bool


class _Exists(BaseModel):
    model_config = ConfigDict(extra="ignore")

    exists: bool


class HubClient:
    """Async client; ``token`` is the hub session token once a session is open."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: httpx.Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = HttpCore(
            self.base_url,
            timeout=timeout if timeout is not None else DEFAULT_HUB_TIMEOUT,
            retry=retry,
            transport=transport,
            sleep=sleep,
        )
        self.token: str | None = None
        self.session: HubSession | None = None

    def __repr__(self) -> str:
        return f"HubClient({self.base_url!r}, token={'***' if self.token else None})"

    async def __aenter__(self) -> HubClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- sessions -----------------------------------------------------------------------
    async def open_platform_session(self, session_token: str) -> HubSession:
        """Mode A: the hub checks the DCM session token with DCM and reads the employee."""
        register_secret(session_token)
        return await self._open({"mode": "platform", "session_token": session_token})

    async def open_password_session(self, email: str, password: str) -> HubSession:
        """Mode B: the hub's own employee store (argon2id)."""
        register_secret(password)
        return await self._open({"mode": "password", "email": email, "password": password})

    async def _open(self, body: dict[str, str]) -> HubSession:
        data = await self._request("POST", SESSIONS_PATH, json_body=body, idempotent=False)
        session = self._parse(HubSession, data, "POST", SESSIONS_PATH)
        register_secret(session.token)
        self.token = session.token
        self.session = session
        return session

    async def close_session(self) -> None:
        """Log out (best effort is the caller's choice: errors are raised)."""
        if not self.token:
            return
        await self._request("DELETE", SESSIONS_PATH)
        self.token = None
        self.session = None

    async def me(self) -> HubEmployee:
        data = await self._request("GET", ME_PATH)
        employee = data.get("employee", data) if isinstance(data, dict) else data
        return self._parse(HubEmployee, employee, "GET", ME_PATH)

    # --- secrets ------------------------------------------------------------------------
    async def issue_secret(
        self,
        external_id: str,
        branch_guid: str | None,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
    ) -> SecretIssued:
        """Have the hub hold a secret for ``external_id`` (idempotent: ``created`` is False
        when it already had one). Retried like a GET: a lost answer never makes two."""
        body: dict[str, Any] = {"external_id": external_id, "branch_guid": branch_guid}
        extra = {"first_name": first_name, "last_name": last_name, "email": email, "phone": phone}
        body.update({k: v for k, v in extra.items() if v})
        data = await self._request("POST", SECRETS_PATH, json_body=body, idempotent=True)
        return self._parse(SecretIssued, data, "POST", SECRETS_PATH)

    async def secret_exists(self, external_id: str) -> bool:
        path = f"{SECRETS_PATH}/{_segment(external_id)}"
        data = await self._request("GET", path)
        return self._parse(_Exists, data, "GET", SECRETS_PATH).exists

    # --- other hub APIs (tills, cash limits, voids: ``core/till*.py``) -------------------
    async def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, QueryValue] | None = None,
        desk_id: str | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """One JSON call with the session's Bearer token (and ``X-Desk-ID`` when given)."""
        return await self._request(method, path, json_body=json_body, params=params,
                                   desk_id=desk_id, idempotent=idempotent)

    # --- internals ----------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def _request(
        self, method: str, path: str, *, json_body: Any = None, idempotent: bool | None = None,
        params: Mapping[str, QueryValue] | None = None, desk_id: str | None = None,
    ) -> Any:
        def headers() -> dict[str, str]:
            out = self._headers()
            if desk_id:
                out["X-Desk-ID"] = desk_id
            return out

        try:
            return await self._http.request(
                method, path, json_body=json_body, params=params, headers=headers,
                idempotent=idempotent
            )
        except PlatformError as exc:
            if not isinstance(exc, Unavailable):
                exc.path = _safe_path(path)
                raise
            raise HubUnavailable(
                f"the Teller Hub cannot be reached: {exc.message}",
                status_code=exc.status_code,
                method=method,
                path=_safe_path(path),
            ) from None

    @staticmethod
    def _parse(model: type[M], data: Any, method: str, path: str) -> M:
        try:
            return model.model_validate(data)
        except pydantic.ValidationError as exc:
            raise HubUnavailable(
                f"unexpected answer shape from the hub ({exc.error_count()} problems)",
                method=method,
                path=path,
            ) from None


def _segment(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _safe_path(path: str) -> str:
    # a secret's external id (a customer's login) stays out of error texts
    return SECRETS_PATH if path.startswith(SECRETS_PATH + "/") else path
