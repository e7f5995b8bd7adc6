"""Two desks (pytest-qt main windows) on one sandbox + hub: a teller's request reaches the
supervisor's inbox live (SSE, no poll), is approved there and the teller sees the outcome
live; the edit form goes through the one pipeline; in-place approval; an "unapproved change"
alert reaches the supervisor; the audit goes through the outbox to the hub and the audit view
reads it back; nothing of the old workaround lands on the ledger."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fe_stack import SUPERVISOR, TELLER, start_fe_stack, workaround_leftovers
from hub_stack_helpers import password_of

from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.core.person_name import official_name
from teller_app.platform import CustomerUpdate
from teller_app.secrets import Profile
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.change_request_dialog import ChangeRequestDialog

pytestmark = [pytest.mark.slow]
_used: set[str] = set()


@pytest.fixture(autouse=True)
def _private(private_dirs: None) -> None:
    """Each test in its own dirs, with no OS keyring (conftest.private_dirs)."""


@pytest.fixture(scope="module")
def watched_stack(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A stack whose hub runs the watcher (the embedded hub holds the Mode-B key, so its
    watcher is off by default)."""
    stack = start_fe_stack(tmp_path_factory.mktemp("fe-ui"))
    yield stack
    stack.stop()


@pytest.fixture()
def windows(hub_stack: EmbeddedStack, qtbot, arun):  # type: ignore[no-untyped-def]
    from teller_app.core.session import open_session
    from teller_app.platform import PasswordLogin
    from teller_app.ui.async_op import OpRunner
    from teller_app.ui.main_window import MainWindow

    made = []

    def make(email: str, name: str = "desk", stack: EmbeddedStack = hub_stack):  # type: ignore[no-untyped-def]
        sandbox = stack.sandbox
        profile = Profile(name=name, base_url=sandbox.base_url,
                          counterparty_guid=sandbox.counterparty_guid,
                          hub_url=stack.hub_url)
        session = arun(open_session(profile, PasswordLogin(email, password_of(sandbox, email))))
        assert session.hub_available
        window = MainWindow(session, OpRunner(), profile_name=name,
                            sandbox_asset=sandbox.manifest["asset"])
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        window.supervision.locker.stop()
        window.supervision.stop_feed()
        window.ops.cancel_all()


def _live(window: Any, qtbot: Any) -> None:
    feed = window.supervision.feed
    qtbot.waitUntil(lambda: feed is not None and feed.connected, timeout=10000)


def _customer(window: Any, arun: Any) -> Any:
    session = window.session
    page = arun(session.client.list_customers(is_disabled=False, limit=200,
                                              branch_guids=[session.branch_guid]))
    for customer in page.customers:
        if customer.wallet_user_guid not in _used and customer.name and customer.surname:
            _used.add(customer.wallet_user_guid)
            return customer
    raise AssertionError("no unused customer")


def _card(window: Any, customer: Any, qtbot: Any) -> Any:
    card = window.open_customer(customer)
    qtbot.waitUntil(lambda: card.findChild(object, "supervisionActions") is not None)
    return card


def _button(card: Any, name: str) -> Any:
    from PySide6.QtWidgets import QPushButton

    return card.findChild(QPushButton, name)


