"""A supervisor printing a teller's end-of-day report (both sign it) sees the teller named
as the co-signer is, "Name (e-mail)", from the hub's ``teller_name`` or else the platform's
employees list; never the supervisor's own name, and the e-mail alone when nobody names the
teller (an older hub, a directory that cannot be read)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from teller_app.core.till import name_cosigner
from teller_app.core.till_models import EndOfDay, Till
from teller_app.platform.errors import PlatformError
from teller_app.ui.till_hub import report_context
from teller_app.ui.till_report import ReportContext, report_html

from .conftest import TELLER, open_session

SUPERVISOR = "supervisor.kyiv@demo.bank"
COSIGNER = "cosigner@bank"


def _till(teller: str = TELLER) -> Till:
    return Till(id="t1", till_code="T1", state="closed", teller=teller, branch_guid=None,
                open_total=Decimal("100"), expected=Decimal("100"), counted=Decimal("100"),
                over_short=Decimal(0), opened_at=1_765_045_320, closed_at=1_765_045_360,
                cosigned_by=COSIGNER)


def _hub_answer(**extra: Any) -> dict[str, Any]:
    till = _till()
    return {"id": till.id, "till_code": till.till_code, "state": till.state,
            "teller": till.teller, "branch_guid": None, "open_total": "100.00",
            "expected": "100.00", "counted": "100.00", "over_short": "0.00",
            "cosigned_by": COSIGNER, "opened_at": till.opened_at, "closed_at": till.closed_at,
            "operations": [], "totals": {}, **extra}


def _teller_row(html: str) -> str:
    start = html.index(">Teller</td>")
    return html[start:html.index("</tr>", start)]


SUPERVISOR_VIEW = ReportContext("Bank", "Kyiv", "Гнатюк Тарас", teller_email=SUPERVISOR)


def test_a_supervisor_s_view_names_the_teller_the_hub_named(qapp: Any) -> None:
    report = EndOfDay.of(_hub_answer(teller_name="Коваль Анна"))
    row = _teller_row(report_html(report, SUPERVISOR_VIEW))
    assert f"Коваль Анна ({TELLER})" in row and "Гнатюк Тарас" not in row, row
    # the teller's own view keeps their signed-in name
    own = ReportContext("Bank", "Kyiv", "Мельник Оксана", teller_email=TELLER)
    assert f"Мельник Оксана ({TELLER})" in _teller_row(report_html(report, own))


def test_an_older_hub_without_the_name_says_the_e_mail(qapp: Any) -> None:
    report = EndOfDay.of(_hub_answer())
    assert report.teller_name == ""
    row = _teller_row(report_html(report, SUPERVISOR_VIEW))
    assert TELLER in row and "(" not in row and "Гнатюк Тарас" not in row, row


def test_the_directory_names_the_teller_when_the_hub_did_not(arun: Any) -> None:
    asked: list[list[str]] = []

    async def names(emails: list[str]) -> dict[str, str]:
        asked.append(emails)
        return {TELLER: "Коваль Анна", COSIGNER: "Гнатюк Тарас", SUPERVISOR: "Somebody"}

    named = arun(name_cosigner(EndOfDay.of(_hub_answer()), names))
    assert (named.teller_name, named.cosigner_name) == ("Коваль Анна", "Гнатюк Тарас")
    assert asked == [[COSIGNER, TELLER]]  # one look-up, of these two e-mails only
    hub_named = EndOfDay.of(_hub_answer(teller_name="Hub's Name", cosigned_by_name="Hub's Co"))
    assert arun(name_cosigner(hub_named, names)) == hub_named  # the hub's names stand
    assert len(asked) == 1  # nothing left to look up

    async def broken(emails: list[str]) -> dict[str, str]:
        raise PlatformError("directory down")

    bare = EndOfDay.of(_hub_answer())
    assert arun(name_cosigner(bare, broken)) == bare


def test_a_supervisor_s_report_names_the_teller_from_the_platform(
        qapp: Any, arun: Any, sandbox: Any) -> None:
    supervisor = open_session(arun, sandbox, SUPERVISOR)
    try:
        context = report_context(supervisor)
        assert context.people is not None
        report = arun(name_cosigner(EndOfDay(_till(), (), {}), context.people))
        teller = next(e for e in sandbox.manifest["employees"] if e["email"] == TELLER)
        assert report.teller_name == f"{teller['surname']} {teller['name']}"  # Мельник Оксана
        row = _teller_row(report_html(report, context))
        assert f"{report.teller_name} ({TELLER})" in row, row
        assert context.teller not in row, row  # never the supervisor's own name
    finally:
        arun(supervisor.close())
