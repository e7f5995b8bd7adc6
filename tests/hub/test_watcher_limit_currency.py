"""Mode A: a limit raised on DCM directly, around the hub, raises an "unapproved change"
alert that names the customer's balance currency with the limit's amounts, so a desk words
them in it and not in a hryvnia the customer may not have. Real sandbox and hub (SQLite and
PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fe_db import scalar
from fe_helpers import ADMIN, new_customer, put_customer, read_customer, start_fe_hub, wait_for
from hub_proc import HubProc, branches

from teller_app.core.embedded_sandbox import SandboxProcess


@pytest.fixture(scope="module")
def hub(hub_db: str | None, sandbox: SandboxProcess,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    proc = start_fe_hub(tmp_path_factory.mktemp("watch-limit"), sandbox, hub_db)
    yield proc
    assert proc.stop() == 0, proc.log()[-3000:]


def _known(hub: HubProc, guid: str) -> bool:
    return bool(scalar(hub, "SELECT COUNT(*) FROM customer_snapshots WHERE customer_guid = :g",
                       g=guid))


def _alert(hub: HubProc, guid: str) -> Any:
    detail = scalar(hub, "SELECT detail FROM alerts WHERE customer_guid = :g", g=guid)
    return None if detail is None else json.loads(detail)


def test_a_limit_changed_around_the_hub_is_alerted_with_its_currency(
        hub: HubProc, sandbox: SandboxProcess) -> None:
    asset = sandbox.manifest["asset"]
    guid = new_customer(sandbox, branches(sandbox)[0], balance_asset_code=asset["code"],
                        balance_asset_issuer=asset["issuer"])
    code = read_customer(sandbox, guid).balance_asset_code
    assert code == asset["code"]
    wait_for(lambda: _known(hub, guid), timeout=30)
    put_customer(sandbox, ADMIN, guid, balance_allowed=5000)
    detail = wait_for(lambda: _alert(hub, guid), timeout=30)
    limit = detail["fields"]["balance_allowed"]
    assert limit == {"before": "1000", "after": "5000", "balance_asset_code": code}, detail
