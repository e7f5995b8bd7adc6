"""A decision's outcome under Approve/Reject is about the request just decided: it stays
while nothing is selected (the row left, the list was read again) and goes when the
supervisor selects another request, so it never reads as that request's outcome."""

from __future__ import annotations

from .test_approvals_inbox import FakeService, _inbox, _request


def test_outcome_stays_until_another_request_is_selected(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    first, second = _request(), _request({"status": "blocked"})
    service = FakeService([first, second])
    inbox = _inbox(qtbot, ops, service)
    inbox.start()
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 2, timeout=5000)
    said: list[str] = []
    inbox.message.connect(said.append)
    row = next(i for i, r in enumerate(inbox.model.rows) if r.id == first.id)
    inbox.table.selectRow(row)
    inbox.comment.setText("wrong customer")
    with qtbot.waitSignal(inbox.decided, timeout=5000):
        inbox.reject_button.click()
    outcome = inbox.status.text()
    assert said[0].startswith("Rejected") and said[0] in outcome  # the banner has it too
    assert inbox.selected_request() is None and inbox.model.rowCount() == 1

    # Read again (Refresh, a reconnect): nothing was selected by the supervisor, it stays.
    with qtbot.waitSignal(inbox.model.modelReset, timeout=5000):
        inbox.reload()
    assert inbox.status.text() == outcome
    inbox.retranslate()
    assert inbox.status.text() == outcome

    # Another request selected: the outcome is not shown under its buttons.
    inbox.table.selectRow(0)
    assert inbox.selected_request() is not None and inbox.selected_request().id == second.id
    assert inbox.status.text() == ""
    inbox.retranslate()  # a language switch does not bring it back
    assert inbox.status.text() == ""


def test_a_failed_read_stays_whatever_is_selected(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    service = FakeService([_request()])
    inbox = _inbox(qtbot, ops, service)
    inbox.start()
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=5000)

    async def unreachable() -> list[object]:
        raise ConnectionError("hub down")
    service.pending = unreachable  # type: ignore[assignment, method-assign]
    inbox.reload()
    qtbot.waitUntil(lambda: inbox.status.text() != "", timeout=5000)
    said = inbox.status.text()
    inbox.table.selectRow(0)  # the list's state, not this request's: it stays
    assert inbox.selected_request() is not None and inbox.status.text() == said

    # The hub answers again: the list's trouble is over, and so is its line (review M2).
    async def reachable() -> list[object]:
        return [_request()]
    service.pending = reachable  # type: ignore[assignment, method-assign]
    with qtbot.waitSignal(inbox.model.modelReset, timeout=5000):
        inbox.reload()
    assert inbox.status.text() == ""
