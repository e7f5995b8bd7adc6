"""The till's controls at the desk, against a real hub and sandbox (SQLite and PostgreSQL):
the close dialog refuses to close while the opening count waits for its co-sign, waits for
a supervisor when the over/short passes the tolerance (co-signed here with their own
credentials, never the teller's; a recount then waits too), and the report prints the
previous close and the opening's difference; the branch view shows the cash left in closed
tills, and a vault count that differs waits for a second supervisor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from fe_helpers import TillWorld, till_world
from hub_proc import PASSWORD, add_employee
from till_open import open_cosigned

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.till import BranchPosition, Till, TillService
from teller_app.platform.hub_client import HubClient
from teller_app.ui.async_op import OpRunner

World = TillWorld


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with till_world(tmp_path_factory.mktemp("till-controls-desk"), sandbox, hub_db) as w:
        yield w


@pytest.fixture()
def ops(qloop: Any) -> OpRunner:
    return OpRunner()


def _money(text: str) -> str:
    return text.replace("\u00a0", " ")


def _in_place(world: World) -> tuple[Any, Any]:
    """The supervisor's own short hub session, as ``core/till_cosign`` opens it."""
    async def with_session(email: str, password: str, act: Any) -> Any:
        hub = HubClient(world.hub.base_url)
        try:
            await hub.open_password_session(email, password)
            return await act(TillService(hub, "in-place"))
        finally:
            await hub.aclose()

    async def close_here(email: str, password: str, till_id: str, counted: Decimal) -> Till:
        return await with_session(email, password, lambda s: s.cosign_close(till_id, counted))

    async def vault_here(email: str, password: str, count_id: str) -> BranchPosition:
        return await with_session(email, password, lambda s: s.cosign_vault_count(count_id))

    return close_here, vault_here


@contextmanager
def _signed_in(world: World, arun: Any) -> Iterator[tuple[HubClient, HubClient]]:
    """The teller's and the supervisor's hub sessions, closed afterwards."""
    teller_hub, sup_hub = HubClient(world.hub.base_url), HubClient(world.hub.base_url)
    try:
        arun(teller_hub.open_password_session(world.teller, PASSWORD))
        arun(sup_hub.open_password_session(world.sup, PASSWORD))
        yield teller_hub, sup_hub
    finally:
        for c in (teller_hub, sup_hub):
            arun(c.aclose())


def _co_sign_here(qtbot: Any, dialog: Any, email: str) -> Any:
    dialog.open_cosign_here()
    place = dialog.cosign_dialog
    assert place is not None
    place.email.setText(email)
    place.password.setText(PASSWORD)
    place.approve_button.click()
    return place


def test_the_close_dialog_follows_the_hub_s_co_signs(world: World, qtbot: Any, arun: Any,
                                                      ops: OpRunner) -> None:
    from teller_app.ui.till_close import TillCloseDialog
    from teller_app.ui.till_report import ReportContext, report_html

    ctx = ReportContext("Demo Bank", "Kyiv", "Olena")
    close_here, _ = _in_place(world)
    with _signed_in(world, arun) as (teller_hub, sup_hub):
        till, sup = TillService(teller_hub, "desk-c"), TillService(sup_hub, "sup")
        first = arun(till.open("T-c", {"note_100": 3}))  # a first opening: co-signed first
        early = TillCloseDialog(ops, till, first, ctx, cosign_here=close_here)
        qtbot.addWidget(early)
        assert not early.close_button.isEnabled()
        assert early.status.text() == ("The till waits for a supervisor to co-sign its "
                                       "opening count.")
        arun(sup.cosign(first.id))
        assert arun(till.close({"note_100": 3})).state == "closed"
        second = arun(till.open("T-c", {"note_100": 2}))  # 100.00 gone since the close
        arun(sup.cosign(second.id))
        current = arun(till.current())
        assert current is not None
        dialog = TillCloseDialog(ops, till, current, ctx, cosign_here=close_here)
        qtbot.addWidget(dialog)
        dialog.grid.spins["note_100"].setValue(1)
        dialog.grid.spins["note_50"].setValue(1)  # 150.00: 50.00 short
        dialog.reason.setText("a note missing")
        with qtbot.waitSignal(dialog.waiting, timeout=10000) as waiting:
            dialog.close_button.click()
        assert waiting.args[0].needs_close_cosign
        assert "\u221250.00" in _money(dialog.cosign_status.text())
        assert dialog.refresh_button.isVisibleTo(dialog)
        assert dialog.cosign_button.isVisibleTo(dialog) and dialog.report is None
        dialog.refresh()  # nobody co-signed yet
        qtbot.waitUntil(lambda: "still waits" in dialog.status.text(), timeout=10000)
        # opened again from the menu meanwhile: it shows the close waiting, with its count
        again = TillCloseDialog(ops, till, arun(till.current()), ctx)
        qtbot.addWidget(again)
        assert again.grid.value() == Decimal("150.00") and again.cosign_status.text()
        assert again.refresh_button.isVisibleTo(again)
        assert not again.cosign_button.isVisibleTo(again)  # no in-place co-sign given
        # the teller's own credentials: the hub refuses them
        place = _co_sign_here(qtbot, dialog, world.teller)
        qtbot.waitUntil(lambda: place.error.text() != "", timeout=10000)
        place.reject()
        assert arun(till.current()).needs_close_cosign
        with qtbot.waitSignal(dialog.closed, timeout=10000) as closed:
            _co_sign_here(qtbot, dialog, world.sup)
        assert (closed.args[0].state, closed.args[0].close_cosigned_by) == (
            "closed", world.sup)
        report = dialog.report
        assert report is not None and report.till.over_short == Decimal("-50.00")
        html = _money(report_html(report, ctx))
        for text in ("Previous close", "300.00 UAH", "Opening difference", "-100.00 UAH",
                     f"Over/short co-signed by</td><td style='padding:2px 0'>Test Employee "
                     f"({world.sup})"):
            assert text in html, text


