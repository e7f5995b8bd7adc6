"""Cash authorized before Kyiv midnight and confirmed after it counts on the day it is
confirmed. The hub files each authorization under the cash day it was decided on; a confirm
the desk did not check again today (the Mode-B proxy's, the hub's own execution of an
approved request) is decided again for today under the teller's till lock and filed under
today: today's teller limit refuses it (the proxy: 409 ``teller_daily_limit``; a request:
ends not applied), today's need of a supervisor wants an approved request.

Midnight is simulated as the auditor's probe does: the authorization row is re-dated to
yesterday (what ``cash_day`` wrote had it run at 23:50). Real sandbox and hub, SQLite and
PostgreSQL. Limits: 30 000 a teller's day, 20 000 of it unsupervised, the threshold 10 000."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fe_db import execute, scalar
from hub_proc import add_employee, sign_in
from staffed_hub import Staffed, staffed_hub
from till_helpers import customer, draft, status
from till_open import open_till

from teller_app.core.embedded_sandbox import SandboxProcess

DAY = "SELECT day FROM cash_authorizations WHERE payment_guid = :g"


def _today() -> str:
    return datetime.now(ZoneInfo("Europe/Kyiv")).date().isoformat()


def _yesterday() -> str:
    return (datetime.now(ZoneInfo("Europe/Kyiv")).date() - timedelta(days=1)).isoformat()


@dataclass
class World(Staffed):
    sandbox: SandboxProcess

    def teller_with_till(self) -> dict[str, str]:
        """A new teller of branch 0 with their own open till (their own day totals)."""
        email = add_employee(self.http, self.hub, roles=["Teller"], branch_guid=self.b0)
        headers = sign_in(self.http, email)
        desk = "desk-" + uuid.uuid4().hex[:6]
        open_till(self.http, headers, self.sup, "T-" + uuid.uuid4().hex[:6],
                  {"note_100": 50}, desk)
        return {**headers, "X-Desk-ID": desk}

    def draft(self, amount: str) -> tuple[str, str]:
        """(customer guid, payment guid): a new customer's deposit draft on DCM."""
        cust, account = customer(self.sandbox, self.b0)
        return cust, draft(self.sandbox, self.b0, account, amount)

    def authorize(self, teller: dict[str, str], guid: str,
                  purpose: str | None = None) -> dict[str, Any]:
        body = {"payment_guid": guid, **({"purpose": purpose} if purpose else {})}
        r = self.http.post("/api/v1/cash/authorize", headers=teller, json=body)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def authorized(self, teller: dict[str, str], amount: str, decision: str = "allow") -> str:
        _, guid = self.draft(amount)
        assert self.authorize(teller, guid)["decision"] == decision
        return guid

    def before_midnight(self, *guids: str) -> None:
        """The authorizations as filed at 23:50 yesterday."""
        for guid in guids:
            execute(self.hub, "UPDATE cash_authorizations SET day = :d WHERE payment_guid = :g",
                    d=_yesterday(), g=guid)

    def proxy_confirm(self, guid: str) -> httpx.Response:
        return self.http.post(f"/dcm/api/v1/counterparty/{self.sandbox.counterparty_guid}"
                              f"/branch/{self.b0}/payments/confirm",
                              headers=self.sup, json={"payment_guid": guid})

    def request(self, teller: dict[str, str], amount: str) -> tuple[str, dict[str, Any]]:
        """(payment guid, the filed cash_confirm request) of an over-threshold deposit."""
        cust, guid = self.draft(amount)
        assert self.authorize(teller, guid)["decision"] == "needs_approval"
        r = self.http.post("/api/v1/requests", headers=teller, json={
            "kind": "cash_confirm", "customer_guid": cust, "reason": "cash in",
            "change": {"payment_guid": guid, "amount": amount}})
        assert r.status_code == 201, r.text
        return guid, dict(r.json())

    def approve(self, req: dict[str, Any]) -> dict[str, Any]:
        r = self.http.post(f"/api/v1/requests/{req['id']}/approve",
                           headers={**self.sup, "X-Desk-ID": "desk-S"},
                           json={"sha256": req["sha256"]})
        assert r.status_code == 200, r.text
        return dict(r.json())


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with staffed_hub(tmp_path_factory.mktemp("cash-day-hub"), sandbox, hub_db,
                     TELLER_HUB_WATCH="0") as staff:
        w = World(**staff.fields(), sandbox=sandbox)
        r = w.http.put("/api/v1/cash/limits",
                       headers={"Authorization": f"Bearer {w.hub.admin_token}"},
                       json={"teller_daily_limit": "30000", "teller_unapproved_daily": "20000",
                             "customer_daily_threshold": "0"})
        assert r.status_code == 200, r.text
        yield w


