"""A tiny in-memory platform behind ``httpx.MockTransport``, written from PLATFORM_API.md,
for fault-injection tests only (the real-HTTP tests use the sandbox).

``faults`` is a list of callables ``(request, fake) -> Response | Exception | None``; the first
non-None result replaces (Response) or interrupts (Exception, raised) normal handling.
``after_faults`` run after the request was handled (to lose the answer of a request that did
take effect)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx

from teller_app.platform import RetryPolicy

CP = "e8fd9c29-24d5-4af4-a6b9-933f59e5023d"
EMAIL = "teller@bank.test"
PASSWORD = "pässword-Very-Secret-42"
EMPLOYEE_GUID = "d97ad667-d72c-4a93-b27d-568ca53c30c3"
BRANCH = "0b8c6c1e-3a3a-4f0e-9a51-3c6a1c1f0b01"
NO_WAIT = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0)  # retries with no delay

Fault = Callable[[httpx.Request, "FakePlatform"], "httpx.Response | Exception | None"]


@dataclass
class FakePlatform:
    faults: list[Fault] = field(default_factory=list)
    after_faults: list[Fault] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    logins: int = 0
    last_request: httpx.Request | None = None
    bodies: list[Any] = field(default_factory=list)
    employee_disabled: bool = False

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def count(self, method: str, path_end: str) -> int:
        return sum(1 for m, p in self.calls if m == method and p.endswith(path_end))

    def expire_sessions(self) -> None:
        self.tokens.clear()

    # ------------------------------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path))
        self.last_request = request
        for fault in self.faults:
            result = fault(request, self)
            if isinstance(result, Exception):
                raise result
            if result is not None:
                return result
        response = self._route(request)
        for fault in self.after_faults:
            result = fault(request, self)
            if isinstance(result, Exception):
                raise result
            if result is not None:
                return result
        return response

    def _route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/kratos/self-service/login/api":
            return _json({"id": "flow-1", "ui": {"nodes": [
                {"attributes": {"name": "csrf_token", "value": "csrf-abcdef123456"}}]}})
        if path == "/kratos/self-service/login":
            form = parse_qs(request.content.decode())
            if form.get("identifier") != [EMAIL] or form.get("password") != [PASSWORD]:
                return _json({"error": "Access credentials are invalid"}, 401)
            if self.employee_disabled:
                return _json({"error": "identity is disabled"}, 401)
            if form.get("csrf_token") != ["csrf-abcdef123456"]:
                return _json({"error": "csrf"}, 400)
            self.logins += 1
            token = f"ory_st_{uuid.uuid4().hex}"
            self.tokens.add(token)
            return _json({"session_token": token, "session": {
                "expires_at": "2030-01-01T00:00:00Z",
                "identity": {"id": EMPLOYEE_GUID, "traits": {"email": EMAIL}}}})
        auth = request.headers.get("authorization", "")
        cx = request.headers.get("cx-authorization", "")
        if not cx and (not auth.lower().startswith("bearer ") or auth[7:] not in self.tokens):
            return _json({"error": "Access credentials are invalid"}, 401)
        prefix = f"/api/v1/counterparty/{CP}"
        rest = path[len(prefix):] if path.startswith(prefix) else path
        body = json.loads(request.content) if request.content else None
        if body is not None:
            self.bodies.append(body)
        params = request.url.params
        if rest == "/customers" and request.method == "POST":
            return self._create_customer(body)
        if rest == "/customers" and request.method == "GET":
            items = list(self.customers.values())
            if params.get_list("logins"):
                items = [c for c in items if c["login"] in params.get_list("logins")]
            if params.get_list("wallet_user_guids"):
                items = [c for c in items
                         if c["wallet_user_guid"] in params.get_list("wallet_user_guids")]
            off, lim = int(params.get("offset", 0)), int(params.get("limit", 50))
            return _json({"customers": items[off:off + lim], "total": len(items)})
        if rest.startswith("/customers/") and rest.endswith("/accounts"):
            guid = rest.split("/")[2]
            return _json({"accounts": self.accounts.get(guid, []),
                          "total": len(self.accounts.get(guid, []))})
        if rest.startswith("/customers/") and request.method == "PUT":
            return _json({})
        if rest == "/employees":
            return _json({"employees": [{
                "guid": EMPLOYEE_GUID, "counterparty_guid": CP, "email": EMAIL, "login": EMAIL,
                "name": "Olena", "surname": "Teller", "branch_guid": BRANCH,
                "branch_name": "Kyiv", "roles": ["Teller"],
                "is_disabled": self.employee_disabled}], "total": 1})
        if rest == f"/branches/{BRANCH}":
            return _json({"guid": BRANCH, "name": "Kyiv", "counterparty_guid": CP})
        if rest == "/payments" and request.method == "POST":
            return _json({"guid": str(uuid.uuid4())})
        return _json({"error": "not found"}, 404)

    def _create_customer(self, body: dict[str, Any]) -> httpx.Response:
        login = body.get("login")
        if any(c["login"] == login for c in self.customers.values()):
            return _json({"error": "failed to create wallet user: failed to sign up: response "
                          "status code is not 2xx but 409; error was "
                          "\"{\\\"error\\\":\\\"logic error\\\"}\\n\""}, 400)
        guid, acc = str(uuid.uuid4()), str(uuid.uuid4())
        self.customers[guid] = {
            "wallet_user_guid": guid, "counterparty_guid": CP, "login": login,
            "name": body.get("name", ""), "kyc_level": 0, "is_disabled": False,
            "balance_allowed": 0, "branch_guid": "", "created_at": "2024-05-01T10:00:00Z",
            "updated_at": "2024-05-01T10:00:00.123456Z"}
        account = {"guid": acc, "wallet_account_guid": acc, "type": str(uuid.uuid4()),
                   "name": "customer", "assets_total": 1, "iban": "", "activated": True,
                   "assets": [{"code": body["asset_code"], "stellar_code": "eUAH",
                               "stellar_issuer": body["asset_issuer"], "minor_unit": 2,
                               "balance": 0, "activated": True, "name": "Ukraine Hryvnia"}]}
        self.accounts[guid] = [account]
        return _json({**account, "customer_guid": guid})


def _json(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(),
                          headers={"Content-Type": "application/json"})