def test_a_recount_that_balances_still_waits_for_the_co_sign(world: World, qtbot: Any,
                                                             arun: Any, ops: OpRunner) -> None:
    """Flagged short, the teller finds the note: the balancing count is sent, and the close
    still waits; the supervisor co-signs the new count (the teller never closes alone)."""
    from teller_app.ui.till_close import TillCloseDialog
    from teller_app.ui.till_report import ReportContext

    close_here, _ = _in_place(world)
    with _signed_in(world, arun) as (teller_hub, sup_hub):
        till = TillService(teller_hub, "desk-r")
        arun(open_cosigned(till, sup_hub, "T-r", {"note_100": 2}))
        dialog = TillCloseDialog(ops, till, arun(till.current()),
                                 ReportContext("Demo Bank", "Kyiv", "Olena"),
                                 cosign_here=close_here)
        qtbot.addWidget(dialog)
        dialog.grid.spins["note_100"].setValue(1)  # 100.00 short
        dialog.reason.setText("a note missing")
        with qtbot.waitSignal(dialog.waiting, timeout=10000) as waiting:
            dialog.close_button.click()
        assert waiting.args[0].over_short == Decimal("-100.00")
        dialog.grid.spins["note_100"].setValue(2)  # found: it balances
        qtbot.waitUntil(dialog.close_button.isEnabled, timeout=10000)
        with qtbot.waitSignal(dialog.waiting, timeout=10000) as again:
            dialog.close_button.click()
        recount = again.args[0]
        assert (recount.needs_close_cosign, recount.counted, recount.over_short) == (
            True, Decimal("200.00"), Decimal("0.00"))
        status = _money(dialog.cosign_status.text())
        assert "Over/short 0.00" in status and "new count needs the co-sign too" in status
        assert dialog.report is None and arun(till.current()).needs_close_cosign
        with qtbot.waitSignal(dialog.closed, timeout=10000) as closed:
            _co_sign_here(qtbot, dialog, world.sup)  # the count it shows now: 200.00
        assert (closed.args[0].state, closed.args[0].close_cosigned_by,
                closed.args[0].counted) == ("closed", world.sup, Decimal("200.00"))


def test_the_branch_view_shows_closed_tills_and_waiting_vault_counts(
        world: World, qtbot: Any, arun: Any, ops: OpRunner) -> None:
    from teller_app.ui.till_position import BranchCashView

    _, vault_here = _in_place(world)
    with world.hub.client() as http:
        sup2 = add_employee(http, world.hub, roles=["Supervisor"], branch_guid=world.b0)
    with _signed_in(world, arun) as (teller_hub, sup_hub):
        till = TillService(teller_hub, "desk-p")
        arun(open_cosigned(till, sup_hub, "T-p", {"note_200": 2}))
        arun(till.close({"note_200": 2}))
        view = BranchCashView(ops, TillService(sup_hub, "sup"), vault_cosign_here=vault_here)
        qtbot.addWidget(view)
        qtbot.waitUntil(lambda: view.position is not None, timeout=10000)
        position = view.position
        assert position is not None and "T-p" in view.in_closed.text()
        assert _money(view.in_closed.text()).startswith(
            _money(f"{position.in_closed_tills:,.2f}"))
        assert position.total == position.vault + position.in_closed_tills + sum(
            (t.expected for t in position.tills), Decimal(0))
        view.count_vault()
        dialog = view.vault_dialog
        assert dialog is not None
        dialog.grid.spins["note_1000"].setValue(3)
        assert not dialog.save.isEnabled()  # differs from the book: a reason first
        dialog.reason.setText("a delivery from head office")
        with qtbot.waitSignal(dialog.saved, timeout=10000) as saved:
            dialog.save.click()
        assert saved.args[0].vault == position.vault  # the book stays until co-signed
        assert dialog.cosign_button.isVisibleTo(dialog)
        qtbot.waitUntil(lambda: view.counts.rowCount() == 1, timeout=10000)
        place = _co_sign_here(qtbot, dialog, world.sup)  # the one who counted: refused
        qtbot.waitUntil(lambda: place.error.text() != "", timeout=10000)
        assert "second supervisor" in place.error.text()
        place.reject()
        with qtbot.waitSignal(dialog.saved, timeout=10000) as saved:
            _co_sign_here(qtbot, dialog, sup2)
        assert saved.args[0].vault == position.vault + Decimal("3000.00")
        assert saved.args[0].pending_vault_counts == ()
        qtbot.waitUntil(lambda: view.counts.rowCount() == 0, timeout=10000)
