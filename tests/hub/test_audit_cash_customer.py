"""Every cash row of the supervisor's trail names its customer (VQA): the hub's void of a
rejected cash request names it in its row; a supervisor's confirm recorded by an older desk's
inbox names only the payment (and the request): the trail reads its customer from the
request's row. Real sandbox and hub over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import shared_hubs
from cash_request_helpers import authorized_cash_draft
from hub_proc import HubProc

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform.hub_models import AuditRecord
from teller_app.ui.audit_entry import AuditEntryDialog
from teller_app.ui.audit_model import AuditTableModel

shared, main_hub = shared_hubs.fixtures("auditcashcustomer", TELLER_HUB_WATCH="0")


def test_every_cash_row_names_its_customer(qtbot: Any, main_hub: HubProc,
                                           sandbox: SandboxProcess) -> None:
    b0, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    with main_hub.client() as http:
        cust, payment = authorized_cash_draft(http, teller, sup, sandbox, b0, "12000.00")
        r = http.post("/api/v1/requests", headers=teller, json={
            "kind": "cash_confirm", "customer_guid": cust, "reason": "cash in",
            "change": {"payment_guid": payment, "amount": "12000.00"}})
        assert r.status_code == 201, r.text
        rid = r.json()["id"]
        r = http.post(f"/api/v1/requests/{rid}/reject", headers=sup,
                      json={"comment": "not confirmed by the customer"})
        assert r.status_code == 200, r.text
        # a supervisor's desk records a cash confirm from its inbox: the payment alone
        r = http.post("/api/v1/audit", headers=sup, json={"desk_id": "desk-sup", "entries": [
            {"client_id": "d" + rid.replace("-", "")[:30], "action": "cash",
             "entity": f"payment:{payment}",
             "detail": {"event": "cash_confirm", "payment_guid": payment,
                        "amount": "12000.00"}}]})
        assert r.status_code == 200, r.text
        entries = [AuditRecord.model_validate(e) for e in http.get(
            "/api/v1/audit", headers=sup, params={"limit": 1000}).json()["entries"]]
    about_cash = [e for e in entries if e.entity == f"payment:{payment}"]
    assert {e.desk_id for e in about_cash} == {"hub", "desk-sup"}, about_cash
    # the hub's void names its customer itself now; a desk row as older desks wrote it
    # (the payment alone) is still read from the request's row
    voided = [e for e in about_cash if e.desk_id == "hub"]
    assert voided and all(e.detail.get("customer_guid") == cust for e in voided), voided
    assert all("customer_guid" not in e.detail for e in about_cash if e.desk_id != "hub")
    model = AuditTableModel()
    model.set_entries(entries)
    model.set_names({}, {cust: "Petrenko Ivan"})
    for entry in about_cash + [e for e in entries if e.entity == f"request:{rid}"]:
        texts = model.row_texts(entry)
        assert texts[4] == "Petrenko Ivan", entry
        dialog = AuditEntryDialog(entry, actor=texts[3], customer=texts[4])
        qtbot.addWidget(dialog)
        assert dialog.facts["customer"].text() == "Petrenko Ivan"