def test_request_reaches_the_inbox_live_is_approved_and_the_teller_sees_it(  # type: ignore[no-untyped-def]
        windows, qtbot, arun, hub_stack, tmp_path) -> None:
    teller = windows(TELLER, "teller-desk")
    sup = windows(SUPERVISOR, "sup-desk")
    _live(teller, qtbot)
    _live(sup, qtbot)
    inbox = sup.supervision.inbox
    assert inbox is not None and not hasattr(inbox, "timer")  # no poll any more
    customer = _customer(teller, arun)
    guid = customer.wallet_user_guid
    card = _card(teller, customer, qtbot)
    _button(card, "requestChangeButton").click()
    dialog = teller.findChild(ChangeRequestDialog)
    assert dialog is not None and not dialog.send_button.isEnabled()  # reason is required
    dialog.reason.setPlainText("Клієнт повідомив про шахрайство")
    assert dialog.change() == {"is_disabled": True}
    with qtbot.waitSignal(inbox.new_requests, timeout=10000) as news:
        dialog.send_button.click()  # pushed by the hub: the inbox has no poll timer (above)
    request = news.args[0][0]
    assert request.customer_guid == guid and request.maker == TELLER
    assert "new change request" in sup.banner.text()
    row = inbox.model.pending_ids().index(request.id)
    model = inbox.model
    teller_name = teller.session.employee.display_name
    def shown(column: int) -> str:  # names are direction-isolated (FSI … PDI)
        return str(model.data(model.index(row, column))).strip("\u2068\u2069")

    qtbot.waitUntil(lambda: shown(model.MAKER_COLUMN) == teller_name, timeout=10000)
    customer_label = official_name(customer.surname, customer.name, customer.paternal_name)
    qtbot.waitUntil(lambda: shown(model.CUSTOMER_COLUMN) == customer_label, timeout=10000)
    assert model.data(model.index(row, model.CHANGE_COLUMN)) == "disable the customer"
    inbox.table.selectRow(row)
    assert "шахрайство" in inbox.reason.text()
    # the teller's card shows their pending request, with Withdraw
    qtbot.waitUntil(lambda: card.findChild(object, "pendingRequestNote") is not None,
                    timeout=10000)
    # two refreshes in a row (a live event and Refresh): the request is still shown once
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication, QLabel, QPushButton

    card.customer_changed.emit(card.customer)
    card.customer_changed.emit(card.customer)  # two reads of the requests at once
    qtbot.waitUntil(lambda: not teller.ops.is_busy(), timeout=10000)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the replaced notes
    notes = card.findChildren(QLabel, "pendingRequestNote")
    assert len(notes) == 1 and len(card.findChildren(QPushButton, "withdrawRequestButton")) == 1

    inbox.comment.setText("=cmd|' /C calc'!A0")
    told: list[Any] = []
    teller.supervision.request_decided.connect(told.append)
    qtbot.waitUntil(inbox.approve_button.isEnabled, timeout=10000)  # the drift read
    with qtbot.waitSignals([teller.supervision.request_decided, inbox.decided], timeout=10000):
        inbox.approve_button.click()
    assert told[0].kind in ("request.applied", "request.approved")
    qtbot.waitUntil(lambda: "approved" in teller.status_bar.currentMessage(), timeout=10000)
    assert "new change request" not in sup.banner.text()
    assert arun(teller.session.client.get_customer(guid)).is_disabled
    assert workaround_leftovers(hub_stack.sandbox) == []

    # the desks' audit reached the hub through the outbox; the audit view reads it back
    arun(teller.supervision.audit.drain())
    arun(sup.supervision.audit.drain())
    assert arun(teller.supervision.audit.unsent()) == []
    sup.supervision.show_audit()
    view = sup.supervision.audit_dock.widget()
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.refresh()
    actions = {(e.actor, e.action) for e in view.model.entries}
    assert (TELLER, "request") in actions and (SUPERVISOR, "decision") in actions
    target = tmp_path / "audit.csv"
    with qtbot.waitSignal(view.exported, timeout=10000):
        view.export_to(str(target))
    out = target.read_text(encoding="utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert "=cmd|" in out  # the hub keeps the checker's comment; the cell stays inert
    assert "Change requested" in out  # translated action names, as shown


def test_the_edit_form_files_a_request_instead_of_writing(  # type: ignore[no-untyped-def]
        windows, qtbot, arun) -> None:
    teller = windows(TELLER, "form-desk")
    customer = arun(teller.session.client.get_customer(
        _customer(teller, arun).wallet_user_guid))
    form = teller.edit_customer(customer)
    form.status.setCurrentText("blocked")
    with qtbot.waitSignal(form.approval_requested, timeout=10000) as asked:
        form.submit()
    assert asked.args[0] == {"status": "blocked"}
    qtbot.waitUntil(lambda: teller.findChild(ChangeRequestDialog) is not None, timeout=10000)
    after = arun(teller.session.client.get_customer(customer.wallet_user_guid))
    assert after.status == customer.status  # nothing was written


def test_in_place_approval_at_the_tellers_desk(  # type: ignore[no-untyped-def]
        windows, qtbot, arun, hub_stack) -> None:
    teller = windows(TELLER, "inplace-desk")
    customer = _customer(teller, arun)
    card = _card(teller, customer, qtbot)
    _button(card, "requestChangeButton").click()
    dialog = teller.findChild(ChangeRequestDialog)
    dialog.reason.setPlainText("Customer asks to block")
    dialog.in_place_button.click()
    qtbot.waitUntil(lambda: teller.findChild(ApproveInPlaceDialog) is not None, timeout=10000)
    approve = teller.findChild(ApproveInPlaceDialog)
    approve.email.setText(SUPERVISOR)
    approve.password.setText("wrong password")
    approve.approve_button.click()
    qtbot.waitUntil(lambda: approve.error.text() != "", timeout=10000)
    assert not arun(teller.session.client.get_customer(customer.wallet_user_guid)).is_disabled
    approve.password.setText(password_of(hub_stack.sandbox, SUPERVISOR))
    approve.approve_button.click()
    assert approve.password.text() == ""  # handed to the throwaway session, not kept
    qtbot.waitUntil(lambda: arun(teller.session.client.get_customer(
        customer.wallet_user_guid)).is_disabled, timeout=15000)
    assert teller.session.employee.email == TELLER  # the teller's session is untouched


def test_an_unapproved_change_alerts_the_supervisor(  # type: ignore[no-untyped-def]
        windows, qtbot, arun, watched_stack) -> None:
    sup = windows(SUPERVISOR, "alert-desk", watched_stack)
    teller = windows(TELLER, "forger-desk", watched_stack)
    _live(sup, qtbot)
    customer = _customer(teller, arun)
    inbox = sup.supervision.inbox
    with qtbot.waitSignal(inbox.alert_raised, timeout=30000,
                          check_params_cb=lambda e: e.customer_guid ==
                          customer.wallet_user_guid):
        # plain HTTP, past the desk's pipeline (the demo Teller role has PUT customers)
        arun(teller.session.client.update_customer(customer.wallet_user_guid,
                                                   CustomerUpdate(status="closed")))
    assert inbox.alerts.count() >= 1 and inbox.alerts.isVisible()
    assert "Changed without approval" in sup.status_bar.currentMessage()


def test_settings_show_the_hubs_policy(windows, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The bank's settings come from the hub's ``GET /policy`` (its ``{"policy": …}`` body,
    through the session's hub client), not the profile's defaults and not "—"."""
    from teller_app.ui.settings import SettingsDialog

    window = windows(TELLER, "settings-desk")
    dialog = window.desk.open_settings()
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitUntil(lambda: dialog.policy is not None, timeout=10000)
    assert dialog.policy_source.text() == "From the bank's Teller Hub."
    # the hub's default policy, in the English locale
    assert dialog.threshold_value.text() == "10,000.00\u00a0UAH"
    sensitive = dialog.sensitive_value.text()
    assert "disabling a customer" in sensitive
    assert "setting or leaving the status blocked / closed" in sensitive
    dialog.close()
