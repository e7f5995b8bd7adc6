"""The close dialog says up front that a vault transfer waiting for a supervisor blocks the
close (its amount and way), so the teller does not learn it only after counting everything
and pressing Close; they may still count. A transfer filed after the dialog opened is named
once the hub refuses the close for it. Real hub and sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fe_helpers import TillWorld, till_world
from hub_proc import PASSWORD
from till_open import open_cosigned

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.till import TillService
from teller_app.platform.hub_client import HubClient
from teller_app.ui.async_op import OpRunner


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TillWorld]:
    with till_world(tmp_path_factory.mktemp("till-close-warning"), sandbox, hub_db) as w:
        yield w


@pytest.fixture()
def ops(qloop: Any) -> OpRunner:
    return OpRunner()


def _said(label: Any) -> str:
    return str(label.text()).replace("\u00a0", " ").replace("\u202f", " ")


def test_the_close_dialog_names_a_transfer_waiting_before_the_count(
        world: TillWorld, qtbot: Any, arun: Any, ops: OpRunner) -> None:
    from teller_app.ui.till_close import TillCloseDialog
    from teller_app.ui.till_report import ReportContext

    teller_hub, sup_hub = HubClient(world.hub.base_url), HubClient(world.hub.base_url)
    context = ReportContext("Demo Bank", "Kyiv", "Olena")
    try:
        arun(teller_hub.open_password_session(world.teller, PASSWORD))
        arun(sup_hub.open_password_session(world.sup, PASSWORD))
        till, sup = TillService(teller_hub, "warn-desk"), TillService(sup_hub, "warn-sup")
        arun(open_cosigned(till, sup_hub, "T-warn", {"note_100": 5}))
        waiting = arun(till.request_transfer("to_vault", Decimal("150.00")))
        current = arun(till.current())
        assert current is not None
        assert [(t.id, t.direction, t.amount) for t in current.pending_transfers] == [
            (waiting.id, "to_vault", Decimal("150.00"))]
        assert current.pending_transfers[0].requested_at > 0

        dialog = TillCloseDialog(ops, till, current, context)
        qtbot.addWidget(dialog)
        dialog.show()
        warning = dialog.transfers_pending
        assert warning.isVisible()
        said = _said(warning)
        assert "1 vault transfer" in said and "150.00" in said and "to the vault" in said
        assert "supervisor" in said
        assert dialog.grid.isEnabled()  # the teller may count meanwhile
        dialog.grid.spins["note_100"].setValue(5)
        assert dialog.close_button.isEnabled()  # the hub still decides at Close
        arun(sup.decide_transfer(waiting.id, True))
        dialog.close()

        # none waits as it opens: no line; one filed since is named once Close is refused
        current = arun(till.current())
        assert current is not None and current.pending_transfers == ()
        dialog = TillCloseDialog(ops, till, current, context)
        qtbot.addWidget(dialog)
        dialog.show()
        warning = dialog.transfers_pending
        assert not warning.isVisible()
        late = arun(till.request_transfer("to_till", Decimal("40.00")))
        dialog.grid.spins["note_100"].setValue(3)
        dialog.grid.spins["note_50"].setValue(1)
        dialog.close_button.click()
        qtbot.waitUntil(warning.isVisible, timeout=10000)
        said = _said(warning)
        assert "40.00" in said and "from the vault" in said and "150.00" not in said
        assert "supervisor" in dialog.status.text()  # the hub's refusal, as before
        arun(sup.decide_transfer(late.id, False, "not today"))
        with qtbot.waitSignal(dialog.closed, timeout=10000):
            dialog.close_button.click()
        assert not warning.isVisible()  # nothing waits on a closed till
    finally:
        arun(teller_hub.aclose())
        arun(sup_hub.aclose())
