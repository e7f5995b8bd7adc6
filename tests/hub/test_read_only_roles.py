"""An employee whose role only reads (a DCM Auditor signed in with their platform session)
may read what their role shows but writes nothing at the hub: no till, no cash, no request,
no customer secret. Real sandbox and hub, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fe_helpers import dcm_employee, platform_session, platform_token, start_fe_hub
from hub_proc import HubProc, branches

from teller_app.core.embedded_sandbox import SandboxProcess


@pytest.fixture(scope="module")
def hub(hub_db: str | None, sandbox: SandboxProcess,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    proc = start_fe_hub(tmp_path_factory.mktemp("read-only-hub"), sandbox, hub_db,
                        TELLER_HUB_WATCH="0")
    yield proc
    assert proc.stop() == 0, proc.log()[-3000:]


def test_an_auditor_reads_but_never_writes(hub: HubProc, sandbox: SandboxProcess) -> None:
    b0 = branches(sandbox)[0]
    email, password = dcm_employee(sandbox, ["Auditor"], b0)
    with hub.client() as http:
        auditor = {**platform_session(http, platform_token(sandbox, email, password)),
                   "X-Desk-ID": "desk-audit"}
        assert http.get("/api/v1/me", headers=auditor).status_code == 200
        writes = [
            http.post("/api/v1/tills/open", headers=auditor,
                      json={"till_code": "T-aud", "counts": {"note_100": 1}}),
            http.post("/api/v1/secrets", headers=auditor,
                      json={"external_id": "aud-" + uuid.uuid4().hex[:8], "branch_guid": b0}),
            http.post("/api/v1/cash/authorize", headers=auditor,
                      json={"payment_guid": str(uuid.uuid4())}),
            http.post("/api/v1/requests", headers=auditor, json={
                "kind": "customer_update", "customer_guid": str(uuid.uuid4()),
                "change": {"is_disabled": True}, "reason": "auditor"}),
            # the check before a Save answers whether a phone number is held: a writer's
            http.post("/api/v1/policy/evaluate", headers=auditor, json={
                "kind": "customer_update", "customer_guid": str(uuid.uuid4()),
                "change": {"phone_number": "+380501234567"}}),
        ]
        for r in writes:
            assert r.status_code == 403 and r.json().get("code") == "read_only_role", r.text
        assert http.get("/api/v1/policy", headers=auditor).status_code == 200  # reads


