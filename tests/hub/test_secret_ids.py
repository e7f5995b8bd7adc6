"""External ids (SQLite and PostgreSQL, real hub over HTTP): another branch's id reads as an
unknown one (no existence oracle, Auditors included); an id that differs only in letter case
from a registered one is refused with one clear error (API, admin import, CLI import), while
the registered id itself still answers; ``teller-hub secrets import`` is in the audit."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
from fe_helpers import dcm_employee, platform_session, platform_token
from hub_proc import HubProc, add_employee, branches, sign_in

from teller_app.core.embedded_sandbox import SandboxProcess


def _login(tag: str = "Probe") -> str:
    return f"{tag}-{uuid.uuid4().hex[:8]}@example.ua"


def test_another_branchs_id_reads_as_unknown(http: httpx.Client, hub: HubProc,
                                             sandbox: SandboxProcess) -> None:
    kyiv, lviv = branches(sandbox)[:2]
    ext = _login()
    lviv_teller = sign_in(http, add_employee(http, hub, branch_guid=lviv))
    assert http.post("/api/v1/secrets", json={"external_id": ext, "branch_guid": lviv},
                     headers=lviv_teller).json()["created"] is True
    auditor, password = dcm_employee(sandbox, ["Auditor"], kyiv)  # a DCM role (Mode A)
    for kyiv_emp in (sign_in(http, add_employee(http, hub, branch_guid=kyiv)),
                     platform_session(http, platform_token(sandbox, auditor, password))):
        theirs = http.get(f"/api/v1/secrets/{ext}", headers=kyiv_emp)
        unknown = http.get(f"/api/v1/secrets/{_login()}", headers=kyiv_emp)
        assert (theirs.status_code, theirs.json()) == (unknown.status_code, unknown.json()) \
            == (200, {"exists": False})
    assert http.get(f"/api/v1/secrets/{ext}", headers=lviv_teller).json() == {"exists": True}


def test_an_id_differing_only_in_case_is_refused(http: httpx.Client, hub: HubProc,
                                                 sandbox: SandboxProcess) -> None:
    kyiv = branches(sandbox)[0]
    teller = sign_in(http, add_employee(http, hub, branch_guid=kyiv))
    ext = _login()
    body = {"external_id": ext, "branch_guid": kyiv}
    assert http.post("/api/v1/secrets", json=body, headers=teller).json()["created"] is True
    for twin in (ext.lower(), ext.upper()):
        r = http.post("/api/v1/secrets", json={**body, "external_id": twin}, headers=teller)
        assert r.status_code == 409, r.text
        assert r.json()["code"] == "external_id_case_clash"
        assert "letter case" in r.json()["error"]
        assert http.get(f"/api/v1/secrets/{twin}", headers=teller).json() == {"exists": False}
    again = http.post("/api/v1/secrets", json=body, headers=teller)  # the registered id
    assert again.status_code == 200 and again.json()["created"] is False


def test_import_with_a_case_twin_issues_nothing(http: httpx.Client, hub: HubProc,
                                                sandbox: SandboxProcess) -> None:
    kyiv = branches(sandbox)[0]
    admin = {"Authorization": f"Bearer {hub.admin_token}"}
    head = sign_in(http, add_employee(http, hub, roles=["Administrator"], head_office=True))
    fresh, twin_a = _login("Fresh"), _login("Twin")
    items = [{"external_id": fresh, "branch_guid": kyiv},
             {"external_id": twin_a, "branch_guid": kyiv},
             {"external_id": twin_a.lower(), "branch_guid": kyiv}]  # twins within one batch
    r = http.post("/api/v1/admin/secrets/import", json={"items": items}, headers=admin)
    assert r.status_code == 409 and r.json()["code"] == "external_id_case_clash", r.text
    for ext in (fresh, twin_a, twin_a.lower()):  # the whole batch was refused
        assert http.get(f"/api/v1/secrets/{ext}", headers=head).json() == {"exists": False}
    ok = http.post("/api/v1/admin/secrets/import", headers=admin,
                   json={"items": [{"external_id": twin_a, "branch_guid": kyiv}]})
    assert ok.json() == {"created": 1, "existing": 0}
    late = http.post("/api/v1/admin/secrets/import", headers=admin,
                     json={"items": [{"external_id": fresh, "branch_guid": kyiv},
                                     {"external_id": twin_a.upper(), "branch_guid": kyiv}]})
    assert late.status_code == 409
    assert http.get(f"/api/v1/secrets/{fresh}", headers=head).json() == {"exists": False}


def test_cli_import_is_audited_and_refuses_case_twins(http: httpx.Client, hub: HubProc,
                                                      sandbox: SandboxProcess,
                                                      tmp_path: Path) -> None:
    kyiv = branches(sandbox)[0]
    head = sign_in(http, add_employee(http, hub, roles=["Administrator"], head_office=True))
    a, b = _login("Cli"), _login("Cli")
    f = tmp_path / "items.jsonl"
    f.write_text("\n".join(json.dumps({"external_id": e, "branch_guid": kyiv})
                           for e in (a, b)) + "\n")
    r = hub.cli("secrets", "import", "--file", str(f))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"created": 2, "existing": 0}
    trail = http.get("/api/v1/audit", headers=head,
                     params={"action": "secrets_imported", "limit": 1000})
    assert trail.status_code == 200, trail.text
    last = trail.json()["entries"][-1]
    assert last["actor"].startswith("cli:")
    assert last["detail"] == {"created": 2, "existing": 0, "items": 2}
    assert a not in json.dumps(trail.json())  # counts only, never the ids

    twins = tmp_path / "twins.jsonl"
    twins.write_text(json.dumps({"external_id": a.upper(), "branch_guid": kyiv}) + "\n")
    r = hub.cli("secrets", "import", "--file", str(twins))
    assert r.returncode == 2 and "letter case" in r.stderr
    assert http.get(f"/api/v1/secrets/{a.upper()}", headers=head).json() == {"exists": False}
