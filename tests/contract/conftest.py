"""Contract fixtures: a private sandbox (fuzzing writes to it) and a hub that uses it as DCM,
plus credentials for each: Kratos sign-ins on the sandbox, hub sessions (``POST
/api/v1/sessions``) on the hub. The terminal summary names the generated case counts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "hub"))

from contract_runner import Stats
from hub_proc import HubProc, add_employee, hub_env, sign_in, start_hub

from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox

TOTALS = pytest.StashKey[dict[str, Stats]]()


@pytest.fixture(scope="module")
def contract_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    proc = start_sandbox(tmp_path_factory.mktemp("contract-sandbox"))
    yield proc
    proc.stop()


def kratos_token(sandbox: SandboxProcess, email: str) -> str:
    """A Mode-A session token: the native login flow, as a desk signs in."""
    password = next(e["password"] for e in sandbox.manifest["employees"]
                    if e["email"] == email)
    with httpx.Client(base_url=sandbox.base_url, timeout=10) as http:
        flow = http.get("/kratos/self-service/login/api").json()["id"]
        r = http.post(f"/kratos/self-service/login?flow={flow}",
                      json={"method": "password", "identifier": email, "password": password})
        assert r.status_code == 200, r.text
        return str(r.json()["session_token"])


@pytest.fixture(scope="module")
def contract_hub(contract_sandbox: SandboxProcess,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    proc = start_hub(tmp_path_factory.mktemp("contract-hub"), hub_env(contract_sandbox, None))
    yield proc
    assert proc.stop() == 0, proc.log()[-2000:]


@pytest.fixture(scope="module")
def hub_people(contract_hub: HubProc, contract_sandbox: SandboxProcess) -> dict[str, str]:
    """Hub employees (Mode B, the hub's own store): an Administrator at head office and a
    Teller of the first branch. Name -> e-mail."""
    branch = contract_sandbox.manifest["branches"][0]["guid"]
    with contract_hub.client() as http:
        return {"admin": add_employee(http, contract_hub, roles=["Administrator"],
                                      head_office=True),
                "teller": add_employee(http, contract_hub, roles=["Teller"],
                                       branch_guid=branch)}


def hub_headers(hub: HubProc, email: str) -> dict[str, str]:
    with hub.client() as http:
        return sign_in(http, email)


def record(config: pytest.Config, name: str, stats: Stats) -> None:
    config.stash.setdefault(TOTALS, {})[name] = stats


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter,
                            config: pytest.Config) -> None:
    totals = config.stash.get(TOTALS, {})
    if not totals:
        return
    terminalreporter.section("contract (Schemathesis)")
    cases = 0
    for name, s in totals.items():
        cases += s.cases
        codes = ", ".join(f"{k}×{v}" for k, v in sorted(s.statuses.items()))
        terminalreporter.write_line(f"{name}: {s.cases} cases over {s.operations} operations "
                                    f"in {s.seconds:.1f} s ({codes})")
    terminalreporter.write_line(f"total: {cases} generated cases")
