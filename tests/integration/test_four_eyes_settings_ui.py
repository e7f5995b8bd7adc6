"""A head-office Administrator's relaxed approval policy reaches another head-office
Administrator's inbox (a real desk on the sandbox + hub) as a readable summary of what would
change, and their Approve applies it on the hub — in Mode A without their platform session
going out, as the hub applies its own settings."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fe_stack import ADMIN
from hub_stack_helpers import hub_employee, password_of

from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.secrets import Profile

pytestmark = [pytest.mark.slow]


@pytest.fixture(autouse=True)
def _private(private_dirs: None) -> None:
    """Each test in its own dirs, with no OS keyring (conftest.private_dirs)."""


def _admin_window(stack: EmbeddedStack, qtbot: Any, arun: Any) -> Any:
    from teller_app.core.session import open_session
    from teller_app.platform import PasswordLogin
    from teller_app.ui.async_op import OpRunner
    from teller_app.ui.main_window import MainWindow

    sandbox = stack.sandbox
    profile = Profile(name="ho-desk", base_url=sandbox.base_url,
                      counterparty_guid=sandbox.counterparty_guid, hub_url=stack.hub_url)
    session = arun(open_session(profile, PasswordLogin(ADMIN, password_of(sandbox, ADMIN))))
    assert session.hub_available
    window = MainWindow(session, OpRunner(), profile_name="ho-desk",
                        sandbox_asset=sandbox.manifest["asset"])
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_relaxed_policy_is_shown_and_applied_by_a_second_admin(  # type: ignore[no-untyped-def]
        hub_stack: EmbeddedStack, qtbot, arun) -> None:
    stack = hub_stack
    assert stack.hub is not None
    maker = f"ho.admin.{uuid.uuid4().hex[:8]}@demo.bank"
    password = hub_employee(stack.hub, stack.sandbox, maker, ["Administrator"], None)
    with httpx.Client(base_url=stack.hub_url, timeout=10) as http:
        r = http.post("/api/v1/sessions", json={"mode": "password", "email": maker,
                                                "password": password})
        assert r.status_code == 200, r.text
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        got = http.get("/api/v1/policy", headers=headers).json()["policy"]
        r = http.put("/api/v1/policy", headers=headers, params={"reason": "audit test"},
                     json={**got, "is_disabled": False, "phone_number": False,
                           "cash_threshold": "99999999"})
        assert r.status_code == 202, r.text
        rid = r.json()["request_id"]
        window = _admin_window(stack, qtbot, arun)
        try:
            inbox = window.supervision.inbox
            assert inbox is not None
            model = inbox.model
            qtbot.waitUntil(lambda: rid in model.pending_ids(), timeout=15000)
            row = model.pending_ids().index(rid)
            change = str(model.data(model.index(row, model.CHANGE_COLUMN)))
            assert change.startswith("no approval any more for: disabling or re-enabling a "
                                     "customer, a new phone number"), change
            assert "cash approval threshold: " in change and "99" in change, change
            assert model.data(model.index(row, model.CUSTOMER_COLUMN)) == "Approval policy"
            inbox.table.selectRow(row)
            with qtbot.waitSignal(inbox.decided, timeout=15000) as decided:
                inbox.approve_button.click()
            assert decided.args[0].state == "applied", decided.args[0]
            assert rid not in model.pending_ids()
            now = http.get("/api/v1/policy", headers=headers).json()["policy"]
            assert now["is_disabled"] is False and now["cash_threshold"] == "99999999.00"
        finally:
            window.supervision.locker.stop()
            window.supervision.stop_feed()
            window.ops.cancel_all()
            back = http.put("/api/v1/policy", headers=headers, json=got)  # stricter: at once
            assert back.status_code == 200, back.text
