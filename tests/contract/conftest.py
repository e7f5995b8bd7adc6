"""Contract fixtures: a private sandbox (fuzzing writes to it), a hub that uses it as DCM and
the hub's employees. The terminal summary names the generated case counts (a pytest-xdist
worker's go to the controller). Sign-ins (Kratos on the sandbox, hub sessions) are
``contract_helpers.py``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "hub"))

from contract_helpers import TOTALS, WORKER_SUMMARY, summary_lines
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
    lines = summary_lines(config.stash.get(TOTALS, {}))
    if lines:
        terminalreporter.section("contract (Schemathesis)")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist a worker hands its counts to the controller, which prints them
    (``tests/conftest.py``): the controller never loads this directory's conftest."""
    out = getattr(session.config, "workeroutput", None)
    lines = summary_lines(session.config.stash.get(TOTALS, {}))
    if out is not None and lines:
        out[WORKER_SUMMARY] = lines
