"""Two hub processes, one database, both running the unapproved-change watcher: the lease
row lets exactly one work (one alert per change), and the other takes over when it stops."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fe_db import scalar
from fe_helpers import new_customer, put_customer, start_fe_hub, wait_for
from hub_proc import HubProc, branches

from teller_app.core.embedded_sandbox import SandboxProcess

ADMIN = "admin@demo.bank"


@pytest.fixture()
def two(hub_db: str | None, sandbox: SandboxProcess,
        tmp_path: Path) -> Iterator[tuple[HubProc, HubProc]]:
    url = hub_db or f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    env = {"TELLER_HUB_DATABASE_URL": url,
           "TELLER_HUB_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
           "TELLER_HUB_ADMIN_TOKEN": "watch-" + uuid.uuid4().hex}
    a = start_fe_hub(tmp_path / "a", sandbox, url, **env)
    try:
        b = start_fe_hub(tmp_path / "b", sandbox, url, **env)
    except BaseException:
        a.stop()
        raise
    yield a, b
    b.stop()
    a.stop()


def _alerts(hub: HubProc, guid: str) -> Any:
    return scalar(hub, "SELECT COUNT(*) FROM alerts WHERE customer_guid = :g", g=guid)


def _known(hub: HubProc, guid: str) -> bool:
    return bool(scalar(hub, "SELECT COUNT(*) FROM customer_snapshots WHERE customer_guid = :g",
                       g=guid))


@pytest.mark.slow
def test_one_alert_per_change_and_take_over(two: tuple[HubProc, HubProc],
                                            sandbox: SandboxProcess) -> None:
    a, b = two
    b0 = branches(sandbox)[0]
    first, second, third = (new_customer(sandbox, b0) for _ in range(3))
    wait_for(lambda: all(_known(a, g) for g in (first, second, third)), timeout=30)
    put_customer(sandbox, ADMIN, first, kyc_level=0)
    wait_for(lambda: _alerts(a, first) >= 1, timeout=20)
    put_customer(sandbox, ADMIN, second, balance_allowed=5000)
    wait_for(lambda: _alerts(a, second) >= 1, timeout=20)
    assert _alerts(a, first) == 1 and _alerts(a, second) == 1
    leader = scalar(a, "SELECT holder FROM leases WHERE name = 'watcher'")
    assert leader
    # stop the process holding the lease; the other takes over once it expires
    leading, remaining = (a, b) if leader in a.log() else (b, a)
    assert leader in leading.log()
    leading.stop()
    put_customer(sandbox, ADMIN, third, is_disabled=True)
    wait_for(lambda: _alerts(remaining, third) == 1, timeout=40)
    assert scalar(a, "SELECT holder FROM leases WHERE name = 'watcher'") != leader
