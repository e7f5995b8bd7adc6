"""Issue 14 item 5, sandbox side: ``registered`` as the create example shows it, a second
asset, additional accounts by the documented scope rule (verb × first path segment)."""

from __future__ import annotations

import uuid

from sandbox_api import ADMIN, TELLER_KYIV, Api

EUR_ISSUER = "GCT443CRT464B5C43R7RERBTBE6TCBQ7C7B5FF2C52F76TF3A6A4FFB2"


def test_manifest_lists_both_assets(api: Api) -> None:
    codes = [(a["code"], a["stellar_code"]) for a in api.m["assets"]]
    assert codes == [("UAH", "eUAH"), ("EUR", "eEUR")]
    retail = api.get("segments", params={"segment_names": "retail"}).json()
    types = retail[0]["segments"]["retail"]
    assert {t["asset_code"] for t in types if t["kind"] == "customer"} == {"UAH", "EUR"}


def test_registered_is_false_on_create_true_later(api: Api) -> None:
    created = api.new_customer()
    assert created["registered"] is False  # the seed page's create example
    listed = api.get(f"customers/{created['customer_guid']}/accounts").json()["accounts"]
    assert [a["registered"] for a in listed] == [True]  # the seed page's accounts example


def test_additional_account_in_the_second_asset(api: Api) -> None:
    guid = api.new_customer(TELLER_KYIV, branch_guid=api.branch(0)["guid"])["customer_guid"]
    resp = api.post(f"customers/{guid}/accounts", TELLER_KYIV, json={})
    assert resp.status_code == 200, resp.text
    extra = resp.json()["wallet_account_guid"]
    accounts = api.get(f"customers/{guid}/accounts").json()["accounts"]
    assets = {a["guid"]: a["assets"][0] for a in accounts}
    assert [a["code"] for a in assets.values()] == ["UAH", "EUR"]
    assert assets[extra] == {"activated": True, "balance": 0, "platform": "", "code": "EUR",
                             "name": "Euro", "stellar_code": "eEUR",
                             "stellar_issuer": EUR_ISSUER, "minor_unit": 2}
    again = api.post(f"customers/{guid}/accounts", TELLER_KYIV)
    assert again.status_code == 400
    assert again.json()["error"].startswith("customer already has an account for every asset")
    same = api.post(f"customers/{guid}/accounts", json={"asset_code": "eUAH",
                                                        "asset_issuer": api.m["asset"]["issuer"]})
    assert same.json() == {"error": "customer already has an account for asset UAH"}


def test_customer_created_in_eur_then_uah(api: Api) -> None:
    created = api.new_customer(asset_code="EUR", asset_issuer=EUR_ISSUER)
    assert created["assets"][0]["code"] == "EUR"
    resp = api.post(f"customers/{created['customer_guid']}/accounts")
    assert resp.status_code == 200, resp.text
    codes = sorted(a["assets"][0]["code"] for a in api.get(
        f"customers/{created['customer_guid']}/accounts").json()["accounts"])
    assert codes == ["EUR", "UAH"]


def _employee_with(api: Api, perms: list[tuple[str, str]]) -> str:
    role = f"R{uuid.uuid4().hex[:6]}"
    assert api.post("roles", json={"role_name": role}).status_code == 200
    for scope, verb in perms:
        found = api.get("/api/v1/permissions", params={
            "keto_kinds": "endpoint", "scope_names": scope, "keto_permissions": verb}).json()
        pg = found["permissions"][0]["guid"]
        assert api.post("roles/permission", json={"role_name": role, "permission_guid": pg}
                        ).status_code == 200
    email = f"scope.{uuid.uuid4().hex[:6]}@demo.bank"
    resp = api.post("employees", json={"email": email, "roles": [role],
                                       "password": "s3cret-pass-1"})
    assert resp.status_code == 200, resp.text
    return email


def test_additional_account_scope_is_customers_post(api: Api) -> None:
    guid = api.new_customer(ADMIN)["customer_guid"]
    accounts_only = _employee_with(api, [("customers", "GET"), ("accounts", "POST")])
    token = api.login(accounts_only, "s3cret-pass-1").json()["session_token"]
    resp = api.http.post(api.url(f"customers/{guid}/accounts"), json={},
                         headers={"Authorization": f"bearer {token}"})
    assert resp.status_code == 403
    customers_post = _employee_with(api, [("customers", "GET"), ("customers", "POST")])
    token = api.login(customers_post, "s3cret-pass-1").json()["session_token"]
    resp = api.http.post(api.url(f"customers/{guid}/accounts"), json={},
                         headers={"Authorization": f"bearer {token}"})
    assert resp.status_code == 200, resp.text
