"""The co-sign's audit row of a payment set aside (``till_set_aside``) says what DCM confirmed,
beside what the hub authorized (a review: the row named the authorized amount only, so the
trail alone did not explain why the cash was left out of the till): DCM's amount always, its
asset when not the tills' currency, its kind (by its category code) when not the
authorization's. What DCM confirmed is read before the co-sign: while DCM cannot be read the
co-sign is refused (503 ``dcm_unreadable``) and the close still waits, no row written. Real
sandbox and hub (DCM behind a proxy that drops the payment reads while ``cut``), SQLite and
PostgreSQL."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fe_db import execute
from hub_proc import add_employee, sign_in
from payment_read_cutter import PaymentReadCutter
from staffed_hub import Staffed, staffed_hub
from till_helpers import confirm, customer, draft, status
from till_open import open_till

from teller_app.core.embedded_sandbox import SandboxProcess

THOUSAND = {"note_100": 10}
REASON = "DCM confirmed something else"


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

    def authorize(self, who: dict[str, str], guid: str) -> None:
        r = self.http.post("/api/v1/cash/authorize", headers=who,
                           json={"payment_guid": guid})
        assert r.status_code == 200 and r.json()["decision"] == "allow", r.text

    def close(self, who: dict[str, str], reason: str = "") -> httpx.Response:
        return self.http.post("/api/v1/tills/current/close", headers=who,
                              json={"counts": THOUSAND, "reason": reason})

    def cosign(self, till_id: str) -> httpx.Response:
        return self.http.post(f"/api/v1/tills/{till_id}/close-cosign", headers=self.sup,
                              json={"counted": "1000.00"})

    def set_aside_rows(self, guid: str) -> list[dict[str, Any]]:
        r = self.http.get("/api/v1/audit", headers=self.admin,
                          params={"actor": self.sup_email, "action": "till",
                                  "newest_first": True})
        assert r.status_code == 200, r.text
        return [e["detail"] for e in r.json()["entries"] if e["entity"] == f"payment:{guid}"]


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with (contextlib.closing(PaymentReadCutter(sandbox.base_url).start()) as proxy,
          staffed_hub(tmp_path_factory.mktemp("till-set-aside-audit-hub"), sandbox, hub_db,
                      TELLER_HUB_WATCH="0", TELLER_HUB_DCM_URL=proxy.url) as staff):
        yield World(**staff.fields(), sandbox=sandbox, proxy=proxy)


def _waiting_close(w: World, who: dict[str, str], guid: str) -> str:
    """The close names ``guid``: refused without a reason, waiting for the co-sign with
    one; the till's id."""
    r = w.close(who)
    assert r.status_code == 409 and r.json()["code"] == "confirmed_mismatch", r.text
    r = w.close(who, REASON)
    assert r.status_code == 200 and r.json()["state"] == "close_cosign", r.text
    assert [a["payment_guid"] for a in r.json()["set_aside"]] == [guid], r.text
    return str(r.json()["id"])


def _cosigned_row(w: World, till_id: str, guid: str, kind: str,
                  authorized: str) -> dict[str, Any]:
    """The co-sign closes the till; its one audit row for ``guid``, the existing fields
    checked."""
    r = w.cosign(till_id)
    assert r.status_code == 200 and r.json()["state"] == "closed", r.text
    item = r.json()["set_aside"][0]
    assert (item["payment_guid"], item["kind"], item["authorized"]) == (guid, kind, authorized)
    rows = w.set_aside_rows(guid)
    assert len(rows) == 1, rows
    d = rows[0]
    assert d["event"] == "till_set_aside" and d["till_id"] == till_id, d
    assert (d["payment_guid"], d["kind"], d["authorized"]) == (guid, kind, authorized), d
    assert d["reason"] == REASON and d["code"] == "confirmed_mismatch", d
    assert d["customer_guid"] and d["teller"], d
    assert d["confirmed"] == item["confirmed"], (d, item)
    return dict(d)


def test_the_set_aside_row_says_the_amount_and_kind_dcm_confirmed(
        world: World, sandbox: SandboxProcess) -> None:
    w = world
    who = w.new_teller()
    cust, account = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "40.00")
    w.authorize(who, guid)
    confirm(sandbox, w.b0, guid)
    assert status(sandbox, guid) == "CONFIRMED"
    # the hub's record says another amount and kind (a record changed behind its back)
    execute(w.hub, "UPDATE cash_authorizations SET amount_minor = 4500, kind = 'withdrawal' "
            "WHERE payment_guid = :g", g=guid)
    till_id = _waiting_close(w, who, guid)
    w.proxy.cut = True
    try:  # what DCM confirmed cannot be read: the co-sign waits, nothing written
        r = w.cosign(till_id)
        assert r.status_code == 503 and r.json()["code"] == "dcm_unreadable", r.text
    finally:
        w.proxy.cut = False
    r = w.http.get(f"/api/v1/tills/{till_id}/report", headers=who)
    assert r.status_code == 200 and r.json()["state"] == "close_cosign", r.text
    assert w.set_aside_rows(guid) == []
    d = _cosigned_row(w, till_id, guid, "withdrawal", "45.00")
    assert d["customer_guid"] == cust, d
    assert Decimal(d["confirmed_amount"]) == Decimal("40"), d
    assert d["confirmed_kind"] == "deposit", d  # its category "04"
    assert "confirmed_asset" not in d and "confirmed_payment_guid" not in d, d
    assert "40" in d["confirmed"], d


def test_the_set_aside_row_says_the_asset_dcm_confirmed_in(
        world: World, sandbox: SandboxProcess) -> None:
    """Hryvnia authorized, confirmed after the tills' currency became EUR (break glass)."""
    w = world
    who = w.new_teller()
    _, account = customer(sandbox, w.b0)
    guid = draft(sandbox, w.b0, account, "15.00")
    w.authorize(who, guid)
    got = w.http.get("/api/v1/policy", headers=w.admin).json()["policy"]
    it = {"Authorization": f"Bearer {w.hub.admin_token}"}
    r = w.http.put("/api/v1/policy", headers=it, json={**got, "cash_currency": "EUR"})
    assert r.status_code == 200, r.text
    try:
        confirm(sandbox, w.b0, guid)
        till_id = _waiting_close(w, who, guid)
        d = _cosigned_row(w, till_id, guid, "deposit", "15.00")
    finally:
        r = w.http.put("/api/v1/policy", headers=it, json=got)
        assert r.status_code == 200, r.text
    assert Decimal(d["confirmed_amount"]) == Decimal("15"), d
    assert d["confirmed_asset"] == sandbox.manifest["asset"]["code"], d
    assert "confirmed_kind" not in d and "confirmed_payment_guid" not in d, d
