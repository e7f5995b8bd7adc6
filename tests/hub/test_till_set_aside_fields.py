"""Each ``set_aside`` entry (a payment DCM confirmed unlike the hub's authorization, which a
close sets aside) says what DCM confirmed field by field, beside the words older desks read:
``confirmed_amount`` (a decimal string), ``confirmed_asset``, ``tills_currency`` (only when
that asset is not the tills') and ``confirmed_payment_guid`` (only for another payment), in
``GET /tills/current``, the close's answer and the co-sign's. The branch cash position
names them on a till waiting for the co-sign as the close recorded them: read while DCM
answers no payment read (the position is polled: DCM is not read for it), and a desk's
look-alike audit entry does not change them. Real sandbox and hub, SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from fe_db import execute
from hub_proc import add_employee, sign_in
from payment_read_cutter import PaymentReadCutter
from staffed_hub import Staffed, staffed_hub
from till_helpers import confirm, customer, draft
from till_open import open_till

from teller_app.core.embedded_sandbox import SandboxProcess

THOUSAND = {"note_100": 10}
REASON = "DCM confirmed something else"
PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


@dataclass
class World(Staffed):
    sandbox: SandboxProcess
    proxy: PaymentReadCutter

    def new_teller(self) -> dict[str, str]:
        """A new teller of branch 0 with a till open (1 000.00) at their own desk."""
        email = add_employee(self.http, self.hub, roles=["Teller"], branch_guid=self.b0)
        who = {**sign_in(self.http, email), "X-Desk-ID": "desk-" + uuid.uuid4().hex[:6]}
        open_till(self.http, {k: v for k, v in who.items() if k != "X-Desk-ID"}, self.sup,
                  "T-" + uuid.uuid4().hex[:6], THOUSAND, who["X-Desk-ID"])
        return who

    def confirmed_deposit(self, who: dict[str, str], amount: str) -> str:
        """A deposit authorized on ``who``'s till and confirmed on DCM."""
        _, account = customer(self.sandbox, self.b0)
        guid = draft(self.sandbox, self.b0, account, amount)
        r = self.http.post("/api/v1/cash/authorize", headers=who, json={"payment_guid": guid})
        assert r.status_code == 200 and r.json()["decision"] == "allow", r.text
        confirm(self.sandbox, self.b0, guid)
        return guid

    def current_set_aside(self, who: dict[str, str]) -> list[dict[str, Any]]:
        r = self.http.get("/api/v1/tills/current", headers=who)
        assert r.status_code == 200, r.text
        return list(r.json()["set_aside"])

    def close(self, who: dict[str, str], counts: dict[str, int] = THOUSAND) -> dict[str, Any]:
        r = self.http.post("/api/v1/tills/current/close", headers=who,
                           json={"counts": counts, "reason": REASON})
        assert r.status_code == 200 and r.json()["state"] == "close_cosign", r.text
        return dict(r.json())

    def position_tills(self) -> dict[str, dict[str, Any]]:
        """The branch position's tills by id, read while DCM answers no payment read."""
        self.proxy.cut = True
        try:
            r = self.http.get("/api/v1/cash/position", headers=self.sup)
        finally:
            self.proxy.cut = False
        assert r.status_code == 200, r.text
        return {t["id"]: t for t in r.json()["tills"]}

    def cosign(self, till_id: str) -> list[dict[str, Any]]:
        r = self.http.post(f"/api/v1/tills/{till_id}/close-cosign", headers=self.sup,
                           json={"counted": "1000.00"})
        assert r.status_code == 200 and r.json()["state"] == "closed", r.text
        return list(r.json()["set_aside"])


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with (contextlib.closing(PaymentReadCutter(sandbox.base_url).start()) as proxy,
          staffed_hub(tmp_path_factory.mktemp("till-set-aside-fields-hub"), sandbox, hub_db,
                      TELLER_HUB_WATCH="0", TELLER_HUB_DCM_URL=proxy.url) as staff):
        yield World(**staff.fields(), sandbox=sandbox, proxy=proxy)


