"""A rolling restart (SIGTERM) of the hub that is executing an approval on a slow DCM: the
process drains, so the approver gets the outcome (200, applied) and the request is applied
once, by that process, with no other process's stale take-over."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import shared_hubs
from fe_helpers import new_customer, read_customer
from gated_proxy import GatedProxy, past_the_old_grace
from hub_proc import HubProc

from teller_app.core.embedded_sandbox import SandboxProcess

shared, main_hub = shared_hubs.fixtures("drain")
pytestmark = pytest.mark.slow


@pytest.fixture()
def proxy(sandbox: SandboxProcess) -> Iterator[GatedProxy]:
    gate = GatedProxy(sandbox.base_url).start()
    yield gate
    gate.stop()


def test_sigterm_mid_execution_answers_the_approver_and_applies_once(
        main_hub: HubProc, shared: dict[str, str], sandbox: SandboxProcess,
        proxy: GatedProxy, tmp_path: Path) -> None:
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    guid = new_customer(sandbox, b0)
    req = shared_hubs.file_change(main_hub, teller, guid, {"is_disabled": True}, "drain test")
    stopping = shared_hubs.start(tmp_path / "a", sandbox, shared, TELLER_HUB_DCM_URL=proxy.url)
    try:
        proxy.hold(guid)
        answer: dict[str, Any] = {}

        def approve() -> None:
            with httpx.Client(base_url=stopping.base_url, timeout=60) as c:
                try:
                    r = c.post(f"/api/v1/requests/{req['id']}/approve", headers=sup,
                               json={"sha256": req["sha256"]})
                    answer.update(status=r.status_code, body=r.json())
                except (httpx.HTTPError, ValueError) as exc:
                    answer.update(status=type(exc).__name__)

        approver = threading.Thread(target=approve)
        approver.start()
        assert proxy.held.wait(15), "DCM's answer to the write never came"
        assert read_customer(sandbox, guid).is_disabled is True  # applied, answer on its way
        t_term = time.monotonic()
        stopping.process.send_signal(signal.SIGTERM)
        past_the_old_grace(stopping)
        proxy.release()
        approver.join(60)
        assert answer.get("status") == 200, answer
        assert answer["body"]["state"] == "applied", answer
        assert stopping.process.wait(30) == 0, stopping.log()[-3000:]
        assert time.monotonic() - t_term < 30
    finally:
        stopping.stop()
    with main_hub.client() as c:
        got = c.get(f"/api/v1/requests/{req['id']}", headers=sup).json()
    assert got["state"] == "applied", got
    assert len(shared_hubs.executions(main_hub, sup, req["id"])) == 1
    assert "interrupted executions resumed" not in main_hub.log()