def test_proxy_refuses_yesterdays_cash_past_todays_limit(world: World) -> None:
    w = world
    t = w.teller_with_till()
    late, small, rechecked = (w.authorized(t, a) for a in ("9000.00", "5000.00", "2000.00"))
    w.before_midnight(late, small, rechecked)
    w.authorized(t, "15000.00", "needs_approval")  # today: counts in the day, supervised
    w.authorized(t, "7000.00")  # today: 22 000 in all
    # 22 000 + 9 000 passes today's 30 000: refused, and nothing of it kept
    r = w.proxy_confirm(late)
    assert r.status_code == 409 and r.json().get("code") == "teller_daily_limit", r.text
    assert status(w.sandbox, late) == "CREATED"
    assert scalar(w.hub, DAY, g=late) == _yesterday()
    # 22 000 + 5 000 fits: confirmed, and filed under today
    r = w.proxy_confirm(small)
    assert r.status_code == 200, r.text
    assert status(w.sandbox, small) == "CONFIRMED"
    assert scalar(w.hub, DAY, g=small) == _today()
    # the desk's own re-check before its confirm moves a row to today, as before
    assert w.authorize(t, rechecked, "confirm")["decision"] == "allow"
    assert scalar(w.hub, DAY, g=rechecked) == _today()
    assert w.proxy_confirm(rechecked).status_code == 200
    # today's total holds both: 29 000, so 3 000 more is past the limit
    _, more = w.draft("3000.00")
    verdict = w.authorize(t, more)
    assert verdict["decision"] == "refuse" and verdict["reasons"] == ["teller_daily_limit"], \
        verdict
    # the desk sees the proxy's refusal as the limit's too
    assert w.authorize(t, late, "confirm")["reasons"] == ["teller_daily_limit"]


def test_proxy_wants_a_supervisor_when_today_needs_one(world: World) -> None:
    w = world
    t = w.teller_with_till()
    late = w.authorized(t, "9000.00")  # yesterday: allowed alone
    w.before_midnight(late)
    w.authorized(t, "9000.00")
    w.authorized(t, "9000.00")  # today: 18 000 unsupervised of 20 000
    r = w.proxy_confirm(late)  # 27 000 unsupervised today: a supervisor's
    assert r.status_code == 403 and "teller_cumulative" in r.json()["error"], r.text
    assert status(w.sandbox, late) == "CREATED"
    assert scalar(w.hub, DAY, g=late) == _yesterday()


def test_a_row_a_process_filed_under_tomorrow_stays_there(world: World) -> None:
    """Near midnight a process whose clock passed it first filed the draft under tomorrow: a
    confirm on a process still before midnight leaves it there (it moved it back a day)."""
    w = world
    t = w.teller_with_till()
    guid = w.authorized(t, "1000.00")
    tomorrow = (datetime.now(ZoneInfo("Europe/Kyiv")).date() + timedelta(days=1)).isoformat()
    execute(w.hub, "UPDATE cash_authorizations SET day = :d WHERE payment_guid = :g",
            d=tomorrow, g=guid)
    assert w.proxy_confirm(guid).status_code == 200
    assert scalar(w.hub, DAY, g=guid) == tomorrow


def test_request_filed_yesterday_approved_past_todays_limit_is_not_applied(
        world: World) -> None:
    w = world
    t = w.teller_with_till()
    guid, req = w.request(t, "15000.00")
    w.before_midnight(guid)  # filed at 23:50
    w.authorized(t, "9000.00")
    w.authorized(t, "9000.00")  # this morning: 18 000
    done = w.approve(req)  # 18 000 + 15 000 passes 30 000 today
    assert done["state"] == "failed", done
    assert "daily cash limit" in str(done["result"]), done
    assert status(w.sandbox, guid) == "CREATED"
    assert scalar(w.hub, DAY, g=guid) == _yesterday()


def test_request_filed_yesterday_approved_today_counts_today(world: World) -> None:
    w = world
    t = w.teller_with_till()
    guid, req = w.request(t, "15000.00")
    w.before_midnight(guid)  # filed on Friday, approved on Monday
    w.authorized(t, "9000.00")
    # 24 000 today: within the limit; over the threshold and past the unsupervised total,
    # both of which the approval is the supervisor for
    done = w.approve(req)
    assert done["state"] == "applied", done
    assert status(w.sandbox, guid) == "CONFIRMED"
    assert scalar(w.hub, DAY, g=guid) == _today()
    _, more = w.draft("9000.00")
    verdict = w.authorize(t, more)  # 33 000 today
    assert verdict["decision"] == "refuse" and verdict["reasons"] == ["teller_daily_limit"], \
        verdict
    assert verdict["day_total"] == "33000.00", verdict
