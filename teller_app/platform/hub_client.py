"""``HubClient``: the desk's async client of the Teller Hub (the bank-side service).

Sessions in both modes (Mode A: the DCM Kratos session token; Mode B: the hub's own e-mail +
password), who am I, customer secrets (issue, exists; a secret itself never comes back), and
the four-eyes API: requests (file, list, approve, reject, withdraw, resume), policy, the SSE
event stream, alerts and the audit log (its calls in ``hub_audit.py``; models in
``hub_models.py`` and, for sessions and secrets, ``hub_session_models.py``).
Errors are the platform's tree (``errors.py``), except that a hub that cannot be reached
raises ``HubUnavailable``, not ``Unavailable``: the platform may be fine, the desk stays online;
a write refused because this desk is older than the hub allows raises ``DeskTooOld`` (426)
(``_hub_errors.py``).
Every request says the desk's API (``X-Teller-Desk-Api``, ``api_version``); ``version()``
reads the hub's.

Retries: GETs and the secret issue (idempotent per external id on the hub) are retried with
backoff; a session POST only when the connection could not be opened at all.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from types import TracebackType
from typing import Any, cast

import httpx

from ._http import CONNECT_TIMEOUT_S, HttpCore, QueryValue, RetryPolicy, Sleep, _handle
from ._hub_errors import hub_error
from ._sensitive import register_secret
from ._sse import close_stream, sse_events
from ._wire import M, exact_text, parse_model, path_segment
from .api_version import VERSION_PATH, HubVersion
from .errors import HubUnavailable, PlatformError, Unavailable
from .hub_audit import AUDIT_PATH as AUDIT_PATH
from .hub_audit import HubAuditApi
from .hub_models import (
    AlertList,
    ChangeRequest,
    EventList,
    HubEvent,
    PolicyDoc,
    PolicyVerdict,
    RequestList,
)
from .hub_session_models import HubEmployee as HubEmployee
from .hub_session_models import HubSession as HubSession
from .hub_session_models import SecretIssued as SecretIssued
from .hub_session_models import _Exists
from .transport import TransportSettings

SESSIONS_PATH = "/api/v1/sessions"
ME_PATH = "/api/v1/me"
SECRETS_PATH = "/api/v1/secrets"
REQUESTS_PATH = "/api/v1/requests"
POLICY_PATH = "/api/v1/policy"
EVENTS_PATH = "/api/v1/events"
ALERTS_PATH = "/api/v1/alerts"
# The stream waits for events as long as it takes; the hub pings every HUB_PING_S
# (``routes_audit.stream_events``: EventSourceResponse(ping=15)), so a read that waits two
# pings and a margin means the stream stalled (a laptop's sleep, a proxy holding bytes): it
# is dropped and reconnected, and the desk stops saying "Live", within 35 s, not 60.
HUB_PING_S = 15.0
STREAM_READ_TIMEOUT_S = 2 * HUB_PING_S + 5.0
# connect: a branch's slow backup link (``_http.CONNECT_TIMEOUT_S``)
STREAM_TIMEOUT = httpx.Timeout(connect=CONNECT_TIMEOUT_S, read=STREAM_READ_TIMEOUT_S,
                               write=10.0, pool=5.0)
DEFAULT_HUB_TIMEOUT = httpx.Timeout(connect=CONNECT_TIMEOUT_S, read=10.0, write=10.0, pool=5.0)


class HubClient(HubAuditApi):
    """Async client; ``token`` is the hub session token once a session is open."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: httpx.Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        settings: TransportSettings | None = None,
    ) -> None:
        # ``settings``: the profile's CA bundle, SPKI pins and proxy, as for DCM (in Mode B
        # the desk's DCM calls reach this same host through /dcm)
        self.base_url = base_url.rstrip("/")
        self._http = HttpCore(
            self.base_url,
            timeout=timeout if timeout is not None else DEFAULT_HUB_TIMEOUT,
            retry=retry,
            transport=transport,
            sleep=sleep,
            settings=settings,
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
        await self._request("DELETE", SESSIONS_PATH, idempotent=True)  # ending it twice is harmless
        self.token = None
        self.session = None

    async def version(self) -> HubVersion:
        """The hub's API, the oldest desk API it takes writes from, its version (no session
        needed)."""
        data = await self._request("GET", VERSION_PATH)
        return self._parse(HubVersion, data, "GET", VERSION_PATH)

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
        path = f"{SECRETS_PATH}/{path_segment(external_id)}"
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

    # --- four-eyes: requests --------------------------------------------------------------
    async def file_request(
        self, kind: str, customer_guid: str, change: dict[str, Any], reason: str, *,
        request_id: str | None = None, desk_id: str = "",
    ) -> ChangeRequest:
        """File a request (maker = this session). ``request_id`` (a UUID) makes a retry
        idempotent: the same id, maker and change answer the stored request."""
        body: dict[str, Any] = {"kind": kind, "customer_guid": customer_guid,
                                "change": exact_text(change), "reason": reason}
        if request_id:
            body["id"] = request_id
        if desk_id:
            body["desk_id"] = desk_id
        data = await self._request("POST", REQUESTS_PATH, json_body=body,
                                   idempotent=request_id is not None)
        return self._parse(ChangeRequest, data, "POST", REQUESTS_PATH)

    async def list_requests(
        self, *, states: tuple[str, ...] = (), mine: bool = False,
        customer_guid: str | None = None, limit: int = 100, before: float | None = None,
        before_id: str | None = None,
    ) -> list[ChangeRequest]:
        """Newest first (created_at, then id). The next page: ``before`` and ``before_id`` of
        the last row seen (``before`` alone skips the rest of that row's second)."""
        params: dict[str, Any] = {"state": list(states), "limit": limit}
        if mine:
            params["mine"] = True
        if customer_guid:
            params["customer_guid"] = customer_guid
        if before is not None:
            params["before"] = int(before)  # the hub keeps whole seconds
            if before_id is not None:
                params["before_id"] = before_id
        data = await self._request("GET", REQUESTS_PATH, params=params)
        return self._parse(RequestList, data, "GET", REQUESTS_PATH).requests

    async def get_request(self, request_id: str, *, current: bool = False) -> ChangeRequest:
        """One request; ``current``: with what changed on its customer since it was filed
        (``ChangeRequest.current``, one DCM read on the hub: for a request being looked at)."""
        path = f"{REQUESTS_PATH}/{path_segment(request_id)}"
        params: dict[str, Any] = {"current": "true"} if current else {}
        data = await self._request("GET", path, params=params or None)
        return self._parse(ChangeRequest, data, "GET", path)

    async def approve(
        self, request_id: str, sha256: str, *, comment: str = "",
        session_token: str | None = None, desk_id: str = "",
    ) -> ChangeRequest:
        """Approve what was displayed (``sha256`` of its canonical JSON). Mode A: the
        approver's own platform session token, for this call only (never kept here)."""
        body: dict[str, Any] = {"sha256": sha256, "comment": comment}
        if session_token:
            register_secret(session_token)
            body["session_token"] = session_token
        if desk_id:
            body["desk_id"] = desk_id
        return await self._decide(request_id, "approve", body)

    async def reject(self, request_id: str, comment: str, *, sha256: str | None = None,
                     desk_id: str = "") -> ChangeRequest:
        body: dict[str, Any] = {"comment": comment}
        if sha256:
            body["sha256"] = sha256
        if desk_id:
            body["desk_id"] = desk_id
        return await self._decide(request_id, "reject", body)

    async def withdraw(self, request_id: str, *, desk_id: str = "") -> ChangeRequest:
        return await self._decide(request_id, "withdraw", {"desk_id": desk_id} if desk_id else {})

    async def resume(self, request_id: str, *, session_token: str | None = None
                     ) -> ChangeRequest:
        body: dict[str, Any] = {}
        if session_token:
            register_secret(session_token)
            body["session_token"] = session_token
        return await self._decide(request_id, "resume", body)

    async def _decide(self, request_id: str, verb: str, body: dict[str, Any]) -> ChangeRequest:
        # Never retried: a decision whose answer was lost is read back, not re-sent.
        path = f"{REQUESTS_PATH}/{path_segment(request_id)}/{verb}"
        data = await self._request("POST", path, json_body=body, idempotent=False)
        return self._parse(ChangeRequest, data, "POST", path)

    # --- four-eyes: policy ----------------------------------------------------------------
    async def policy(self) -> PolicyDoc:
        return self._parse(PolicyDoc, await self._request("GET", POLICY_PATH), "GET",
                           POLICY_PATH)

    async def evaluate(
        self, kind: str, change: dict[str, Any], *, customer_guid: str | None = None,
        current: dict[str, Any] | None = None,
    ) -> PolicyVerdict:
        """Does this change need a second person (the hub's policy, before submit)?"""
        path = POLICY_PATH + "/evaluate"
        body: dict[str, Any] = {"kind": kind, "change": exact_text(change)}
        if customer_guid:
            body["customer_guid"] = customer_guid
        if current is not None:
            body["current"] = exact_text(current)
        data = await self._request("POST", path, json_body=body, idempotent=True)
        return self._parse(PolicyVerdict, data, "POST", path)

    # --- four-eyes: alerts and events -------------------------------------------------------
    async def alerts(self, state: str | None = "open", limit: int = 500,
                     before_id: int | None = None) -> AlertList:
        """Newest first, up to ``limit`` (the hub's most: 500); ``more`` says some are left
        (older than ``next_before_id``: pass it as ``before_id``)."""
        params: dict[str, Any] = {"limit": int(limit)}
        if state:
            params["state"] = state
        if before_id is not None:
            params["before_id"] = int(before_id)
        data = await self._request("GET", ALERTS_PATH, params=params)
        return self._parse(AlertList, data, "GET", ALERTS_PATH)

    async def ack_alert(self, alert_id: int, comment: str = "") -> None:
        path = f"{ALERTS_PATH}/{int(alert_id)}/ack"
        await self._request("POST", path, json_body={"comment": comment}, idempotent=False)

    async def events_after(self, after: int, limit: int = 200) -> EventList:
        path = EVENTS_PATH + "/list"
        data = await self._request("GET", path, params={"after": after, "limit": limit})
        return self._parse(EventList, data, "GET", path)

    async def stream_events(self, last_event_id: int | None = None
                            ) -> AsyncGenerator[HubEvent, None]:
        """The SSE stream, frame by frame. The first item is ``kind="ready"`` with ``id`` =
        the hub's current last event id. Resumes after ``last_event_id`` when given. Ends
        (returns) when the hub closes the stream; raises ``HubUnavailable`` when it cannot
        be reached, ``AuthError`` on 401. Reconnecting is the caller's job."""
        headers = {"Accept": "text/event-stream", **self._headers()}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        try:
            async with self._http._client.stream("GET", EVENTS_PATH, headers=headers,
                                                  timeout=STREAM_TIMEOUT) as response:
                if response.status_code != 200:
                    await response.aread()
                    _handle(response, "GET", EVENTS_PATH)
                # httpx's is an async generator, typed as an iterator
                lines = cast(AsyncGenerator[str, None], response.aiter_lines())
                frames = sse_events(lines)  # held here: dropped only after the close below
                try:
                    async for event in frames:
                        yield event
                finally:  # all closed here, even if a second cancel lands meanwhile
                    await close_stream(response, frames, lines)
        except httpx.HTTPError as exc:
            raise HubUnavailable(f"the Teller Hub event stream broke: {type(exc).__name__}",
                                 method="GET", path=EVENTS_PATH) from None
        except Unavailable as exc:
            raise HubUnavailable(exc.message, status_code=exc.status_code, method="GET",
                                 path=EVENTS_PATH) from None

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
            error = hub_error(exc, method, _safe_path(path))
            if error is exc:
                raise
            raise error from None

    @staticmethod
    def _parse(model: type[M], data: Any, method: str, path: str) -> M:
        return parse_model(model, data, method, path, error=HubUnavailable, source="the hub")


def _safe_path(path: str) -> str:
    # a secret's external id (a customer's login) stays out of error texts
    return SECRETS_PATH if path.startswith(SECRETS_PATH + "/") else path
