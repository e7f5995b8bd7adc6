"""The cash watcher and a customer moved to another branch after their cash (an audit: a
withdrawal and a deposit the hub authorized on a till, DCM confirmed and the till counted
were alerted as "unapproved cash", ``not_through_till``, once a head-office edit moved the
customer: the watcher judged the branch by where the customer is now). A payment the hub
authorized is judged by the branch it was authorized in; cash never authorized is still
alerted, moved customer or not. Real sandbox and hub (the hub's watchers off: the passes run
here, on the hub's database), SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fe_db import scalar
from staffed_hub import Staffed, staffed_hub
from till_helpers import _client, _run, confirm, customer, draft, status
from watcher_helpers import watch_pass

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import CustomerUpdate

DESK = "desk-moved"


@dataclass
class World(Staffed):
    sandbox: SandboxProcess
    holder: str  # the cash watcher lease's holder these tests run passes as

    def authorized(self, account: str, amount: str, kind: str) -> str:
        """A draft the hub authorized on the teller's till, confirmed on DCM."""
        guid = draft(self.sandbox, self.b0, account, amount, kind)
        r = self.http.post("/api/v1/cash/authorize",
                           headers={**self.teller, "X-Desk-ID": DESK},
                           json={"payment_guid": guid})
        assert r.status_code == 200 and r.json()["decision"] == "allow", r.text
        confirm(self.sandbox, self.b0, guid)
        assert status(self.sandbox, guid) == "CONFIRMED"
        return guid

    def current(self) -> dict[str, Any]:
        r = self.http.get("/api/v1/tills/current", headers={**self.teller, "X-Desk-ID": DESK})
        assert r.status_code == 200, r.text
        return dict(r.json())

    def watch(self) -> tuple[set[str], int]:
        return watch_pass(self.hub, self.sandbox, self.holder)

    def alert(self, guid: str) -> dict[str, Any] | None:
        detail = scalar(self.hub, "SELECT detail FROM alerts WHERE detail LIKE :p",
                        p=f'%"payment_guid": "{guid}"%')
        return None if detail is None else dict(json.loads(detail))


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with staffed_hub(tmp_path_factory.mktemp("till-watch-moved-hub"), sandbox, hub_db,
                     TELLER_HUB_WATCH="0") as staff:
        w = World(**staff.fields(), sandbox=sandbox, holder=uuid.uuid4().hex)
        w.open_till("T-moved-watch", {"note_1000": 5}, DESK)
        w.watch()  # the first pass starts the watcher's window now
        yield w


def _move(sandbox: SandboxProcess, customer_guid: str, branch: str) -> None:
    """A head-office edit on DCM: the customer now belongs to ``branch``."""
    async def run() -> None:
        async with _client(sandbox) as c:
            await c.update_customer(customer_guid, CustomerUpdate(branch_guid=branch))
            assert (await c.get_customer(customer_guid)).branch_guid == branch
    _run(run())


def test_counted_cash_of_a_moved_customer_is_not_unapproved(
        world: World, sandbox: SandboxProcess) -> None:
    w = world
    cust, account = customer(sandbox, w.b0)
    dep = w.authorized(account, "300.00", "deposit")
    wd = w.authorized(account, "120.00", "withdrawal")
    # cash confirmed on DCM past the hub, for the same customer, before the move
    sneaky = draft(sandbox, w.b0, account, "40.00", "withdrawal")
    confirm(sandbox, w.b0, sneaky)
    till = w.current()  # the till counts the two it authorized (by its authorization)
    assert till["expected"] == "5180.00", till
    _move(sandbox, cust, w.b1)
    examined, raised = w.watch()
    assert {dep, wd, sneaky} <= examined
    assert w.alert(dep) is None and w.alert(wd) is None and raised >= 1
    alert = w.alert(sneaky)  # never authorized: alerted, wherever the customer is now
    assert alert is not None, sneaky
    assert "not_authorized" in alert["reasons"] and alert["amount"] == "40.00", alert
    assert alert["kind"] == "withdrawal", alert
    # another process, nothing in memory: still quiet for the till's cash, nothing new
    examined, _ = w.watch()
    assert {dep, wd, sneaky} <= examined
    assert w.alert(dep) is None and w.alert(wd) is None
    assert scalar(w.hub, "SELECT COUNT(*) FROM alerts WHERE detail LIKE :p",
                  p=f'%"payment_guid": "{sneaky}"%') == 1
    assert w.current()["expected"] == "5180.00"


def test_uncounted_authorized_cash_of_a_moved_customer_is_quiet_too(
        world: World, sandbox: SandboxProcess) -> None:
    """The watcher may pass before the till counts it: the authorization decides, not the
    till's count; cash of a customer who never moved and never asked the hub alerts."""
    w = world
    cust, account = customer(sandbox, w.b0)
    dep = w.authorized(account, "100.00", "deposit")
    wd = w.authorized(account, "60.00", "withdrawal")
    _move(sandbox, cust, w.b1)
    _, stay = customer(sandbox, w.b0)
    sneaky = draft(sandbox, w.b0, stay, "70.00")
    confirm(sandbox, w.b0, sneaky)
    examined, raised = w.watch()
    assert {dep, wd, sneaky} <= examined and raised >= 1
    assert w.alert(dep) is None and w.alert(wd) is None
    alert = w.alert(sneaky)
    assert alert is not None and alert["reasons"] == ["not_authorized"], alert
    r = w.http.get("/api/v1/alerts", headers=w.sup)
    assert r.status_code == 200, r.text
    listed = [a["payment_guid"] for a in r.json()["alerts"] if a.get("payment_guid")]
    assert sneaky in listed and dep not in listed and wd not in listed
