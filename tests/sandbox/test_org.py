"""Branches, employees, roles/permissions, accounts (entities), segments, categories."""

from __future__ import annotations

import uuid

from sandbox_api import ADMIN, SUPER_KYIV, TELLER_KYIV, TELLER_LVIV, Api


def test_branches_crud(api: Api) -> None:
    listed = api.get("branches", TELLER_KYIV).json()
    assert listed["total"] >= 2
    names = [b["name"] for b in listed["list"]]
    assert names[:2] == ["Київ, Хрещатик", "Львів, Ринок"]
    assert {"counterparty_guid", "created_at", "guid", "is_deleted", "name",
            "updated_at"} <= listed["list"][0].keys()
    name = f"Одеса {uuid.uuid4().hex[:6]}"
    assert api.post("branches", TELLER_KYIV, json={"name": name}).status_code == 403
    resp = api.post("branches", json={"name": name})
    assert resp.status_code == 200
    bg = resp.json()["guid"]
    dup = api.post("branches", json={"name": name})
    assert dup.status_code == 409 and "error" in dup.json()
    assert api.get(f"branches/{bg}").json()["name"] == name
    assert api.put(f"branches/{bg}", json={"name": name + " 2", "is_deleted": True}).json() == {}
    got = api.get(f"branches/{bg}").json()
    assert got["is_deleted"] is True and got["name"] == name + " 2"
    assert api.get("branches", params={"names[]": name + " 2"}).json()["total"] == 1
    assert api.get("branches", params={"guids": bg}).json()["list"][0]["guid"] == bg
    assert api.get(f"branches/{uuid.uuid4()}").status_code == 404
    assert api.post("branches", json={"name": ""}).status_code == 400


