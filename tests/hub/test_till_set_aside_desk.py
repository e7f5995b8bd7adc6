"""The desk shows the payments a till's close sets aside (confirmed on DCM unlike the hub's
authorization: here hryvnia authorized on the till and confirmed after the tills' currency
became EUR), so nobody co-signs without seeing them: the teller's close dialog lists them
once the hub refuses the close for them and while the close waits; the supervisor co-signing
in place at the teller's desk, and from the branch cash position, reads that the co-sign
closes the till without them, each named (short id, kind, the amount authorized and what
the platform confirmed), the position's list being the hub's own. Real hub and sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fe_helpers import TillWorld, till_world
from hub_proc import PASSWORD, sign_in
from PySide6.QtCore import Qt
from till_helpers import confirm, customer, draft, status
from till_open import open_cosigned

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.till import Till, TillService
from teller_app.platform.hub_client import HubClient
from teller_app.ui.async_op import OpRunner

COUNT = {"note_100": 5}  # the till opens with 500.00 and counts it again at the close


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TillWorld]:
    with till_world(tmp_path_factory.mktemp("till-set-aside"), sandbox, hub_db) as w:
        yield w


@pytest.fixture()
def ops(qloop: Any) -> OpRunner:
    return OpRunner()


def _said(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


class Currency:
    """The tills' currency in the hub's policy (the IT token writes it)."""

    def __init__(self, world: TillWorld) -> None:
        self.hub = world.hub
        with self.hub.client() as http:
            r = http.get("/api/v1/policy", headers=sign_in(http, world.sup))
            assert r.status_code == 200, r.text
            self.policy = r.json()["policy"]

    def set(self, code: str) -> None:
        with self.hub.client() as http:
            r = http.put("/api/v1/policy", json={**self.policy, "cash_currency": code},
                         headers={"Authorization": f"Bearer {self.hub.admin_token}"})
            assert r.status_code == 200, r.text


def _authorized(world: TillWorld, sandbox: SandboxProcess, till: TillService, arun: Any,
                amount: str) -> str:
    """A cash deposit the hub authorized on the teller's till (in the tills' currency)."""
    _, account = customer(sandbox, world.b0)
    guid = draft(sandbox, world.b0, account, amount)
    answer = arun(till.cash_call("POST", "/api/v1/cash/authorize", idempotent=False,
                                 json_body={"payment_guid": guid, "purpose": "confirm"}))
    assert answer["decision"] == "allow", answer
    return guid


def _confirmed_in_eur(world: TillWorld, sandbox: SandboxProcess, currency: Currency,
                      guid: str) -> None:
    """Confirmed on DCM after the tills' currency became EUR: the till cannot count it."""
    currency.set("EUR")
    confirm(sandbox, world.b0, guid)
    assert status(sandbox, guid) == "CONFIRMED"


def _listed(text: str, guid: str, asset: str) -> None:
    said = _said(text)
    assert guid[:8] in said and guid not in said, said  # its short id
    assert "Cash deposit" in said, said
    assert f"authorized 15.00 {asset}" in said, said
    assert f"the platform confirmed 15.00 {asset}, not in EUR" in said, said


