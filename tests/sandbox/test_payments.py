"""Transfers: cash in/out, routes, errors, teller confirm limit, external transfers, limits,
branch variants and conservation of money."""

from __future__ import annotations

import random
import uuid
from typing import Any

from sandbox_api import ADMIN, SUPER_KYIV, SUPER_LVIV, TELLER_KYIV, TELLER_LVIV, Api

PAYMENT_KEYS = {"amount", "asset_code", "asset_issuer", "category", "category_guid",
                "created_at", "deleted_at", "fee", "guid", "purpose",
                "receiver_account_account_kind", "receiver_counterparty", "receiver_id",
                "sender_account_account_kind", "sender_counterparty", "sender_id", "status",
                "stellar_info", "target_balance", "updated_at"}


def _funded(api: Api, amount: float = 1000, who: str = TELLER_KYIV, branch: int = 0
            ) -> dict[str, Any]:
    c = api.new_customer(who=who)
    if amount:
        resp = api.pay(api.branch(branch)["processing_account_guid"], c["guid"], amount, who=who,
                       category_guid=api.category("04"))
        assert resp.status_code == 200, resp.text
    return c


def test_cash_deposit_and_withdrawal(api: Api) -> None:
    c = api.new_customer(who=TELLER_KYIV)
    till = api.branch(0)["processing_account_guid"]
    resp = api.post("payments", TELLER_KYIV, json={
        "amount": 250.5, "asset_code": "UAH", "asset_issuer": api.m["asset"]["issuer"],
        "sender_id": till, "receiver_id": c["guid"], "category_guid": api.category("04"),
        "purpose": "Поповнення"})
    assert resp.status_code == 200, resp.text
    pg = resp.json()["guid"]
    draft = api.get(f"payments/{pg}", TELLER_KYIV).json()
    assert draft.keys() >= PAYMENT_KEYS
    assert draft["status"] == "CREATED" and draft["category"] == "04"
    assert api.balance(c["guid"]) == 0
    resp = api.post("payments/confirm", TELLER_KYIV, json={"payment_guid": pg})
    assert (resp.status_code, resp.json()) == (200, {})
    done = api.get(f"payments/{pg}", TELLER_KYIV).json()
    assert done["status"] == "CONFIRMED" and len(done["stellar_info"]["hash"]) == 64
    assert done["sender_account_account_kind"] == "processing"
    assert done["receiver_account_account_kind"] == "customer"
    assert done["amount"] == 250.5 and done["fee"] == 0
    assert api.balance(c["guid"]) == 250.5
    again = api.post("payments/confirm", TELLER_KYIV, json={"payment_guid": pg})
    assert (again.status_code, again.json()) == (400, {"error": "payment is not in CREATED status"})
    out = api.pay(c["guid"], till, 50.25, who=TELLER_KYIV, category_guid=api.category("02"))
    assert out.status_code == 200
    assert api.balance(c["guid"]) == 200.25


def test_payment_errors(api: Api) -> None:
    c = _funded(api, 100)
    till = api.branch(0)["processing_account_guid"]
    issuer = api.m["asset"]["issuer"]
    base = {"amount": 10, "asset_code": "UAH", "asset_issuer": issuer}
    for body in ({**base, "receiver_id": c["guid"]}, {**base, "sender_id": till}, base):
        resp = api.post("payments", json=body)
        assert (resp.status_code, resp.json()) == (400, {"error": "invalid UUID length: 0"})
    cases = [
        ({"amount": -1}, None), ({"amount": 0}, None), ({"amount": 1.005}, None),
        ({"amount": "ten"}, None), ({"amount": True}, None), ({"sender_id": "xyz"}, None),
        ({"asset_code": "USD"}, None), ({"category_guid": str(uuid.uuid4())}, None),
        ({"amount": 101}, "insufficient balance"),
        ({"receiver_id": api.m["other_counterparty"]["processing_account_guid"]},
         "transfer route is not allowed"),
    ]
    for patch, text in cases:
        body = {**base, "sender_id": c["guid"], "receiver_id": till, **patch}
        resp = api.post("payments", json=body)
        assert resp.status_code == 400, (patch, resp.text)
        if text:
            assert resp.json() == {"error": text}
    # routes: emission -> customer, customer -> emission are not allowed
    emission = api.get("accounts", params={"account_kinds": "emission"}).json()[0]["accounts"]
    em = emission[0]["wallet_account_guid"]
    assert api.pay(em, c["guid"], 1, confirm=False).json() == {
        "error": "transfer route is not allowed"}
    assert api.pay(c["guid"], em, 1, confirm=False).json() == {
        "error": "transfer route is not allowed"}
    assert api.post("payments/confirm", json={"payment_guid": str(uuid.uuid4())}
                    ).status_code == 404
    assert api.post("payments/confirm", json={}).json() == {"error": "invalid UUID length: 0"}


