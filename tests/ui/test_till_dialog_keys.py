"""The till's dialogs against the embedded sandbox + Teller Hub: a button shows only when its
step has come (no co-sign before the count was sent, no report before the till is closed),
the first opening says it is the first (not "differs from the last close (none)"), the
count starts on the first denomination, each count field is named by its denomination, and
the end-of-day report names the co-signer as "name (e-mail)" from the platform's employees."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from teller_app.core.till import DENOMINATIONS, Till, TillService
from teller_app.core.till_cash import LinkCalls
from teller_app.core.till_cosign import cosign_with_credentials
from teller_app.ui.till_close import TillCloseDialog
from teller_app.ui.till_desk import report_context
from teller_app.ui.till_dialog import CountGrid, TillOpenDialog
from teller_app.ui.till_report import ReportContext, person_text, report_html
from teller_app.ui.till_text import denomination_text

from .conftest import TELLER, password_of
from .embedded_desk import embedded_stack, hub_session

pytestmark = pytest.mark.slow

SUPERVISOR = "supervisor.kyiv@demo.bank"
DESK = "ui-till-keys"
COUNTS = {"note_100": 3}  # 300.00 UAH


stack = embedded_stack("ui-till-hub")


@pytest.fixture()
def session(arun, stack):  # type: ignore[no-untyped-def]
    opened = hub_session(arun, stack, TELLER)
    yield opened
    arun(opened.close())


def _shown(qtbot: Any, dialog: QWidget) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)


def _visible_buttons(dialog: QWidget) -> list[str]:
    return sorted(b.text() for b in dialog.findChildren(QPushButton)
                  if b.isVisible() and b.window() is dialog)


def _assert_counts_named(grid: CountGrid) -> None:
    assert [grid.spins[key].accessibleName() for key, _v, _n in DENOMINATIONS] == [
        denomination_text(key) for key, _v, _n in DENOMINATIONS]


def _close_left_open(arun: Any, service: TillService) -> None:
    """Leave the teller with no till (one till per teller): close what a test left open."""
    till = arun(service.current())
    if till is not None:
        arun(service.close(till.open_counts, "test clean-up"))


def test_opening_shows_each_step_when_it_comes(qtbot, ops, arun, stack, session) -> None:  # type: ignore[no-untyped-def]
    service = TillService(LinkCalls(session.hub), DESK)
    code = f"K{uuid.uuid4().hex[:6]}"  # never closed before: its first opening

    async def cosign_here(email: str, password: str, till_id: str) -> Till:
        return await cosign_with_credentials(session.profile, email, password, till_id)

    dialog = TillOpenDialog(ops, service, code, cosign_here=cosign_here)
    try:
        _shown(qtbot, dialog)
        # Before anything was sent: only Open and Close; the count starts at the first note.
        assert _visible_buttons(dialog) == ["Close", "Open the till"]
        first = dialog.grid.spins[DENOMINATIONS[0][0]]
        assert QApplication.focusWidget() is first and dialog.code.text() == code
        _assert_counts_named(dialog.grid)

        dialog.grid.spins["note_100"].setValue(3)
        qtbot.keyClick(first, Qt.Key.Key_Return)  # Enter sends the count
        qtbot.waitUntil(lambda: dialog.till is not None, timeout=10000)
        assert dialog.till is not None and dialog.till.previous_close is None
        assert dialog.status.text() == (
            "This is the till's first opening: a supervisor co-signs its count "
            "(300.00\u00a0UAH) from the branch cash position. Then press Check the co-sign.")
        assert _visible_buttons(dialog) == ["Check the co-sign", "Close",
                                            "Supervisor co-signs here…"]

        # The supervisor co-signs here (Enter opens it); Enter after their password.
        qtbot.waitUntil(dialog.cosign_button.hasFocus, timeout=2000)
        qtbot.keyClick(dialog.cosign_button, Qt.Key.Key_Return)
        approve = dialog.cosign_dialog
        assert approve is not None
        qtbot.waitUntil(approve.isVisible, timeout=5000)
        qtbot.keyClicks(approve.email, SUPERVISOR)
        qtbot.keyClicks(approve.password, password_of(stack.sandbox, SUPERVISOR))
        with qtbot.waitSignal(dialog.opened, timeout=15000) as opened:
            qtbot.keyClick(approve.password, Qt.Key.Key_Return)
        assert opened.args[0].state == "open" and opened.args[0].cosigned_by == SUPERVISOR
        assert _visible_buttons(dialog) == ["Close"]
    finally:
        ops.cancel_all()
        _close_left_open(arun, service)


def test_closing_offers_the_report_only_once_closed(qtbot, ops, arun, stack, session) -> None:  # type: ignore[no-untyped-def]
    service = TillService(LinkCalls(session.hub), DESK)
    till = arun(service.open(f"K{uuid.uuid4().hex[:6]}", COUNTS))
    try:
        if till.needs_cosign:  # a first opening: the supervisor co-signs with their session
            till = arun(cosign_with_credentials(session.profile, SUPERVISOR, password_of(
                stack.sandbox, SUPERVISOR), till.id))
        dialog = TillCloseDialog(ops, service, till, ReportContext("Demo Bank", "Kyiv", "Olena"))
        _shown(qtbot, dialog)
        # Before closing: no report button (it would do nothing); the window's own button
        # does not read like "Close the till" beside it.
        assert _visible_buttons(dialog) == ["Cancel", "Close the till"]
        _assert_counts_named(dialog.grid)

        dialog.grid.set_counts(COUNTS)
        assert dialog.difference() == Decimal(0)
        with qtbot.waitSignal(dialog.closed, timeout=15000):
            dialog.close_button.click()
        assert _visible_buttons(dialog) == ["Done", "End-of-day report…"]
        # said once ("closed (closed)" before); the reason greyed with the counts
        assert dialog.status.text().startswith("The till is closed.")
        assert "(closed)" not in dialog.status.text().lower()
        assert not dialog.reason.isEnabled() and not dialog.grid.isEnabled()
        assert dialog.report_dialog is not None  # shown at once; the button shows it again
        dialog.report_dialog.close()
        dialog.report_button.click()
        qtbot.waitUntil(dialog.report_dialog.isVisible, timeout=5000)
        dialog.report_dialog.close()
    finally:
        ops.cancel_all()
        _close_left_open(arun, service)


def test_person_text_names_or_keeps_the_e_mail() -> None:
    assert person_text("Гнатюк Тарас", "s@bank") == "Гнатюк Тарас (s@bank)"
    assert person_text("", "s@bank") == "s@bank"  # nobody named them: as before
    assert person_text("S@bank", "s@bank") == "s@bank"  # a directory's fallback, not a name
    assert person_text("", None) == "—"


def test_report_names_the_co_signer(qtbot, ops, arun, stack, session) -> None:  # type: ignore[no-untyped-def]
    """The report names the co-signer, the e-mail kept beside: the hub names them from its
    directory (its own store, then DCM's employees), else the desk from the platform's
    employees list (the directory it reads for makers too)."""
    service = TillService(LinkCalls(session.hub), DESK)
    till = arun(service.open(f"N{uuid.uuid4().hex[:6]}", COUNTS))  # a first opening
    try:
        assert till.needs_cosign
        till = arun(cosign_with_credentials(session.profile, SUPERVISOR, password_of(
            stack.sandbox, SUPERVISOR), till.id))
        context = report_context(session)
        dialog = TillCloseDialog(ops, service, till, context)
        _shown(qtbot, dialog)
        dialog.grid.set_counts(COUNTS)
        with qtbot.waitSignal(dialog.closed, timeout=15000):
            dialog.close_button.click()
        report = dialog.report
        assert report is not None and report.till.cosigned_by == SUPERVISOR
        assert report.cosigner_name == "Гнатюк Тарас"  # the sandbox's Kyiv supervisor
        assert f"Гнатюк Тарас ({SUPERVISOR})" in report_html(report, context)
        # the hub's answer names them by itself (no desk lookup passed)
        bare = arun(service.end_of_day(report.till.id))
        assert bare.cosigner_name == "Гнатюк Тарас"
        # nobody names them (or a directory cannot be read): the e-mail, as before
        bare = dataclasses.replace(bare, cosigner_name="")
        html = report_html(bare, ReportContext("Demo Bank", "Kyiv", "Olena"))
        assert SUPERVISOR in html and f"({SUPERVISOR})" not in html
    finally:
        ops.cancel_all()
        _close_left_open(arun, service)
