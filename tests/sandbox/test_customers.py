"""Customers: the five operations of the seed page, every list filter, roles and branches."""

from __future__ import annotations

import uuid
from typing import Any

from sandbox_api import ADMIN, SUPER_KYIV, TELLER_KYIV, TELLER_LVIV, Api

DUPLICATE = ('failed to create wallet user: failed to sign up: response status code is not 2xx '
             'but 409; error was "{\\"error\\":\\"logic error\\"}\\n"')
ACCOUNT_KEYS = {"platform", "type", "guid", "wallet_account_guid", "name", "assets_total",
                "assets", "activated", "registered", "blocked", "iban"}
LIST_KEYS = {"wallet_user_guid", "counterparty_guid", "login", "kyc_level", "is_disabled",
             "balance_allowed", "balance_asset_code", "balance_asset_issuer", "branch_guid",
             "branch_name", "name", "paternal_name", "phone_number", "segment", "status",
             "surname", "created_at", "updated_at"}


def _one(api: Api, guid: str, who: str = ADMIN) -> dict[str, Any]:
    resp = api.get("customers", who, params={"wallet_user_guids": guid})
    assert resp.status_code == 200, resp.text
    assert resp.json()["total"] == 1
    return dict(resp.json()["customers"][0])


def test_create_customer_shape(api: Api) -> None:
    created = api.new_customer(name="Олена", surname="Шевчук", paternal_name="Іванівна",
                               phone_number="1124988888888888888888", kyc_level=1,
                               balance_allowed=1000)
    assert ACCOUNT_KEYS | {"customer_guid"} <= created.keys()
    assert created["guid"] == created["wallet_account_guid"]
    assert created["name"] == "customer"
    asset = created["assets"][0]
    assert asset == {"activated": True, "balance": 0, "platform": "", "code": "UAH",
                     "name": "Ukraine Hryvnia", "stellar_code": "eUAH",
                     "stellar_issuer": api.m["asset"]["issuer"], "minor_unit": 2}
    assert created["iban"].startswith("UA") and len(created["iban"]) == 29
    row = _one(api, created["customer_guid"])
    assert row.keys() >= LIST_KEYS
    assert row["phone_number"] == "1124988888888888888888"  # stored as given
    assert row["status"] == "active" and row["segment"] == "retail"
    assert row["balance_allowed"] == 1000 and row["kyc_level"] == 1
    assert row["created_at"].endswith("Z") and len(row["created_at"]) == 27


def test_create_validation(api: Api) -> None:
    issuer = api.m["asset"]["issuer"]
    cases = [
        {"asset_issuer": issuer},  # no asset_code
        {"asset_code": "USD", "asset_issuer": issuer},
        {"asset_code": "UAH", "asset_issuer": issuer, "kyc_level": "1"},
        {"asset_code": "UAH", "asset_issuer": issuer, "is_disabled": "true"},
        {"asset_code": "UAH", "asset_issuer": issuer, "balance_allowed": -1},
        {"asset_code": "UAH", "asset_issuer": issuer, "balance_allowed": 1.001},
        {"asset_code": "UAH", "asset_issuer": issuer, "branch_guid": "nope"},
        {"asset_code": "UAH", "asset_issuer": issuer, "iban": "UA00123"},
        {"asset_code": "UAH", "asset_issuer": issuer, "status": "x" * 2001},
    ]
    for body in cases:
        resp = api.post("customers", json=body)
        assert resp.status_code == 400, (body, resp.text)
        assert isinstance(resp.json()["error"], str)
    ok = api.new_customer(status="p" * 2000, asset_code="eUAH")
    assert _one(api, ok["customer_guid"])["status"] == "p" * 2000


def test_duplicate_login_text(api: Api) -> None:
    login = f"dup-{uuid.uuid4().hex[:8]}@test.ua"
    api.new_customer(login=login)
    resp = api.post("customers", json={"asset_code": "UAH", "asset_issuer":
                                       api.m["asset"]["issuer"], "login": login})
    assert resp.status_code == 400
    assert resp.json() == {"error": DUPLICATE}