def test_the_teller_and_the_supervisor_see_the_payments_set_aside(
        world: TillWorld, sandbox: SandboxProcess, qtbot: Any, arun: Any,
        ops: OpRunner) -> None:
    from teller_app.ui.till_close import TillCloseDialog
    from teller_app.ui.till_position import BranchCashView
    from teller_app.ui.till_report import ReportContext

    asset = sandbox.manifest["asset"]["code"]
    teller_hub, sup_hub = HubClient(world.hub.base_url), HubClient(world.hub.base_url)
    currency = Currency(world)

    async def cosign_here(email: str, password: str, till_id: str, counted: Decimal) -> Till:
        """The supervisor's own short session, as ``core/till_cosign`` opens one."""
        hub = HubClient(world.hub.base_url)
        try:
            await hub.open_password_session(email, password)
            return await TillService(hub, "").cosign_close(till_id, counted)
        finally:
            await hub.aclose()

    try:
        arun(teller_hub.open_password_session(world.teller, PASSWORD))
        arun(sup_hub.open_password_session(world.sup, PASSWORD))
        till, sup = TillService(teller_hub, "aside-desk"), TillService(sup_hub, "aside-sup")
        arun(open_cosigned(till, sup_hub, "T-aside", COUNT))
        guid = _authorized(world, sandbox, till, arun, "15.00")
        current = arun(till.current())
        assert current is not None and current.set_aside == ()
        dialog = TillCloseDialog(ops, till, current, ReportContext("Demo Bank", "Kyiv", "Olena"),
                                 cosign_here=cosign_here)
        qtbot.addWidget(dialog)
        dialog.show()
        listed = dialog.set_aside
        assert not listed.isVisible()  # none yet

        # confirmed unlike its authorization: the close without a reason is refused, and
        # the dialog lists the payment the close would set aside
        _confirmed_in_eur(world, sandbox, currency, guid)
        dialog.grid.spins["note_100"].setValue(5)
        assert dialog.close_button.isEnabled()  # balanced: no reason asked before the hub
        dialog.close_button.click()
        qtbot.waitUntil(listed.isVisible, timeout=10000)
        _listed(listed.lines.toPlainText(), guid, asset)
        heading = listed.heading.text()
        assert "1 payment" in heading and "reason" in heading and "co-sign" in heading
        # a Tab stop between the count and the reason: the keyboard reaches and reads it
        dialog.activateWindow()
        dialog.reason.setFocus()
        qtbot.waitUntil(dialog.reason.hasFocus, timeout=5000)
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Backtab)
        assert listed.lines.hasFocus()
        qtbot.keyClick(listed.lines, Qt.Key.Key_Tab)
        assert dialog.reason.hasFocus()

        # with a reason the close waits for the co-sign, naming it
        dialog.reason.setText("DCM confirmed it after the currency changed")
        with qtbot.waitSignal(dialog.waiting, timeout=10000) as waiting:
            dialog.close_button.click()
        waited = waiting.args[0]
        assert waited.needs_close_cosign and [s.payment_guid for s in waited.set_aside] == [guid]
        _listed(listed.lines.toPlainText(), guid, asset)
        assert "set aside by this close" in listed.heading.text()
        assert "closes the till without them" in listed.heading.text()

        # the supervisor co-signing here reads what the co-sign closes the till without
        dialog.cosign_button.click()
        in_place = dialog.cosign_dialog
        assert in_place is not None
        summary = in_place.summary.text()
        assert "Co-signing closes the till without these 1 payment" in summary, summary
        _listed(summary, guid, asset)
        in_place.email.setText(world.sup)
        in_place.password.setText(PASSWORD)
        with qtbot.waitSignal(dialog.closed, timeout=15000):
            in_place.approve_button.click()
        assert "closed without these 1 payment" in listed.heading.text()
        _listed(listed.lines.toPlainText(), guid, asset)  # still named once closed

        # the next day: the branch cash position's co-sign names them too
        currency.set(currency.policy["cash_currency"])  # the draft authorized in hryvnia
        arun(open_cosigned(till, sup_hub, "T-aside", COUNT))
        second = _authorized(world, sandbox, till, arun, "15.00")
        _confirmed_in_eur(world, sandbox, currency, second)
        waits = arun(till.close(COUNT, "confirmed in another currency"))
        assert waits.needs_close_cosign and waits.set_aside is not None
        view = BranchCashView(ops, sup, world.b0)
        qtbot.addWidget(view)
        view.show()
        with qtbot.waitSignal(view.loaded, timeout=10000) as loaded:
            view.refresh()
        position = loaded.args[0]
        row = next(i for i, t in enumerate(position.tills) if t.id == waits.id)
        # the position's own list, as the close recorded it (no DCM read per position)
        assert position.tills[row].set_aside == waits.set_aside, position.tills[row]
        view.tills.selectRow(row)
        aside = view.set_aside
        assert aside.isVisible() and view.close_cosign_button.isEnabled()
        said = aside.heading.text()
        assert "Co-signing closes the till without these 1 payment" in said, said
        _listed(aside.lines.toPlainText(), second, asset)
        view.tills.clearSelection()  # nothing selected: nothing listed
        assert not aside.isVisible()
        view.tills.selectRow(row)
        with qtbot.waitSignal(view.loaded, timeout=10000) as loaded:
            view.close_cosign_button.click()
        assert waits.id not in [t.id for t in loaded.args[0].tills]  # closed without it
    finally:
        currency.set(currency.policy["cash_currency"])
        arun(teller_hub.aclose())
        arun(sup_hub.aclose())