def _said(entry: dict[str, Any], guid: str, authorized: str, amount: str, asset: str,
          tills_currency: str | None = None) -> None:
    """One entry naming ``guid`` and what DCM confirmed, in words and field by field."""
    assert (entry["payment_guid"], entry["kind"], entry["authorized"]) == (
        guid, "deposit", authorized), entry
    assert PLAIN_DECIMAL.fullmatch(entry["confirmed_amount"]), entry
    assert Decimal(entry["confirmed_amount"]) == Decimal(amount), entry
    assert entry["confirmed_asset"] == asset, entry
    assert entry.get("tills_currency") == tills_currency, entry
    assert "confirmed_payment_guid" not in entry, entry
    assert amount in entry["confirmed"], entry  # the words stay for older desks


def _everywhere(w: World, who: dict[str, str], guid: str, authorized: str, amount: str,
                tills_currency: str | None = None) -> None:
    """The current till, the close, the position (DCM unread) and the co-sign say it."""
    asset = w.sandbox.manifest["asset"]["code"]
    current = w.current_set_aside(who)
    assert len(current) == 1, current
    _said(current[0], guid, authorized, amount, asset, tills_currency)
    closed = w.close(who)
    assert closed["set_aside"] == current, closed
    # the till's own teller files look-alike entries from a desk, with and without a client
    # id: the position keeps the close's record (only the hub's own rows are read)
    forged = {**current[0], "confirmed": "1.00 XXX", "confirmed_amount": "1.00",
              "confirmed_asset": "XXX"}
    for client_id in ({"client_id": "d" + uuid.uuid4().hex}, {}):
        r = w.http.post("/api/v1/audit", headers=who, json={
            "desk_id": who["X-Desk-ID"], "entries": [
                {"action": "till", "entity": f"till:{closed['id']}", **client_id,
                 "detail": {"awaits_cosign": True, "set_aside": [forged]}}]})
        assert r.status_code == 200, r.text
    position = w.position_tills()
    assert position[closed["id"]]["state"] == "close_cosign"
    assert position[closed["id"]]["set_aside"] == current, position[closed["id"]]
    assert all("set_aside" not in t for t in position.values() if t["state"] != "close_cosign")
    cosigned = w.cosign(closed["id"])
    assert cosigned == current, cosigned


def test_another_amount_is_said_field_by_field(world: World) -> None:
    w = world
    who = w.new_teller()
    guid = w.confirmed_deposit(who, "40.00")
    # the hub's record says another amount (a record changed behind its back)
    execute(w.hub, "UPDATE cash_authorizations SET amount_minor = 4500 WHERE payment_guid = :g",
            g=guid)
    _everywhere(w, who, guid, "45.00", "40")


def test_another_asset_says_the_tills_currency_it_is_not(world: World) -> None:
    """Hryvnia authorized, confirmed after the tills' currency became EUR (break glass)."""
    w = world
    who = w.new_teller()
    got = w.http.get("/api/v1/policy", headers=w.admin).json()["policy"]
    it = {"Authorization": f"Bearer {w.hub.admin_token}"}
    _, account = customer(w.sandbox, w.b0)
    guid = draft(w.sandbox, w.b0, account, "15.00")
    r = w.http.post("/api/v1/cash/authorize", headers=who, json={"payment_guid": guid})
    assert r.status_code == 200 and r.json()["decision"] == "allow", r.text
    r = w.http.put("/api/v1/policy", headers=it, json={**got, "cash_currency": "EUR"})
    assert r.status_code == 200, r.text
    try:
        confirm(w.sandbox, w.b0, guid)
        _everywhere(w, who, guid, "15.00", "15", tills_currency="EUR")
    finally:
        r = w.http.put("/api/v1/policy", headers=it, json=got)
        assert r.status_code == 200, r.text


def test_a_close_waiting_with_nothing_set_aside_says_none(world: World) -> None:
    """Past the tolerance only: the position says the co-sign sets nothing aside."""
    w = world
    who = w.new_teller()
    closed = w.close(who, {"note_100": 9})
    assert closed["set_aside"] == [], closed
    assert w.position_tills()[closed["id"]]["set_aside"] == []