def test_update_partial_and_branch_wrapper(api: Api) -> None:
    c = api.new_customer(name="Петро", surname="Гуменюк")
    guid = c["customer_guid"]
    before = _one(api, guid)
    lviv = api.branch(1)
    resp = api.put(f"customers/{guid}", json={"surname": "Гуменюк-Бойко", "branch_guid":
                                              {"valid": True, "value": lviv["guid"]}})
    assert (resp.status_code, resp.json()) == (200, {})
    after = _one(api, guid)
    assert after["surname"] == "Гуменюк-Бойко" and after["name"] == "Петро"
    assert after["branch_guid"] == lviv["guid"] and after["branch_name"] == lviv["name"]
    assert after["updated_at"] > before["updated_at"]
    assert after["created_at"] == before["created_at"]
    resp = api.put(f"customers/{guid}", json={"branch_guid": {"valid": False, "value": ""}})
    assert resp.status_code == 200
    assert _one(api, guid)["branch_guid"] == "" and _one(api, guid)["branch_name"] == ""
    assert api.put(f"customers/{guid}", json={"kyc_level": "2"}).status_code == 400
    assert api.put(f"customers/{guid}", json={"wallet_user_guid": str(uuid.uuid4())}
                   ).status_code == 400
    assert api.put(f"customers/{uuid.uuid4()}", json={"name": "x"}).status_code == 404
    assert api.put("customers/not-a-guid", json={"name": "x"}).status_code == 400


def test_permissions_are_verb_times_scope_only(api: Api) -> None:
    """PLATFORM_API §3.3: a role's PUT customers allows every customer PUT (no invented
    "DISABLE" permission); without it every customer PUT is refused. Four eyes is the hub's."""
    perms = api.get("/api/v1/permissions").json()["permissions"]
    assert {p["keto_permission"] for p in perms} <= {"GET", "POST", "PUT", "PATCH", "DELETE"}
    c = api.new_customer(who=TELLER_KYIV)
    guid = c["customer_guid"]
    for body in ({"is_disabled": True}, {"is_disabled": False}, {"status": "blocked"},
                 {"status": " Closed "}, {"status": "active"}):
        resp = api.put(f"customers/{guid}", TELLER_KYIV, json=body)
        assert resp.status_code == 200, (body, resp.text)
    put = next(p["guid"] for p in perms if p["keto_kind"] == "endpoint"
               and p["keto_permission"] == "PUT" and p["scope"] == "customers")
    body = {"role_name": "Teller", "permission_guid": put}
    assert api.delete("roles/permission", json=body).status_code == 200
    try:
        resp = api.put(f"customers/{guid}", TELLER_KYIV, json={"phone_number": "+380501112244"})
        assert (resp.status_code, resp.json()) == (403, {"error": "forbidden"})
        assert api.put(f"customers/{guid}", SUPER_KYIV, json={"is_disabled": True}
                       ).status_code == 200
    finally:
        assert api.post("roles/permission", json=body).status_code == 200
    assert api.put(f"customers/{guid}", TELLER_KYIV, json={"name": "Інна"}).status_code == 200


def test_branch_scoping(api: Api) -> None:
    kyiv, lviv = api.branch(0)["guid"], api.branch(1)["guid"]
    mine = api.new_customer(who=TELLER_KYIV)
    assert _one(api, mine["customer_guid"])["branch_guid"] == kyiv  # defaults to own branch
    resp = api.post("customers", TELLER_KYIV, json={
        "asset_code": "UAH", "asset_issuer": api.m["asset"]["issuer"], "branch_guid": lviv})
    assert (resp.status_code, resp.json()) == (403, {"error": "forbidden: branch access"})
    other = api.new_customer(who=TELLER_LVIV)
    guid = other["customer_guid"]
    listed = api.get("customers", TELLER_KYIV, params={"wallet_user_guids": guid}).json()
    assert listed == {"customers": [], "total": 0}
    for resp in (api.put(f"customers/{guid}", TELLER_KYIV, json={"name": "x"}),
                 api.get(f"customers/{guid}/accounts", TELLER_KYIV),
                 api.post(f"customers/{guid}/accounts", TELLER_KYIV, json={})):
        assert (resp.status_code, resp.json()) == (403, {"error": "forbidden: branch access"})
    resp = api.put(f"customers/{mine['customer_guid']}", TELLER_KYIV,
                   json={"branch_guid": {"valid": True, "value": lviv}})
    assert resp.status_code == 403
    page = api.get("customers", TELLER_KYIV, params={"limit": 1000}).json()
    assert {c["branch_guid"] for c in page["customers"]} == {kyiv}
    everyone = api.get("customers", ADMIN, params={"limit": 1}).json()["total"]
    assert everyone > page["total"]


