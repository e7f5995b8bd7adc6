"""The OpenAPI documents of the sandbox and the hub hold as contracts (issue 16, item 7).

A bounded Schemathesis run over every operation each server serves (fixed seed, positive
cases from the declared schemas), as an Administrator and as a Teller: every answer must be
no 5xx, a documented status code, and match the documented body. ``/__sim`` (the simulator's
own admin door, not part of the platform) and the hub's SSE stream (it never ends) are left
out. The ``slow`` variants draw more cases per operation.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from contract_helpers import hub_headers, kratos_token, record
from contract_runner import Stats, run
from hub_proc import HubProc, sign_in
from schemathesis import GenerationMode

from teller_app.core.embedded_sandbox import SandboxProcess

SANDBOX_EXCLUDE = (r"^\S+ /__sim/",)
HUB_EXCLUDE = (r"^GET /api/v1/events$",)
HUB_ADMIN_TOKEN_ROUTES = (r" /api/v1/admin/", r" /api/v1/audit/(verify|head)$")
SANDBOX_PEOPLE = {"admin": "admin@demo.bank", "teller": "teller.kyiv@demo.bank"}
FAST_EXAMPLES = {"sandbox": 8, "hub": 10}
# positive and negative cases per operation: 10 (was 25) keeps every operation's invalid
# inputs drawn while CI's single-process run stays inside its limit (these four were 273 s
# of a 65-minute run)
SLOW_EXAMPLES = 10
BOTH = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)  # slow: invalid inputs as well


def _fuzz_sandbox(sandbox: SandboxProcess, who: str, examples: int,
                  modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE,)) -> Stats:
    token = kratos_token(sandbox, SANDBOX_PEOPLE[who])
    return run(sandbox.base_url, {"Authorization": f"Bearer {token}"}, examples=examples,
               exclude=SANDBOX_EXCLUDE, modes=modes,
               fixed_path={"counterparty_guid": sandbox.counterparty_guid})


def _fuzz_hub(hub: HubProc, people: dict[str, str], who: str, examples: int,
              modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE,)) -> Stats:
    if who == "admin-token":  # the onboarding/admin routes take the hub's admin token
        headers = {"Authorization": f"Bearer {hub.admin_token}"}
    else:
        headers = hub_headers(hub, people[who])

    def fresh_session_for_sign_out(case: object) -> None:
        # DELETE /api/v1/sessions ends the session it is given: give it its own, so the
        # operations after it still run signed in.
        op = case.operation  # type: ignore[attr-defined]
        if who in people and op.method.upper() == "DELETE" and op.path == "/api/v1/sessions":
            with hub.client() as http:
                case.headers.update(sign_in(http, people[who]))  # type: ignore[attr-defined]

    return run(hub.base_url, headers, examples=examples, exclude=HUB_EXCLUDE, modes=modes,
               include=HUB_ADMIN_TOKEN_ROUTES if who == "admin-token" else (),
               prepare=fresh_session_for_sign_out)


def _check(stats: Stats, min_operations: int) -> None:
    assert stats.operations >= min_operations, stats.operations
    assert stats.cases >= stats.operations, "every operation got at least one case"
    assert not stats.failures, "contract broken:\n" + "\n".join(stats.failures)


@pytest.mark.parametrize("who", ["admin", "teller"])
def test_sandbox_contract(who: str, contract_sandbox: SandboxProcess,
                          request: pytest.FixtureRequest) -> None:
    stats = _fuzz_sandbox(contract_sandbox, who, FAST_EXAMPLES["sandbox"])
    record(request.config, f"sandbox/{who}", stats)
    assert all(s.split()[1].startswith("/__sim/") for s in stats.skipped)
    _check(stats, 60)


@pytest.mark.parametrize("who", ["admin", "teller", "admin-token"])
def test_hub_contract(who: str, contract_hub: HubProc, hub_people: dict[str, str],
                      request: pytest.FixtureRequest) -> None:
    stats = _fuzz_hub(contract_hub, hub_people, who, FAST_EXAMPLES["hub"])
    record(request.config, f"hub/{who}", stats)
    assert "GET /api/v1/events" in stats.skipped
    _check(stats, 4 if who == "admin-token" else 20)


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("who", ["admin", "teller"])
def test_sandbox_contract_more_cases(who: str, contract_sandbox: SandboxProcess,
                                     request: pytest.FixtureRequest) -> None:
    stats = _fuzz_sandbox(contract_sandbox, who, SLOW_EXAMPLES, BOTH)
    record(request.config, f"sandbox/{who} (slow)", stats)
    _check(stats, 60)


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("who", ["admin", "teller"])
def test_hub_contract_more_cases(who: str, contract_hub: HubProc, hub_people: dict[str, str],
                                 request: pytest.FixtureRequest) -> None:
    stats = _fuzz_hub(contract_hub, hub_people, who, SLOW_EXAMPLES, BOTH)
    record(request.config, f"hub/{who} (slow)", stats)
    _check(stats, 20)


def test_hub_answers_an_unparseable_body_as_a_validation_error(
        contract_hub: HubProc, hub_people: dict[str, str]) -> None:
    """Invalid UTF-8 under a JSON content type made FastAPI answer an undocumented 400."""
    headers = {**hub_headers(contract_hub, hub_people["teller"]),
               "Content-Type": "application/json"}
    with contract_hub.client() as http:
        r = http.post("/api/v1/secrets", content=b'{"external_id": "\xff\xfe"}',
                      headers=headers)
    assert r.status_code == 422, r.text
    assert r.json() == {"error": "invalid request: the body cannot be parsed"}


def test_sandbox_sign_in_and_customer_answers_match_their_documented_bodies(
        contract_sandbox: SandboxProcess) -> None:
    """The answers the fuzz rarely reaches with a 200 (a real sign-in, a page of customers,
    one customer) against the schemas the document gives them."""
    schema = schemathesis.openapi.from_url(f"{contract_sandbox.base_url}/openapi.json")
    email = SANDBOX_PEOPLE["admin"]
    password = next(e["password"] for e in contract_sandbox.manifest["employees"]
                    if e["email"] == email)
    cp = f"/api/v1/counterparty/{contract_sandbox.counterparty_guid}"
    with httpx.Client(base_url=contract_sandbox.base_url, timeout=10) as http:
        flow = http.get("/kratos/self-service/login/api").json()["id"]
        login = http.post(f"/kratos/self-service/login?flow={flow}",
                          json={"method": "password", "identifier": email,
                                "password": password})
        headers = {"Authorization": f"Bearer {login.json()['session_token']}"}
        page = http.get(f"{cp}/customers", params={"limit": 5}, headers=headers)
        one = http.get(f"{cp}/customers/{page.json()['customers'][0]['wallet_user_guid']}",
                       headers=headers)
        whoami = http.get("/kratos/sessions/whoami", headers=headers)
    answers = [("/kratos/self-service/login", "POST", login),
               ("/api/v1/counterparty/{counterparty_guid}/customers", "GET", page),
               ("/api/v1/counterparty/{counterparty_guid}/customers/{customer_guid}", "GET",
                one),
               ("/kratos/sessions/whoami", "GET", whoami)]
    for path, method, response in answers:
        assert response.status_code == 200, response.text
        schema[path][method].validate_response(response)  # raises on a mismatch
    assert len(page.json()["customers"]) == 5


def _documents(url: str) -> dict[str, dict[str, object]]:
    doc = httpx.get(f"{url}/openapi.json", timeout=10).json()
    return {f"{method.upper()} {path}": op for path, item in doc["paths"].items()
            for method, op in item.items()}


@pytest.mark.parametrize("server", ["sandbox", "hub"])
def test_every_error_answer_is_documented_with_the_error_body(
        server: str, contract_sandbox: SandboxProcess, contract_hub: HubProc) -> None:
    url = contract_sandbox.base_url if server == "sandbox" else contract_hub.base_url
    validation = "400" if server == "sandbox" else "422"
    for label, op in _documents(url).items():
        responses: dict[str, dict[str, object]] = op["responses"]  # type: ignore[assignment]
        assert "HTTPValidationError" not in str(responses), label
        if server == "sandbox":
            assert "422" not in responses, f"{label}: the sandbox answers 400, never 422"
        for code, answer in responses.items():
            if int(code) >= 400:
                assert "Error" in str(answer.get("content")), f"{label} {code}"
        if op.get("security"):
            assert "401" in responses, label
        if "requestBody" in op:
            assert {validation, "413"} <= responses.keys(), label
        if any(p["in"] == "path" for p in op.get("parameters", [])):  # type: ignore[attr-defined]
            assert {validation, "404"} <= responses.keys(), label
