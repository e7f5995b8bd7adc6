"""The UI writes sign-in, create, edit and open-account to the audit trail (ids and field
names only: never a personal value)."""

from __future__ import annotations

from teller_app.core.audit import AuditAction

from .conftest import new_customer, unique
from .test_customer_form import _fill


def _entries(window, arun):  # type: ignore[no-untyped-def]
    # no hub in these tests: everything waits in the encrypted outbox, in order
    return arun(window.supervision.audit.unsent())


def _actions(window, arun):  # type: ignore[no-untyped-def]
    return [(e.detail.get("event", e.action),
             {k: v for k, v in e.detail.items() if k not in ("event", "desk_ts")})
            for e in _entries(window, arun)]


def test_sign_in_create_edit_and_open_account_are_audited(qtbot, main_window, sandbox, arun):  # type: ignore[no-untyped-def]
    entries = _entries(main_window, arun)
    assert [e.action for e in entries].count(AuditAction.SIGN_IN) == 1
    assert entries[0].action == AuditAction.SIGN_IN

    form = main_window.new_customer()
    login = unique("audit.")
    _fill(form, login)
    with qtbot.waitSignal(form.saved, timeout=10000) as saved:
        form.submit()
    guid = saved.args[0].customer.wallet_user_guid
    assert (AuditAction.CUSTOMER_CREATE, {"customer_guid": guid}) in _actions(main_window, arun)

    session = main_window.session
    other = arun(session.client.create_customer(new_customer(sandbox, session, status="active")))
    customer = arun(session.client.get_customer(other.customer_guid))
    edit = main_window.edit_customer(customer)
    edit.surname.setText("Аудитенко")
    edit.paternal_name.setText("Аудитівна")  # (a new phone would wait for the hub: sensitive)
    with qtbot.waitSignal(edit.saved, timeout=10000):
        edit.submit()
    assert (AuditAction.CUSTOMER_EDIT,
            {"customer_guid": other.customer_guid, "fields": ["paternal_name", "surname"]}) \
        in _actions(main_window, arun)
    assert "Аудитенко" not in str(_actions(main_window, arun))  # no personal values

    card = main_window.open_customer(customer)
    qtbot.waitUntil(lambda: card.freshness.text() == "Up to date", timeout=10000)
    # The sandbox allows one account per asset (and has one asset): feed the card the
    # platform's answer as the open-account op would.
    snapshot = arun(main_window.service.refresh(other.customer_guid))
    with qtbot.waitSignal(card.account_opened, timeout=1000):
        card._account_opened(snapshot)
    assert (AuditAction.OPEN_ACCOUNT, {"customer_guid": other.customer_guid}) \
        in _actions(main_window, arun)
    assert all(len(e.client_id) >= 8 for e in _entries(main_window, arun))  # outbox dedupe ids