def test_list_filters(api: Api) -> None:
    tag = uuid.uuid4().hex[:6]
    a = api.new_customer(name=f"Ярина{tag}", surname="Їжакевич", paternal_name="Остапівна",
                         login=f"yaryna.{tag}@test.ua", phone_number=f"+38050{tag[:3]}0001",
                         segment=f"seg{tag}", status=f"st{tag}", kyc_level=2)
    b = api.new_customer(name=f"Ярина{tag}", surname="Іваненко", login=f"other.{tag}@test.ua",
                         segment=f"seg{tag}")
    ga, gb = a["customer_guid"], b["customer_guid"]

    def guids(**params: Any) -> set[str]:
        resp = api.get("customers", params={"limit": 1000, **params})
        assert resp.status_code == 200, resp.text
        return {c["wallet_user_guid"] for c in resp.json()["customers"]}

    assert guids(names=f"Ярина{tag}") == {ga, gb}
    assert guids(**{"names[]": f"Ярина{tag}", "surnames[]": "Їжакевич"}) == {ga}
    assert guids(logins=[f"yaryna.{tag}@test.ua", f"other.{tag}@test.ua"]) == {ga, gb}
    assert guids(wallet_user_guids=[ga, gb], paternal_names="Остапівна") == {ga}
    assert guids(phone_numbers=f"+38050{tag[:3]}0001") == {ga}
    assert guids(segments=f"seg{tag}") == {ga, gb}
    assert guids(statuses=f"st{tag}") == {ga}
    assert guids(segments=f"seg{tag}", kyc_levels=[2]) == {ga}
    # search: case-insensitive, Cyrillic, over name / surname / paternal name / login
    assert guids(search_string=f"ЯРИНА{tag}") == {ga, gb}
    assert guids(search_string=f"ярина{tag}", segments=f"seg{tag}") == {ga, gb}
    assert ga in guids(search_string="їжакевич", segments=f"seg{tag}")
    assert guids(search_string="ОСТАПІВНА", segments=f"seg{tag}") == {ga}
    assert guids(search_string="ЇЖ", segments=f"seg{tag}") == {ga}  # 2 Cyrillic characters
    assert guids(search_string="ї", segments=f"seg{tag}") == {ga}
    assert guids(search_string="жакевич остап", segments=f"seg{tag}") == set()
    assert guids(search_string=f"YARYNA.{tag}") == {ga}
    assert guids(search_string="%", segments=f"seg{tag}") == set()
    api.put(f"customers/{gb}", ADMIN, json={"is_disabled": True})
    assert guids(segments=f"seg{tag}", is_disabled="true") == {gb}
    assert guids(segments=f"seg{tag}", is_disabled="false") == {ga}
    assert guids(segments=f"seg{tag}", branch_guids=api.branch(0)["guid"]) == set()
    assert api.get("customers", params={"is_disabled": "maybe"}).status_code == 400
    assert api.get("customers", params={"kyc_levels": "x"}).status_code == 400


def test_incremental_sync_by_updated_at(api: Api) -> None:
    c1 = api.new_customer()
    c2 = api.new_customer()
    row1 = _one(api, c1["customer_guid"])
    row2 = _one(api, c2["customer_guid"])
    assert row2["updated_at"] > row1["updated_at"]
    resp = api.get("customers", params={"min_updated_at": row2["updated_at"],
                                        "ordering": "updated_at"})
    got = [c["wallet_user_guid"] for c in resp.json()["customers"]]
    assert got[0] == c2["customer_guid"]  # inclusive bound
    assert c1["customer_guid"] not in got
    api.put(f"customers/{c1['customer_guid']}", json={"name": "Змінено"})
    resp = api.get("customers", params={"min_updated_at": row2["updated_at"],
                                        "ordering": "updated_at"})
    got = [c["wallet_user_guid"] for c in resp.json()["customers"]]
    assert got[-1] == c1["customer_guid"]
    # other offsets are accepted and normalised
    ts = row2["updated_at"].replace("Z", "+00:00")
    assert api.get("customers", params={"min_updated_at": ts}).json()["total"] >= 1
    resp = api.get("customers", params={"max_created_at": row1["created_at"],
                                        "min_created_at": row1["created_at"]})
    assert [c["wallet_user_guid"] for c in resp.json()["customers"]] == [c1["customer_guid"]]
    assert api.get("customers", params={"min_updated_at": "yesterday"}).status_code == 400