def test_disabled_customer_cannot_pay_or_receive(api: Api) -> None:
    c = _funded(api, 100)
    till = api.branch(0)["processing_account_guid"]
    draft = api.pay(c["guid"], till, 10, confirm=False).json()["guid"]
    api.put(f"customers/{c['customer_guid']}", SUPER_KYIV, json={"is_disabled": True})
    assert api.pay(c["guid"], till, 10).json() == {"error": "customer is disabled"}
    assert api.pay(till, c["guid"], 10).json() == {"error": "customer is disabled"}
    resp = api.post("payments/confirm", json={"payment_guid": draft})
    assert resp.json() == {"error": "customer is disabled"}
    assert api.balance(c["guid"]) == 100


def test_a_teller_confirms_any_amount(api: Api) -> None:
    """No invented CONFIRM_OVER_LIMIT permission: a role with POST payments confirms; the
    bank's cash threshold is the hub's four-eyes policy."""
    c = api.new_customer(who=TELLER_KYIV)
    till = api.branch(0)["processing_account_guid"]
    resp = api.post("payments", TELLER_KYIV, json={
        "amount": 10000.01, "asset_code": "UAH", "asset_issuer": api.m["asset"]["issuer"],
        "sender_id": till, "receiver_id": c["guid"]})
    pg = resp.json()["guid"]
    ok = api.post("payments/confirm", TELLER_KYIV, json={"payment_guid": pg})
    assert ok.status_code == 200, ok.text
    assert api.get(f"payments/{pg}", TELLER_KYIV).json()["status"] == "CONFIRMED"


def test_branch_scoping_and_branch_variants(api: Api) -> None:
    kyiv, lviv = api.branch(0), api.branch(1)
    c = _funded(api, 500, who=TELLER_LVIV, branch=1)
    issuer = api.m["asset"]["issuer"]
    body = {"amount": 5, "asset_code": "UAH", "asset_issuer": issuer,
            "sender_id": kyiv["processing_account_guid"], "receiver_id": c["guid"]}
    # Kyiv teller cannot move Lviv money; Lviv teller cannot use Kyiv's till.
    assert api.post("payments", TELLER_KYIV, json={**body, "sender_id": c["guid"],
                                                   "receiver_id": kyiv["processing_account_guid"]}
                    ).status_code == 403
    assert api.post("payments", TELLER_LVIV, json=body).json() == {
        "error": "forbidden: branch access"}
    path = f"branch/{lviv['guid']}/payments"
    body = {**body, "sender_id": lviv["processing_account_guid"]}
    resp = api.post(path, TELLER_LVIV, json=body)
    assert resp.status_code == 200, resp.text
    pg = resp.json()["guid"]
    assert api.post(f"branch/{kyiv['guid']}/payments/confirm", TELLER_KYIV,
                    json={"payment_guid": pg}).status_code == 403
    assert api.post(f"{path}/confirm", TELLER_LVIV, json={"payment_guid": pg}).json() == {}
    assert api.post(f"branch/{kyiv['guid']}/payments", TELLER_LVIV, json=body).status_code == 403
    listed = api.get(path, TELLER_LVIV, params={"guids": pg}).json()
    assert listed["total"] == 1 and listed["payments"][0]["status"] == "CONFIRMED"
    assert api.get(f"payments/{pg}", TELLER_KYIV).status_code == 403
    kyiv_list = api.get("payments", TELLER_KYIV, params={"limit": 1000}).json()["payments"]
    assert pg not in {p["guid"] for p in kyiv_list}
    assert api.get(f"branch/{kyiv['guid']}/payments", ADMIN, params={"guids": pg}
                   ).json()["total"] == 0