def test_employees(api: Api) -> None:
    me = api.get("employees", TELLER_KYIV, params={"logins": TELLER_KYIV}).json()
    assert me["total"] == 1
    emp = me["employees"][0]
    assert emp["roles"] == ["Teller"] and emp["branch_guid"] == api.branch(0)["guid"]
    assert emp["guid"] == api.emp(TELLER_KYIV)["guid"] and emp["is_disabled"] is False
    # branch staff see their own branch only
    visible = {e["email"] for e in api.get("employees", TELLER_KYIV).json()["employees"]}
    assert TELLER_LVIV not in visible and SUPER_KYIV in visible
    everyone = {e["email"] for e in api.get("employees").json()["employees"]}
    assert {TELLER_KYIV, TELLER_LVIV, ADMIN} <= everyone
    email = f"new.{uuid.uuid4().hex[:6]}@demo.bank"
    assert api.post("employees", TELLER_KYIV, json={"email": email}).status_code == 403
    resp = api.post("employees", json={"email": email, "name": "Нова", "surname": "Касирка",
                                       "roles": ["Teller"], "branch_name": "Львів, Ринок",
                                       "password": "s3cret-pass"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["verified"] is True
    eg = resp.json()["employee_guid"]
    dup = api.post("employees", json={"email": email})
    assert dup.json() == {"error": "create employee identity: 409 Conflict"}
    assert api.login(email, "s3cret-pass").status_code == 200
    assert api.get("employees", params={"branch_guids": api.branch(1)["guid"], "guids": eg}
                   ).json()["total"] == 1
    assert api.put(f"employees/{eg}", json={"surname": "Старша", "roles": ["Supervisor"]}
                   ).json() == {"guid": eg}
    assert api.get("employees", params={"guids": eg}).json()["employees"][0]["roles"] == [
        "Supervisor"]
    token = api.login(email, "s3cret-pass").json()["session_token"]
    assert api.put(f"employees/{eg}", json={"is_disabled": True}).status_code == 200
    resp = api.http.get(api.url("branches"), headers={"Authorization": f"bearer {token}"})
    assert resp.status_code == 401  # sessions of a disabled employee stop working
    denied = api.login(email, "s3cret-pass")
    assert denied.status_code == 401 and "disabled" in denied.json()["error"]
    assert api.get("employees", params={"guids": eg}).json()["total"] == 0
    assert api.get("employees", params={"guids": eg, "include_disabled": "true"}
                   ).json()["total"] == 1
    assert api.post("employees", json={"email": "x@y.z", "roles": ["Nope"]}).status_code == 400


def test_roles_and_permissions(api: Api) -> None:
    roles = api.get("roles").json()["roles"]
    assert {"Administrator", "Teller", "Supervisor"} <= set(roles)
    assert api.get("roles", TELLER_KYIV).status_code == 403
    name = f"Cashier{uuid.uuid4().hex[:4]}"
    assert api.post("roles", json={"role_name": name}).json() == {}
    assert api.post("roles", json={"role_name": name}).status_code == 409
    perms = api.get("/api/v1/permissions", params={"keto_kinds": "endpoint",
                                                   "scope_names": "branches",
                                                   "keto_permissions": "GET"}).json()
    assert perms["total"] == 1
    pg = perms["permissions"][0]["guid"]
    assert api.post("roles/permission", json={"role_name": name, "permission_guid": pg}
                    ).json() == {}
    table = api.get("permission/table").json()
    assert name in table["roles"]
    granted = [r for row in table["rows"] for p in row["permissions"] if p["guid"] == pg
               for r in p["roles"] if r["name"] == name]
    assert granted == [{"allowed": True, "name": name}]
    eg = api.emp(SUPER_KYIV)["guid"]
    assert api.post("roles/users", json={"role_name": name, "user_guid": eg}).json() == {}
    users = api.get("roles/users", params={"role_name": name}).json()["users"]
    assert [u["guid"] for u in users] == [eg]
    assert api.delete("roles/users", json={"role_name": name, "user_guid": eg}).json() == {}
    assert api.delete("roles/permission", json={"role_name": name, "permission_guid": pg}
                      ).json() == {}
    assert api.delete("roles", json={"role_name": name}).json() == {}
    assert api.delete("roles", json={"role_name": "Administrator"}).status_code == 400


def test_accounts_entities(api: Api) -> None:
    lists = api.get("accounts", params={"account_kinds": "processing", "limit": 100}).json()
    assert isinstance(lists, list) and lists[0]["total"] >= 3
    acc = lists[0]["accounts"][0]
    assert {"account_kind", "counterparty_guid", "created_at", "iban", "stellar_address",
            "updated_at", "wallet_account_guid", "wallet_user_external_id",
            "wallet_user_guid"} <= acc.keys()
    assert "balance" not in acc
    one = api.get(f"accounts/{acc['wallet_account_guid']}").json()
    assert one["assets"][0]["stellar_code"] == "eUAH" and one["assets_total"] == 1
    c = api.new_customer(who=TELLER_KYIV)
    found = api.get("accounts", TELLER_KYIV, params={"search_string": c["customer_guid"]}).json()
    assert [a["wallet_account_guid"] for a in found[0]["accounts"]] == [c["guid"]]
    assert api.get("accounts", params={"iban": c["iban"]}).json()[0]["total"] == 1
    kyiv = api.get(f"branch/{api.branch(0)['guid']}/accounts", TELLER_KYIV,
                   params={"limit": 1000}).json()[0]
    assert c["guid"] in {a["wallet_account_guid"] for a in kyiv["accounts"]}
    assert api.get(f"branch/{api.branch(1)['guid']}/accounts", TELLER_KYIV).status_code == 403
    assert api.get(f"accounts/{c['guid']}", TELLER_LVIV).status_code == 403
    lviv_all = api.get("accounts", TELLER_LVIV, params={"limit": 1000}).json()[0]["accounts"]
    assert c["guid"] not in {a["wallet_account_guid"] for a in lviv_all}
    bad = api.post("accounts", json={"account_kind": "customer"})
    assert bad.json() == {"error": "failed to create entity: invalid kind: bad request"}
    assert api.post("accounts", json={"account_kind": "emission",
                                      "branch_guid": api.branch(0)["guid"]}).status_code == 400
    new = api.post("accounts", json={"account_kind": "processing",
                                     "branch_guid": api.branch(0)["guid"]})
    assert new.status_code == 200 and new.json()["guid"]
    assert api.post("accounts", TELLER_KYIV, json={"account_kind": "processing",
                                                   "branch_guid": api.branch(1)["guid"]}
                    ).status_code == 403


def test_segments(api: Api) -> None:
    seg = api.get("segments", TELLER_KYIV).json()
    assert seg[0]["counterparty"]["name"] == "Demo Bank"
    retail = seg[0]["segments"]["retail"]
    assert retail[0]["kind"] == "customer" and retail[0]["asset_code"] == "UAH"
    assert api.get("segments", params={"segment_names": "none"}).json()[0]["segments"] == {}
    assert api.patch("segments", TELLER_KYIV, json={
        "account_type_guid": retail[0]["account_type_guid"], "segment_name": "x"}
    ).status_code == 403
    assert api.patch("segments", json={"account_type_guid": str(uuid.uuid4()),
                                       "segment_name": "x"}).status_code == 404


def test_categories(api: Api) -> None:
    cats = api.get("/api/v1/dictionary/payment/category", TELLER_KYIV).json()["categories"]
    codes = [c["name"] for c in cats]
    assert len(codes) >= 18 and {"01", "02", "04", "20", "21", "52"} <= set(codes)
    four = next(c for c in cats if c["name"] == "04")
    assert four["description"] == "Cash replenishment through the bank's cash desk"
    path = "/api/v1/dictionary/payment/category"
    name = f"9{uuid.uuid4().hex[:3]}"
    assert api.post(path, TELLER_KYIV, json={"name": name}).status_code == 403
    cg = api.post(path, json={"name": name, "description": "test"}).json()["guid"]
    assert api.post(path, json={"name": name}).status_code == 409
    assert api.put(f"{path}/{cg}", json={"name": name, "description": "changed"}).json() == {}
    assert api.delete(f"{path}/{cg}").json() == {}
    assert name not in {c["name"] for c in api.get(path).json()["categories"]}
    assert api.delete(f"{path}/{cg}").status_code == 404


def test_branch_access_roles_move_employees(fresh_api: Api) -> None:
    api = fresh_api
    lviv = api.branch(1)["guid"]
    assert api.get("branches-access/scopes").json() == {"scopes": ["customers", "employees"]}
    assert api.post("branches-access/role", json={"branch_guid": lviv, "role_name": "Львів"}
                    ).json() == {}
    assert api.post("branches-access/role", json={"branch_guid": lviv, "role_name": "Львів"}
                    ).status_code == 409
    perms = api.get("/api/v1/permissions", params={"keto_kinds": "branch"}).json()["permissions"]
    pg = next(p["guid"] for p in perms if p["scope"] == "customers" and
              p["keto_permission"] == "GET")
    assert api.post("branches-access/permission", json={"role_name": "Львів",
                                                        "permission_guid": pg}).json() == {}
    table = api.get(f"branch/{lviv}/permission/table").json()
    assert table["roles"] == ["Львів"]
    assert any(r["allowed"] for row in table["rows"] for p in row["permissions"]
               for r in p["roles"])
    teller = api.emp(TELLER_KYIV)["guid"]
    assert api.post("branches-access/users", json={"role_name": "Львів",
                                                   "employee_guid": teller}).json() == {}
    me = api.get("employees", params={"guids": teller}).json()["employees"][0]
    assert me["branch_guid"] == lviv
    assert api.post("branches-access/check", json={"employee_guid": teller,
                                                   "permission": "GET"}).json() == {
        "allowed": True}
    users = api.get("branches-access/users", params={"role_name": "Львів"}).json()["users"]
    assert [u["guid"] for u in users] == [teller]
    # the teller now sees Lviv's customers
    rows = api.get("customers", TELLER_KYIV, params={"limit": 1000}).json()["customers"]
    assert {c["branch_guid"] for c in rows} == {lviv}
    assert api.delete("branches-access/users", json={"role_name": "Львів",
                                                     "employee_guid": teller}).json() == {}
    assert api.get("employees", params={"guids": teller}).json()["employees"][0][
        "branch_guid"] == ""
    assert api.delete("branches-access/role", json={"role_name": "Львів"}).json() == {}
