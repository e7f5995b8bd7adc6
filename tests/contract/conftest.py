"""Contract fixtures: a private sandbox (fuzzing writes to it), a hub that uses it as DCM and
the hub's employees. The terminal summary names the generated case counts. Sign-ins (Kratos
on the sandbox, hub sessions) are ``contract_helpers.py``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "hub"))

from contract_helpers import TOTALS
from hub_proc import HubProc, add_employee, hub_env, start_hub

from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox


@pytest.fixture(scope="module")
def contract_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    proc = start_sandbox(tmp_path_factory.mktemp("contract-sandbox"))
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def contract_hub(contract_sandbox: SandboxProcess,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    env = {**hub_env(contract_sandbox, None), "TELLER_HUB_OPENAPI_DOCS": "1"}  # off by default
    proc = start_hub(tmp_path_factory.mktemp("contract-hub"), env)
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