def test_payment_list_filters(api: Api) -> None:
    c = _funded(api, 300)
    till = api.branch(0)["processing_account_guid"]
    api.pay(c["guid"], till, 10)
    draft = api.pay(c["guid"], till, 20, confirm=False).json()["guid"]
    mine = api.get("payments", params={"account_ids": c["guid"], "limit": 100}).json()
    assert mine["total"] == 3
    assert api.get("payments", params={"sender_ids": c["guid"]}).json()["total"] == 2
    assert api.get("payments", params={"receiver_ids[]": c["guid"]}).json()["total"] == 1
    created = api.get("payments", params={"sender_ids": c["guid"], "statuses": "CREATED"}
                      ).json()
    assert [p["guid"] for p in created["payments"]] == [draft]
    assert api.get("payments", params={"sender_ids": c["guid"], "min_amount": 15}
                   ).json()["total"] == 1
    assert api.get("payments", params={"sender_ids": c["guid"], "max_amount": 15}
                   ).json()["total"] == 1
    desc = api.get("payments", params={"account_ids": c["guid"], "order": "desc"}).json()
    assert desc["payments"][0]["guid"] == draft
    assert api.get("payments", params={"category_guid": api.category("04"),
                                       "receiver_ids": c["guid"]}).json()["total"] == 1
    assert api.get("payments", params={"min_amount": "x"}).status_code == 400
    assert api.get("payments", params={"order": "sideways"}).status_code == 400


def test_target_balance_and_balance_allowed(api: Api) -> None:
    c = _funded(api, 100)
    till = api.branch(0)["processing_account_guid"]
    assert api.pay(c["guid"], till, 10, target_balance=80).json() == {
        "error": "target balance mismatch"}
    assert api.pay(c["guid"], till, 10, target_balance=90).status_code == 200
    capped = api.new_customer(balance_allowed=50)
    assert api.pay(till, capped["guid"], 50).status_code == 200
    assert api.pay(till, capped["guid"], 0.01).json() == {"error": "balance allowed exceeded"}


def test_external_transfer_needs_bank_guid(api: Api) -> None:
    c = _funded(api, 100)
    other = api.m["other_counterparty"]
    target = other["customers"][0]["wallet_account_guid"]
    draft = api.pay(c["guid"], target, 30, confirm=False)
    assert draft.status_code == 200
    pg = draft.json()["guid"]
    resp = api.post("payments/confirm", json={"payment_guid": pg})
    assert resp.json() == {"error": "bank_guid is required for external transfer"}
    wrong = api.post("payments/confirm", json={"payment_guid": pg, "bank_guid": api.cp})
    assert wrong.status_code == 400
    ok = api.post("payments/confirm", json={"payment_guid": pg, "bank_guid": other["guid"]})
    assert ok.status_code == 200
    assert api.balance(c["guid"]) == 70
    pay = api.get(f"payments/{pg}").json()
    assert pay["receiver_counterparty"] == other["guid"] and pay["sender_counterparty"] == api.cp
    # processing -> processing between banks is allowed, processing -> customer is not
    assert api.pay(api.branch(0)["processing_account_guid"], target, 1, confirm=False
                   ).json() == {"error": "transfer route is not allowed"}
    resp = api.pay(api.branch(0)["processing_account_guid"], other["processing_account_guid"],
                   1, bank_guid=other["guid"])
    assert resp.status_code == 200