def test_paging_and_ordering(api: Api) -> None:
    total = api.get("customers", params={"limit": 1}).json()["total"]
    assert total >= 40
    default = api.get("customers").json()["customers"]
    assert len(default) == 50
    seen: list[str] = []
    offset = 0
    while offset < total:
        page = api.get("customers", params={"limit": 17, "offset": offset}).json()
        seen += [c["wallet_user_guid"] for c in page["customers"]]
        offset += 17
    assert len(seen) == len(set(seen)) == total
    rows = api.get("customers", params={"limit": 1000}).json()["customers"]
    keys = [(r["created_at"], r["wallet_user_guid"]) for r in rows]
    assert keys == sorted(keys)
    for ordering, field, rev in (("-created_at", "created_at", True),
                                 ("updated_at", "updated_at", False),
                                 ("-updated_at", "updated_at", True),
                                 ("surname", "surname", False), ("-surname", "surname", True)):
        rows = api.get("customers", params={"limit": 1000, "ordering": ordering}).json()
        keys = [(r[field], r["wallet_user_guid"]) for r in rows["customers"]]
        assert keys == sorted(keys, reverse=rev), ordering
    for params in ({"limit": 1001}, {"limit": -1}, {"offset": -1}, {"limit": "x"},
                   {"ordering": "name"}):
        assert api.get("customers", params=params).status_code == 400, params
    assert len(api.get("customers", params={"limit": 1000}).json()["customers"]) == min(
        total, 1000)


def test_customer_accounts(api: Api) -> None:
    c = api.new_customer(who=TELLER_KYIV)
    guid = c["customer_guid"]
    resp = api.get(f"customers/{guid}/accounts", TELLER_KYIV)
    assert resp.status_code == 200
    body = resp.json()
    assert body["total"] == 1 and body["accounts"][0].keys() >= ACCOUNT_KEYS
    assert body["accounts"][0]["guid"] == c["guid"]
    by_iban = api.get(f"customers/{guid}/accounts", TELLER_KYIV, params={"iban": c["iban"]})
    assert by_iban.json()["total"] == 1
    assert api.get(f"customers/{guid}/accounts", params={"iban": "UA00"}).json()["total"] == 0
    second = api.post(f"customers/{guid}/accounts", TELLER_KYIV, json={"iban": ""})
    assert second.status_code == 200  # the second asset (EUR)
    third = api.post(f"customers/{guid}/accounts", TELLER_KYIV, json={"iban": ""})
    assert third.status_code == 400 and "already" in third.json()["error"]
    missing = api.get(f"customers/{uuid.uuid4()}/accounts")
    assert missing.status_code == 404
    one = api.get(f"customers/{guid}")
    assert one.status_code == 200 and one.json()["wallet_user_guid"] == guid


def test_given_iban_is_kept(api: Api) -> None:
    iban = "UA213223130000026007233566001"
    if api.get("accounts", params={"iban": iban}).json()[0]["total"]:
        return  # already used by an earlier run of this shared sandbox
    c = api.new_customer(iban="UA21 3223 1300 0002 6007 2335 6600 1")
    assert c["iban"] == iban
    assert api.post("customers", json={"asset_code": "UAH", "asset_issuer":
                                       api.m["asset"]["issuer"], "iban": iban}).status_code == 400


def test_other_counterparty_is_forbidden(api: Api) -> None:
    other = api.m["other_counterparty"]["guid"]
    resp = api.get(f"/api/v1/counterparty/{other}/customers")
    assert (resp.status_code, resp.json()) == (403, {"error": "forbidden"})
    resp = api.get(f"/api/v1/counterparty/{uuid.uuid4()}/customers")
    assert resp.status_code == 404
