"""External ids that differ only in letter case are refused in every alphabet (SQLite and
PostgreSQL, real hub over HTTP): SQL's lower() folds ASCII only on SQLite (and follows the
locale on PostgreSQL), so a Cyrillic "Іван…" registered first must still refuse "іван…", and
full Unicode folding ("Straße" is "STRASSE") holds on both databases."""

from __future__ import annotations

import uuid

import httpx
from hub_proc import HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess


def _refused(http: httpx.Client, teller: dict[str, str], body: dict[str, str]) -> None:
    r = http.post("/api/v1/secrets", json=body, headers=teller)
    assert r.status_code == 409, (body["external_id"], r.text)
    assert r.json()["code"] == "external_id_case_clash"
    assert http.get(f"/api/v1/secrets/{body['external_id']}",
                    headers=teller).json() == {"exists": False}


def test_a_non_ascii_twin_is_refused_either_way(http: httpx.Client, hub: HubProc,
                                                sandbox: SandboxProcess) -> None:
    kyiv = branches(sandbox)[0]
    teller = sign_in(http, add_employee(http, hub, branch_guid=kyiv))
    tag = uuid.uuid4().hex[:8]
    pairs = [(f"Іван.{tag}@пошта.укр", f"іван.{tag}@пошта.укр"),  # capital registered first
             (f"олена.{tag}@пошта.укр", f"ОЛЕНА.{tag}@ПОШТА.УКР"),  # small registered first
             (f"Straße.{tag}@example.de", f"STRASSE.{tag}@example.de"),  # full folding
             (f"kelvin.{tag}@example.ua", f"\u212aelvin.{tag}@example.ua")]  # KELVIN SIGN
    for registered, twin in pairs:
        body = {"external_id": registered, "branch_guid": kyiv}
        assert http.post("/api/v1/secrets", json=body, headers=teller).json()["created"]
        _refused(http, teller, {**body, "external_id": twin})
        again = http.post("/api/v1/secrets", json=body, headers=teller)  # the registered id
        assert again.status_code == 200 and again.json()["created"] is False
    # a non-ASCII id that is no twin (folded, "іванна…" is not "іван…") is issued
    other = {"external_id": f"Іванна.{tag}@пошта.укр", "branch_guid": kyiv}
    assert http.post("/api/v1/secrets", json=other, headers=teller).json()["created"] is True


def test_an_import_with_a_cyrillic_twin_issues_nothing(http: httpx.Client, hub: HubProc,
                                                       sandbox: SandboxProcess) -> None:
    kyiv = branches(sandbox)[0]
    admin = {"Authorization": f"Bearer {hub.admin_token}"}
    head = sign_in(http, add_employee(http, hub, roles=["Administrator"], head_office=True))
    tag = uuid.uuid4().hex[:8]
    registered, fresh = f"Петро.{tag}@пошта.укр", f"Марія.{tag}@пошта.укр"
    ok = http.post("/api/v1/admin/secrets/import", headers=admin,
                   json={"items": [{"external_id": registered, "branch_guid": kyiv}]})
    assert ok.json() == {"created": 1, "existing": 0}
    late = http.post("/api/v1/admin/secrets/import", headers=admin, json={"items": [
        {"external_id": fresh, "branch_guid": kyiv},
        {"external_id": registered.lower(), "branch_guid": kyiv}]})
    assert late.status_code == 409 and late.json()["code"] == "external_id_case_clash"
    for ext in (fresh, registered.lower()):  # the whole batch was refused
        assert http.get(f"/api/v1/secrets/{ext}", headers=head).json() == {"exists": False}
