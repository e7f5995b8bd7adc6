"""The proxy's side towards DCM: each call with a fresh hub-minted token, and DCM's answer
relayed to the desk with DCM's own clock (the checks read DCM through the same calls)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import Response

from teller_app.hub.models import HubEmployee
from teller_app.hub.proxy_rules import Refusal
from teller_app.hub.proxy_tokens import Minter

FORWARD_TIMEOUT = httpx.Timeout(connect=3.0, read=30.0, write=10.0, pool=5.0)
SIGN_IN = "sign-in"
SIGN_UP = "sign-up"
PLATFORM_DATE = "X-Platform-Date"


class DcmCalls:
    """Calls to DCM on behalf of one employee, each with a fresh hub-minted token."""

    def __init__(self, http: httpx.AsyncClient, base: str, minter: Minter,
                 employee: HubEmployee) -> None:
        self.http = http
        self.base = base.rstrip("/")
        self.minter = minter
        self.employee = employee
        self.customers: dict[str, dict[str, Any]] = {}  # read for a check, by GUID

    async def send(self, method: str, path: str, query: list[tuple[str, str]],
                   content: bytes | None, flow: str, obj: str) -> httpx.Response:
        token = self.minter.mint(self.employee.email, flow, obj)
        headers = {"CX-Authorization": token, "Authorization": "", "Accept": "application/json"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        url = self.base + path + (("?" + urlencode(query)) if query else "")
        return await self.http.request(method, url, content=content, headers=headers,
                                       timeout=FORWARD_TIMEOUT)

    async def read(self, path: str, query: list[tuple[str, str]]) -> Any:
        """A GET for a check; None when DCM has no such thing (404 or empty)."""
        resp = await self.send("GET", path, query, None, SIGN_IN, self.employee.email)
        if resp.status_code == 404:
            return None
        if resp.status_code >= 400:
            raise Refusal(502 if resp.status_code >= 500 else resp.status_code,
                          "DCM refused the hub's check")
        try:
            return resp.json()
        except ValueError:
            raise Refusal(502, "DCM sent an unreadable answer") from None


def relay(resp: httpx.Response) -> Response:
    """DCM's answer; its clock rides along as ``X-Platform-Date`` (the hub's server sets its
    own ``Date``): a desk's incremental sync counts in the platform's time, not the hub's.
    The body is the decoded one (httpx undoes DCM's gzip), so DCM's ``Content-Encoding`` and
    ``Content-Length`` are never relayed with it; the hub's GZip middleware compresses it for
    the desk when the desk accepts gzip."""
    date = resp.headers.get("date")
    return Response(resp.content, status_code=resp.status_code,
                    headers={PLATFORM_DATE: date} if date else None,
                    media_type=resp.headers.get("content-type", "application/json"))
