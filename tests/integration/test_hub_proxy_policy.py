"""Mode B: the bank's four-eyes policy judges a maker's new customer through the proxy too
(as a change from what DCM gives a new customer), and a ``balance_allowed`` of 0 is no limit
at all (the platform's FAQ 12), so lowering it to 0 is a raise that needs a second person."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hub_stack_helpers import branch_guid
from test_hub_proxy import _as

from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.hub.policy import Policy, evaluate

pytestmark = pytest.mark.slow


def _new(stack: EmbeddedStack, teller: httpx.Client, **fields: Any) -> httpx.Response:
    sb = stack.sandbox
    asset = sb.manifest["asset"]
    login = "pp" + uuid.uuid4().hex[:10]
    assert stack.hub is not None
    secret = httpx.post(stack.hub.base_url + "/api/v1/secrets", headers=teller.headers,
                        json={"external_id": login, "branch_guid": branch_guid(sb, 0)})
    assert secret.status_code in (200, 201), secret.text
    return teller.post("/customers", json={
        "asset_code": asset["code"], "asset_issuer": asset["issuer"], "login": login,
        "branch_guid": branch_guid(sb, 0), **fields})


def test_zero_allowance_is_no_limit() -> None:
    cur = {"balance_allowed": "1000", "kyc_level": 1, "status": "active", "is_disabled": False}
    assert evaluate(Policy(), "customer_update", {"balance_allowed": "0"}, cur) == [
        "balance_allowed_up"]
    unlimited = {**cur, "balance_allowed": "0"}
    assert evaluate(Policy(), "customer_update", {"balance_allowed": "5000"}, unlimited) == []
    assert evaluate(Policy(), "customer_update", {"balance_allowed": "0"}, unlimited) == []


def test_a_tellers_new_customer_is_judged_by_the_policy(hub_stack: EmbeddedStack) -> None:
    teller = _as(hub_stack, ["Teller"], 0)
    supervisor = _as(hub_stack, ["Supervisor"], 0)
    assert _new(hub_stack, teller, is_disabled=True).status_code == 200  # the form offers it
    blocked = _new(hub_stack, teller, status="blocked")
    assert blocked.status_code == 403 and "status" in blocked.json()["error"]
    usual = _new(hub_stack, teller, balance_allowed=5000, kyc_level=2, status="active")
    assert usual.status_code == 200, usual.text
    assert _new(hub_stack, supervisor, status="blocked").status_code == 200  # a checker


def test_lifting_the_allowance_to_no_limit_needs_a_second_person(
        hub_stack: EmbeddedStack) -> None:
    teller = _as(hub_stack, ["Teller"], 0)
    made = _new(hub_stack, teller, balance_allowed=1000)
    assert made.status_code == 200, made.text
    guid = made.json()["customer_guid"]
    lifted = teller.put(f"/customers/{guid}", json={"balance_allowed": 0})
    assert lifted.status_code == 403 and "balance_allowed_up" in lifted.json()["error"]
    page = teller.get("/customers", params={"wallet_user_guids": guid}).json()
    assert Decimal(str(page["customers"][0]["balance_allowed"])) == 1000
    assert teller.put(f"/customers/{guid}", json={"balance_allowed": 500}).status_code == 200


def test_only_the_documented_keys_exactly_spelt_pass(hub_stack: EmbeddedStack) -> None:
    """A platform decoding JSON case-insensitively would read "IS_DISABLED" as is_disabled:
    the proxy refuses what its policy check could not see."""
    teller = _as(hub_stack, ["Teller"], 0)
    made = _new(hub_stack, teller, balance_allowed=1000)
    assert made.status_code == 200, made.text
    guid = made.json()["customer_guid"]
    for body in ({"IS_DISABLED": True}, {"Balance_Allowed": 0},
                 {"status": {"Valid": True, "Value": "blocked"}},
                 {"wallet_user_guid": str(uuid.uuid4()), "surname": "Інший"}):
        refused = teller.put(f"/customers/{guid}", json=body)
        assert refused.status_code == 400, (body, refused.text)
    assert _new(hub_stack, teller, Is_Disabled=True).status_code == 400
    assert teller.put(f"/customers/{guid}", json={"surname": "Мельник",
                                                  "wallet_user_guid": guid}).status_code == 200
