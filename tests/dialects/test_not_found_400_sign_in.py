"""Dialect ``not-found-400`` at sign-in: an unknown GUID or path is a 400 ``{"error": "record
not found"}``, not a 404 (§1.6 documents only "400 json with error msg"). The sign-in reads
it as "not there", as it reads a 404: the employee's branch the server does not know
(Mode A) and a server without ``jwk/authenticate`` (a bank JWT's check). Real sandbox; the
transport only rewrites what is asked for (the answers are the sandbox's own)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator

import httpx
import pytest

from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.core.session import open_session
from teller_app.platform import PasswordLogin, PlatformClient, ValidationError
from teller_app.platform.auth import is_not_found
from teller_app.secrets import Profile
from tests.platform.sandbox_helpers import bank_jwt_auth

TELLER = "teller.kyiv@demo.bank"


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    proc = start_sandbox(tmp_path_factory.mktemp("nf400") / "data", dialects=["not-found-400"])
    assert proc.manifest["dialects"] == ["not-found-400"]
    yield proc
    proc.stop()


class Rewriting(httpx.AsyncBaseTransport):
    """Forwards to the sandbox. The teller's employee record names a branch this server does
    not know (what a DCM shows for a branch gone from its records); requests to
    ``jwk/authenticate`` go to a path the server lacks (an older DCM)."""

    def __init__(self, branch: str) -> None:
        self.branch = branch
        self.real = httpx.AsyncHTTPTransport()
        self.answers: list[tuple[str, int, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/jwk/authenticate"):
            request.url = request.url.copy_with(path=request.url.path + "/not-here")
        response = await self.real.handle_async_request(request)
        body = await response.aread()
        self.answers.append((request.url.path, response.status_code, body.decode()))
        if request.url.path.endswith("/employees") and response.status_code == 200:
            data = json.loads(body)
            for emp in data.get("employees") or []:
                if emp.get("email") == TELLER:
                    emp.update(branch_guid=self.branch, branch_name="")
            body = json.dumps(data).encode()
        headers = [(k, v) for k, v in response.headers.items()
                   if k.lower() not in ("content-length", "content-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=body)

    async def aclose(self) -> None:
        await self.real.aclose()


def test_sign_in_reads_a_400_not_found_branch_as_no_branch_name(sb: SandboxProcess) -> None:
    unknown = str(uuid.uuid4())
    transport = Rewriting(unknown)
    profile = Profile(name="nf400", base_url=sb.base_url, counterparty_guid=sb.counterparty_guid)
    password = sb.employee("Teller", 0)["password"]

    async def scenario() -> tuple[str | None, str]:
        session = await open_session(profile, PasswordLogin(TELLER, password),
                                     transport=transport)
        try:
            return session.branch_guid, session.branch_name
        finally:
            await session.close()

    assert asyncio.run(scenario()) == (unknown, "")
    asked = [(status, body) for path, status, body in transport.answers
             if path.endswith(f"/branches/{unknown}")]
    assert asked and asked[0][0] == 400 and "not found" in asked[0][1]  # the dialect's answer


def test_a_bank_jwt_check_where_the_server_has_no_such_path(sb: SandboxProcess) -> None:
    transport = Rewriting(str(uuid.uuid4()))

    async def scenario() -> None:
        client = PlatformClient(sb.base_url, sb.counterparty_guid, auth=bank_jwt_auth(sb),
                                transport=transport)
        try:
            await client.login()  # POST .../jwk/authenticate: 400 "record not found": accepted
        finally:
            await client.aclose()

    asyncio.run(scenario())
    assert [s for p, s, _b in transport.answers if p.endswith("/not-here")] == [400]


def test_only_a_400_saying_not_found_is_read_as_absent() -> None:
    assert is_not_found(ValidationError("record not found", status_code=400))
    assert not is_not_found(ValidationError("invalid UUID length: 0", status_code=400))

