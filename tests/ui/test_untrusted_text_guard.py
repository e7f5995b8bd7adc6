"""Text the desk did not write is never painted as markup: an employee's and a branch's names
changed behind the desk (as the back office would), a customer's fields, a platform's error
body and a hub alert's login, all looking like HTML, shown in the real main window, its status
bar, a customer card, the banner and the lock screen of a real sandbox session. Each label
showing them is plain text (ui/untrusted) and shows the words as they are."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt

from teller_app.platform import PlatformError
from teller_app.platform.hub_models import HubEvent
from teller_app.ui.error_text import friendly_message
from teller_app.ui.untrusted import ZWSP

from .conftest import TELLER, make_window, new_customer, open_session, password_of
from .markup_labels import markup_labels

SURNAME = "<b style='color:green;font-size:20pt'>SUPERVISOR</b>"
BRANCH = "Kyiv <i><u>HEAD OFFICE AUDIT</u></i>"
ASSET = "<b>APPROVED_BY_HEAD_OFFICE</b>"  # the platform quotes it back in its refusal
FSI, PDI = "\u2068", "\u2069"


def test_names_errors_and_alerts_from_outside_are_never_markup(  # type: ignore[no-untyped-def]
        qtbot, ops, fresh_sandbox, arun):
    proc = fresh_sandbox
    db = sqlite3.connect(proc.data_dir / "sandbox.db")
    with db:
        db.execute("UPDATE employees SET surname = ? WHERE email = ?", (SURNAME, TELLER))
        db.execute("UPDATE branches SET name = ? WHERE guid = (SELECT branch_guid FROM "
                   "employees WHERE email = ?)", (BRANCH, TELLER))
    db.close()
    session = open_session(arun, proc)
    created = arun(session.client.create_customer(new_customer(
        proc, session, surname="<b>VIP</b>", name="Іван",
        status="<font color=red size=6>FRAUD HOLD</font>", segment="<u>private</u>")))
    with pytest.raises(PlatformError) as caught:
        arun(session.client.create_customer(new_customer(proc, session, asset_code=ASSET,
                                                         surname="Коваль", name="Петро")))
    refusal = caught.value
    assert ASSET in str(refusal)  # a real platform refusal quoting what it was sent

    window = make_window(qtbot, ops, session, proc)
    try:
        qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=15000)
        employee = window.employee_label
        assert employee.textFormat() == Qt.TextFormat.PlainText
        assert SURNAME in employee.text() and BRANCH in employee.text()  # as typed, not bold

        card = window.open_customer(arun(session.client.get_customer(created.customer_guid)))
        qtbot.waitUntil(lambda: "VIP" in card.title.text(), timeout=15000)
        window._show_error(refusal)  # how any op's unhandled failure reaches the banner
        assert ASSET in window.banner.label.text().replace(ZWSP, "") and window.banner.isVisible()
        assert window.banner.label.textFormat() == Qt.TextFormat.PlainText
        assert markup_labels() == []

        # a hub alert naming a login that reorders text: isolated, on one line
        window.supervision._notify_alert(HubEvent(
            id=1, kind="alert.unapproved_change", login="<a href='x'>ok</a>\u202e\nevil"))
        shown = window.banner.label.text()
        assert f"{FSI}<a href='x'>ok</a>\u202e evil{PDI}" in shown and "\n" not in shown
        assert markup_labels() == []

        window.supervision.lock_now()
        locker = window.supervision.locker
        assert locker.is_locked
        screen = locker.screen
        assert screen.who.isVisible() and SURNAME in screen.who.text()
        screen.show_error(lambda: friendly_message(refusal))
        assert screen.error.isVisible() and ASSET in screen.error.text().replace(ZWSP, "")
        assert markup_labels() == []
        screen.password.setText(password_of(proc, TELLER))
        with qtbot.waitSignal(locker.unlocked, timeout=15000):
            screen.unlock_button.click()
    finally:
        window._closing_for_sign_out = True
        ops.cancel_all()
        arun(session.close())
