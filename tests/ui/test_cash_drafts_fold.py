"""The supervisor's dock at 720 px: with no cash draft waiting, "Cash operations awaiting a
supervisor" is one line saying there are none (no empty table, no idle button) and the
request list above gets its room; the first draft brings the table and its button back,
and the line follows the language."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent

from teller_app.ui.approvals_inbox import ApprovalsInbox

from .test_approvals_inbox import FakeService, _people
from .test_cash_drafts_buttons import _draft


def test_no_drafts_fold_to_one_line_and_the_requests_get_the_room(qtbot: Any, ops: Any) -> None:
    inbox = ApprovalsInbox(ops, lambda: FakeService([]), cash=lambda: None,  # type: ignore[arg-type, return-value]
                           employee_names=_people, customer_names=_people)
    qtbot.addWidget(inbox)
    inbox.resize(540, 680)  # the dock at 1280×720
    inbox.show()
    qtbot.waitExposed(inbox)
    panel = inbox.drafts
    assert panel.title.text() == "Cash operations awaiting a supervisor"  # not read yet

    panel.show_drafts([])
    qtbot.waitUntil(lambda: panel.height() <= panel.title.sizeHint().height() + 4, timeout=5000)
    assert panel.title.text() == "No cash operations awaiting a supervisor"
    assert not panel.table.isVisible() and not panel.confirm_button.isVisible()
    assert not panel.reject_button.isVisible()
    roomy = inbox.table.height()

    panel.show_drafts([_draft()])
    qtbot.waitUntil(lambda: panel.table.isVisible() and panel.table.height() > 60,
                    timeout=5000)
    assert panel.title.text() == "Cash operations awaiting a supervisor"
    assert panel.confirm_button.isVisible()  # no hub: confirmed here
    qtbot.waitUntil(lambda: inbox.table.height() < roomy, timeout=5000)  # it shares again

    panel.show_drafts([])
    qtbot.waitUntil(lambda: inbox.table.height() == roomy, timeout=5000)
    assert not panel.table.isVisible()
    QCoreApplication.sendEvent(panel, QEvent(QEvent.Type.LanguageChange))  # made again
    assert panel.title.text() == "No cash operations awaiting a supervisor"
