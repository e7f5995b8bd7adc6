"""A supervisor of another branch taking over a desk on the lock screen never sees the last
supervisor's approvals inbox (rows, the request's details, a comment typed) or audit trail
(rows, filters): both are made afresh for them. Before, the inbox showed the last one's
rows until the newcomer's feed connected (for as long as the hub was away), and a comment
typed by the last one would have gone out under the newcomer's decision; the audit view kept
the last one's filter, and looked up names with their closed session."""

from __future__ import annotations

import pytest

from teller_app.core.approvals import ApprovalService, actor_from_session
from teller_app.core.customers import CustomerService
from tests.ui.conftest import TELLER, make_window, new_customer, password_of
from tests.ui.embedded_desk import embedded_stack, hub_session

pytestmark = pytest.mark.slow
stack = embedded_stack("ui-switch-inbox")
X, Y = "supervisor.kyiv@demo.bank", "supervisor.lviv@demo.bank"


def test_the_newcomer_gets_an_inbox_and_audit_trail_of_their_own(qtbot, ops, arun, stack):  # type: ignore[no-untyped-def]
    teller = hub_session(arun, stack, TELLER)
    made = arun(CustomerService(teller.client, hub=teller.hub).create(new_customer(
        stack.sandbox, teller, surname="Таємнича", name="Київська")))
    filed = arun(ApprovalService(teller.hub, actor_from_session(teller)).file_request(
        made.customer.guid, {"status": "blocked"}, "Kyiv's reason"))
    window = make_window(qtbot, ops, hub_session(arun, stack, X), stack.sandbox)
    sup = window.supervision
    try:
        qtbot.waitUntil(lambda: sup.inbox is not None and filed.id in sup.inbox._pending_ids,
                        timeout=20000)
        x_inbox = sup.inbox
        x_inbox.comment.setText("Таємнича: call her first")
        sup.open_audit()
        assert sup._audit_view is not None
        sup._audit_view.employee.setText(TELLER)
        x_audit = sup._audit_view

        sup.lock_now()
        locker = sup.locker
        locker.screen.other_email.setText(Y)
        locker.screen.other_password.setText(password_of(stack.sandbox, Y))
        seen: list[tuple[object, ...]] = []
        locker.unlocked.connect(lambda *_: seen.append((
            sup.inbox, [r.id for r in sup.inbox.model.rows] if sup.inbox else None,
            sup.inbox.comment.text() if sup.inbox else None, sup.audit_dock)))
        with qtbot.waitSignal(locker.unlocked, timeout=20000):
            locker.screen.switch_button.click()
        assert window.session.employee.email == Y
        inbox, rows, comment, audit_dock = seen[0]
        assert inbox is not x_inbox and rows == [] and comment == ""  # at once, not later
        assert audit_dock is None
        sup.open_audit()
        assert sup._audit_view is not x_audit and sup._audit_view.employee.text() == ""
    finally:
        window._closing_for_sign_out = True
        ops.cancel_all()
        arun(teller.close())
        arun(window.session.close())
