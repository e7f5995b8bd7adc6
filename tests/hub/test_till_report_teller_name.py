"""The end-of-day report names the till's own teller as it names the co-signer: the hub
adds ``teller_name`` (its own store, then DCM's employees) for the till's teller, never the
viewer's (a supervisor reading a teller's report is not its teller). Real hub over HTTP,
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fe_helpers import start_fe_hub
from hub_proc import PASSWORD, HubProc, add_employee, branches, sign_in, unique_email

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.till_models import EndOfDay

TELLER_NAME = "Коваль Анна"


@pytest.fixture(scope="module")
def hub(hub_db: str | None, sandbox: SandboxProcess,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    proc = start_fe_hub(tmp_path_factory.mktemp("till-report-teller"), sandbox, hub_db)
    yield proc
    assert proc.stop() == 0, proc.log()[-3000:]


def _named_teller(http: httpx.Client, hub: HubProc, branch: str) -> str:
    email = unique_email()
    r = http.post("/api/v1/admin/employees", headers={"Authorization": f"Bearer {hub.admin_token}"},
                  json={"email": email, "name": TELLER_NAME, "password": PASSWORD,
                        "roles": ["Teller"], "branch_guid": branch, "head_office": False})
    assert r.status_code == 200 and r.json()["created"] is True, r.text
    return email


def test_the_report_names_the_till_s_teller(hub: HubProc, http: httpx.Client,
                                            sandbox: SandboxProcess) -> None:
    b0 = branches(sandbox)[0]
    teller_email = _named_teller(http, hub, b0)
    teller = sign_in(http, teller_email)
    sup = sign_in(http, add_employee(http, hub, roles=["Supervisor"], branch_guid=b0))

    def post(path: str, who: dict[str, str], **body: Any) -> dict[str, Any]:
        r = http.post(path, headers={**who, "X-Desk-ID": "desk"}, json=body)
        assert r.status_code == 200, r.text
        return dict(r.json())

    till = post("/api/v1/tills/open", teller, till_code="T-named", counts={"note_100": 1})
    post(f"/api/v1/tills/{till['id']}/cosign", sup)  # a first opening is co-signed
    post("/api/v1/tills/current/close", teller, counts={"note_100": 1})
    for viewer in (sup, teller):  # the supervisor who prints it, and the teller themself
        r = http.get(f"/api/v1/tills/{till['id']}/report", headers=viewer)
        assert r.status_code == 200, r.text
        rep = r.json()
        assert rep["teller"] == teller_email and rep["teller_name"] == TELLER_NAME, rep
        # the co-signer (the supervisor, "Test Employee") keeps their own name
        assert rep["cosigned_by_name"] == "Test Employee"
        report = EndOfDay.of(rep)  # the desk reads it
        assert (report.teller_name, report.cosigner_name) == (TELLER_NAME, "Test Employee")