def test_limits(api: Api) -> None:
    c = _funded(api, 1000)
    till = api.branch(0)["processing_account_guid"]
    issuer = api.m["asset"]["issuer"]
    base = {"customer_guid": c["customer_guid"], "asset_code": "eUAH", "asset_issuer": issuer,
            "account_type_guid": c["type"]}
    # teller may read limits but not set them
    assert api.post("limits/customer/payment", TELLER_KYIV, json={**base, "max": 100}
                    ).status_code == 403
    resp = api.post("limits/customer/payment", SUPER_KYIV, json={**base, "min": 9.9, "max": 100})
    assert resp.status_code == 204
    got = api.get("limits/customer/payment", TELLER_KYIV,
                  params={"customer_guid": c["customer_guid"]}).json()["columns"]
    assert got[0]["min"] == 9.9 and got[0]["max"] == 100
    assert got[0]["customer_guid"] == c["customer_guid"]
    assert api.pay(c["guid"], till, 100).json() == {"error": "limit exceeded: operation"}
    assert api.pay(c["guid"], till, 9.9).json() == {"error": "limit exceeded: operation"}
    assert api.pay(c["guid"], till, 99.99).status_code == 200
    assert api.pay(c["guid"], till, 10).status_code == 200
    resp = api.post("limits/customer/amount", SUPER_KYIV,
                    json={**base, "max": 150, "period": "day", "period_key": 1})
    assert resp.status_code == 204
    got = api.get("limits/customer/amount", params={"customer_guid": c["customer_guid"]}).json()
    assert got["columns"][0]["period"]["day"] == {"max": 150, "period_key": 1}
    # 109.99 spent today: 40 more makes 149.99 < 150 (ok), then 0.01 more hits the bound
    assert api.pay(c["guid"], till, 40).status_code == 200
    assert api.pay(c["guid"], till, 10).json() == {"error": "limit exceeded: day"}
    assert api.post("limits/customer/amount", SUPER_KYIV, json={
        **base, "max": 1, "period": "custom", "period_key": 1}).status_code == 400
    assert api.post("limits/customer/amount", SUPER_KYIV, json={
        **base, "max": 1, "period": "fortnight"}).status_code == 400
    assert api.post("limits/customer/payment", SUPER_KYIV, json={
        **base, "min": 5, "max": 5}).status_code == 400


def test_segment_limits(fresh_api: Api) -> None:
    api = fresh_api
    c = _funded(api, 1000)
    till = api.branch(0)["processing_account_guid"]
    issuer = api.m["asset"]["issuer"]
    seg = {"segment_name": "retail", "asset_code": "UAH", "asset_issuer": issuer}
    assert api.post("limits/segment/payment", json={**seg, "max": 50}).status_code == 204
    assert api.get("limits/segment/payment", params={"segment_name": "retail"}
                   ).json()["columns"][0]["max"] == 50
    assert api.pay(c["guid"], till, 50).json() == {"error": "limit exceeded: operation"}
    # an individual limit overrides the segment's
    ind = {"customer_guid": c["customer_guid"], "asset_code": "UAH", "asset_issuer": issuer}
    assert api.post("limits/customer/payment", json={**ind, "max": 500}).status_code == 204
    assert api.pay(c["guid"], till, 50).status_code == 200
    assert api.post("limits/segment/amount", json={**seg, "max": 100, "period": "week"}
                    ).status_code == 204
    assert api.pay(c["guid"], till, 50).json() == {"error": "limit exceeded: week"}


def test_conservation_randomised(fresh_api: Api) -> None:
    api = fresh_api
    rng = random.Random(20240501)
    tellers = [(TELLER_KYIV, 0, SUPER_KYIV), (TELLER_LVIV, 1, SUPER_LVIV)]
    customers: list[tuple[str, int]] = []
    for who, b, _ in tellers:
        for _ in range(4):
            customers.append((api.new_customer(who=who)["guid"], b))
    ok = 0
    for _ in range(60):
        who, b, sup = tellers[rng.randrange(2)]
        till = api.branch(b)["processing_account_guid"]
        mine = [acc for acc, cb in customers if cb == b]
        amount = round(rng.uniform(0.01, 3000), 2)
        op = rng.randrange(4)
        if op == 0:
            resp = api.pay(till, rng.choice(mine), amount, who=who)
        elif op == 1:
            resp = api.pay(rng.choice(mine), till, amount, who=who)
        elif op == 2:
            resp = api.pay(rng.choice(mine), rng.choice([a for a, _ in customers]), amount,
                           who=who)
        else:
            resp = api.pay(till, rng.choice(mine), amount * 5, who=sup)
        assert resp.status_code in (200, 400), resp.text
        ok += resp.status_code == 200
    assert ok > 20
    state = api.conservation()
    assert state["conserved"] is True, state
    assert state["negative_accounts"] == 0
    assert state["sum_balances"] == state["issued"] - state["burned"]
