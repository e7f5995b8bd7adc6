"""The end-of-day report names the till's own teller, never whoever is signed in: it printed
the signed-in employee, and the report of a till closed in the window stayed offered after
another employee took the window over (a supervisor at a locked desk was offered A's report
with themselves as "Teller")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from teller_app.core.till_models import EndOfDay, Till
from teller_app.ui.till_desk import report_context
from teller_app.ui.till_report import ReportContext, report_html

from .conftest import TELLER, open_session

SUPERVISOR = "supervisor.kyiv@demo.bank"


def _report(teller: str = TELLER) -> EndOfDay:
    till = Till(id="t1", till_code="T1", state="closed", teller=teller, branch_guid=None,
                open_total=Decimal("100"), expected=Decimal("100"), counted=Decimal("100"),
                over_short=Decimal(0), opened_at=1_765_045_320, closed_at=1_765_045_360)
    return EndOfDay(till, (), {})


def _teller_row(html: str) -> str:
    start = html.index(">Teller</td>")
    return html[start:html.index("</tr>", start)]


def test_the_report_names_the_till_s_teller(qapp: Any) -> None:
    own = ReportContext("Bank", "Kyiv", "Мельник Оксана", teller_email=TELLER.upper())
    assert f"Мельник Оксана ({TELLER})" in _teller_row(report_html(_report(), own))
    other = ReportContext("Bank", "Kyiv", "Гнатюк Тарас", teller_email=SUPERVISOR)
    row = _teller_row(report_html(_report(), other))
    assert TELLER in row and "Гнатюк Тарас" not in row


def test_another_employee_is_not_offered_the_report(main_window: Any, arun: Any,
                                                    sandbox: Any, qtbot: Any) -> None:
    desk, teller = main_window.till_desk, main_window.session
    desk._closed(_report().till)  # the teller closed their till in this window
    assert desk.last_closed == "t1"
    main_window.switch_session(teller)  # the same employee again (after the lock): kept
    assert desk.last_closed == "t1"
    supervisor = open_session(arun, sandbox, SUPERVISOR)
    try:
        main_window.switch_session(supervisor)  # a supervisor takes the window over
        assert desk.last_closed is None and not desk.report_action.isEnabled()
        # and a report built for them names the till's teller, not them
        context = report_context(supervisor)
        assert supervisor.employee.display_name == context.teller
        row = _teller_row(report_html(_report(), context))
        assert TELLER in row and context.teller not in row, row
    finally:
        main_window.switch_session(teller)
        qtbot.waitUntil(lambda: not main_window.ops.is_busy(), timeout=15000)
        arun(supervisor.close())
