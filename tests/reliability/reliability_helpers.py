"""Reliability suite helpers: a fault-injecting transport in front of the *real* sandbox
(requests really reach it; only answers are replaced or lost), unique names, new customers.
(A module of its own: ``from conftest import`` gets whichever directory's conftest pytest
loaded last when several test directories are given.)"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import NewCustomer

TELLER = "teller.kyiv@demo.bank"
# A fault decides, per request, what the client gets instead of the real answer:
# None = the real answer; "drop-before" = never sent (connection refused);
# an httpx.Response = sent to the sandbox (applied!), then this answer instead of the real one.
Fault = Callable[[httpx.Request, int], "httpx.Response | str | None"]


@dataclass
class FaultyTransport(httpx.AsyncBaseTransport):
    """Forwards to the real server; ``fault`` may replace or lose the answer."""

    fault: Fault | None = None
    sent: list[tuple[str, str]] = field(default_factory=list)  # reached the server
    seen: int = 0
    real: httpx.AsyncHTTPTransport = field(default_factory=httpx.AsyncHTTPTransport)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen += 1
        decision = self.fault(request, self.seen) if self.fault else None
        if decision == "drop-before":
            raise httpx.ConnectError("injected: connection refused", request=request)
        await request.aread()
        response = await self.real.handle_async_request(request)
        self.sent.append((request.method, request.url.path))
        if isinstance(decision, httpx.Response):
            await response.aread()
            await response.aclose()
            return decision
        if decision == "lost":  # applied on the server, the answer never arrives
            await response.aread()
            await response.aclose()
            raise httpx.ReadTimeout("injected: answer lost", request=request)
        return response

    async def aclose(self) -> None:
        await self.real.aclose()

    def posts(self, path_end: str) -> int:
        return sum(1 for m, p in self.sent if m == "POST" and p.endswith(path_end))


def unique(prefix: str = "r") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def new_customer(proc: SandboxProcess, branch_guid: str | None, **fields: Any) -> NewCustomer:
    asset = proc.manifest["asset"]
    body = {"asset_code": asset["code"], "asset_issuer": asset["issuer"],
            "login": unique("rel-"), "branch_guid": branch_guid, "surname": "Надійний",
            **fields}
    return NewCustomer(**body)


def password_of(proc: SandboxProcess, email: str) -> str:
    return next(e["password"] for e in proc.manifest["employees"] if e["email"] == email)
