"""Enter from a typed comment never approves. The co-sign dialog: a comment is a rejection's
reason, so with one typed Reject is the default button (Enter rejects, from the comment or
the password); emptied, Approve is again, and Enter never cancels. The inbox's own comment
(in a dock, no dialog and so no default button): Enter there decides nothing."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QDockWidget, QMainWindow

from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog

from .test_approvals_inbox import FakeService, _people, _request


def _shown(qtbot: Any) -> ApproveInPlaceDialog:
    dialog = ApproveInPlaceDialog("Approve the change.")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    dialog.email.setText("supervisor.kyiv@demo.bank")
    dialog.password.setText("secret")
    return dialog


def test_enter_in_a_typed_comment_rejects_never_approves(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = _shown(qtbot)
    outcomes: list[str] = []
    dialog.decided.connect(lambda outcome, *_: outcomes.append(outcome))
    dialog.comment.setFocus()
    qtbot.keyClicks(dialog.comment, "Wrong account")
    assert dialog.reject_button.isDefault() and not dialog.approve_button.isDefault()
    with qtbot.waitSignal(dialog.decided, timeout=5000) as decided:
        qtbot.keyClick(dialog.comment, Qt.Key.Key_Return)
    assert decided.args[0] == "rejected" and decided.args[3] == "Wrong account"
    assert outcomes == ["rejected"]  # and nothing approved


def test_enter_from_the_password_rejects_while_a_comment_is_typed(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = _shown(qtbot)
    dialog.comment.setText("Signature does not match")
    dialog.password.setFocus()
    with qtbot.waitSignal(dialog.decided, timeout=5000) as decided:
        qtbot.keyClick(dialog.password, Qt.Key.Key_Enter)  # the keypad's Enter too
    assert decided.args[0] == "rejected"


def test_blank_comment_asks_for_words_and_emptied_approve_is_default_again(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = _shown(qtbot)
    outcomes: list[str] = []
    dialog.decided.connect(lambda outcome, *_: outcomes.append(outcome))
    dialog.comment.setFocus()
    qtbot.keyClicks(dialog.comment, "  ")
    qtbot.keyClick(dialog.comment, Qt.Key.Key_Return)  # blanks only: not an approval
    assert outcomes == [] and dialog.error.text() == "A rejection needs a comment."
    dialog.comment.clear()
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert dialog.approve_button.isDefault() and not dialog.reject_button.isDefault()
    assert not cancel.isDefault()
    cancel.setFocus()
    qtbot.keyClick(cancel, Qt.Key.Key_Return)  # Enter on Cancel: neither cancels nor decides
    assert dialog.isVisible() and outcomes == []
    dialog.comment.setFocus()
    with qtbot.waitSignal(dialog.decided, timeout=5000) as decided:
        qtbot.keyClick(dialog.comment, Qt.Key.Key_Return)
    assert decided.args[0] == "approved"


def test_enter_in_the_inbox_comment_decides_nothing(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    request = _request()
    service = FakeService([request])
    rejected: list[str] = []

    async def reject(request: Any, comment: str) -> Any:
        rejected.append(comment)
        return request
    service.reject = reject  # type: ignore[method-assign]
    window = QMainWindow()  # the supervisor's desk: the inbox in a dock (which owns it)
    qtbot.addWidget(window)
    inbox = ApprovalsInbox(ops, lambda: service, employee_names=_people,  # type: ignore[arg-type, return-value]
                           customer_names=_people)
    dock = QDockWidget()
    dock.setWidget(inbox)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    inbox.start()
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=5000)
    inbox.table.selectRow(0)
    qtbot.waitUntil(lambda: not ops.is_busy(), timeout=5000)  # names read
    decided: list[object] = []
    inbox.decided.connect(decided.append)
    inbox.comment.setFocus()
    qtbot.keyClicks(inbox.comment, "Wrong account")
    qtbot.keyClick(inbox.comment, Qt.Key.Key_Return)
    qtbot.keyClick(inbox.comment, Qt.Key.Key_Enter)
    # a decision would have started its op at once (a click runs synchronously)
    assert not ops.is_busy() and service.approved == [] and rejected == [] and decided == []
    assert inbox.model.rowCount() == 1
