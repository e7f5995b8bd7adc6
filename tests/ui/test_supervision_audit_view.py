"""The supervisor's audit view: filters, chain check (tampering shown), formula-safe export."""

from __future__ import annotations

import json
from datetime import date

from teller_app.core.audit import AuditLog
from teller_app.ui.async_op import OpRunner
from teller_app.ui.audit_view import AuditView


def test_filter_verify_and_export(qtbot, qloop, tmp_path) -> None:  # type: ignore[no-untyped-def]
    log = AuditLog(tmp_path / "a.jsonl")
    log.append("sign_in", "emp-1")
    log.append("change_request", "emp-1", customer_guid="cust-1", request_id="r")
    log.append("approval", "emp-2", customer_guid="cust-1", comment="=2+2")
    log.append("cash_create", "emp-1", customer_guid="cust-2", amount="-5")
    view = AuditView(log, OpRunner())
    qtbot.addWidget(view)
    view.refresh()
    qtbot.waitUntil(lambda: view.proxy.rowCount() == 4, timeout=5000)
    assert view.model.entries[0].seq == 4  # newest first

    view.action.setCurrentIndex(view.action.findData("approval"))
    assert [e.seq for e in view.proxy.visible_entries()] == [3]
    view.action.setCurrentIndex(0)
    view.employee.setText("emp-1")
    view.customer.setText("cust-1")
    assert [e.seq for e in view.proxy.visible_entries()] == [2]
    view.customer.clear()
    view.date_from.setDate(date(2000, 1, 1))
    view.date_to.setDate(date(2000, 1, 2))
    assert view.proxy.visible_entries() == []
    view.date_to.setDate(date(2999, 1, 1))
    view.employee.clear()

    with qtbot.waitSignal(view.verified, timeout=5000) as ok:
        view.verify()
    assert ok.args[0].ok and "4" in view.status.text()

    out = tmp_path / "out.csv"
    with qtbot.waitSignal(view.exported, timeout=5000):
        view.export_to(str(out))
    text = out.read_bytes().decode("utf-8-sig")
    assert "\r\n4," in text and ",'-5" not in text  # amount sits inside the details JSON

    lines = log.path.read_text(encoding="utf-8").splitlines()
    forged = json.loads(lines[2])
    forged["actor"] = "emp-1"  # someone "approves" their own request after the fact
    lines[2] = json.dumps(forged)
    log.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with qtbot.waitSignal(view.verified, timeout=5000) as bad:
        view.verify()
    assert bad.args[0].first_broken_seq == 3 and "3" in view.status.text()
