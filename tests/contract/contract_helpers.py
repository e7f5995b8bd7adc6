"""Contract suite helpers: credentials for the sandbox and the hub, and the case counts the
terminal summary prints. (A module of its own: ``from conftest import`` gets whichever
directory's conftest pytest loaded last when several test directories are given.)"""

from __future__ import annotations

import httpx
import pytest
from contract_runner import Stats
from hub_proc import HubProc, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess

TOTALS = pytest.StashKey[dict[str, Stats]]()
# the key of a pytest-xdist worker's summary lines in its ``workeroutput`` (tests/conftest.py)
WORKER_SUMMARY = "contract_summary"


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


def hub_headers(hub: HubProc, email: str) -> dict[str, str]:
    with hub.client() as http:
        return sign_in(http, email)


def record(config: pytest.Config, name: str, stats: Stats) -> None:
    config.stash.setdefault(TOTALS, {})[name] = stats


def summary_lines(totals: dict[str, Stats]) -> list[str]:
    """The terminal summary's lines: each run's cases, operations, time and status codes."""
    if not totals:
        return []
    lines = []
    for name, s in totals.items():
        codes = ", ".join(f"{k}×{v}" for k, v in sorted(s.statuses.items()))
        lines.append(f"{name}: {s.cases} cases over {s.operations} operations "
                     f"in {s.seconds:.1f} s ({codes})")
    lines.append(f"total: {sum(s.cases for s in totals.values())} generated cases")
    return lines
