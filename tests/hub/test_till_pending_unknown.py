"""Only the hub's current till says which vault transfers wait (``pending_transfers``): a
Till read from any other answer (the open, the close, the report) does not know, and says
None rather than "none waits". The close dialog's warning line, once the hub took the count,
is hidden by the hub's rule (no transfer waits then), not by a missing list. Real hub and
sandbox."""

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
    with till_world(tmp_path_factory.mktemp("till-pending-unknown"), sandbox, hub_db) as w:
        yield w


@pytest.fixture()
def ops(qloop: Any) -> OpRunner:
    return OpRunner()


def test_only_the_current_till_says_what_waits(world: TillWorld, qtbot: Any, arun: Any,
                                               ops: OpRunner) -> None:
    from teller_app.ui.till_close import TillCloseDialog
    from teller_app.ui.till_report import ReportContext

    teller_hub, sup_hub = HubClient(world.hub.base_url), HubClient(world.hub.base_url)
    try:
        arun(teller_hub.open_password_session(world.teller, PASSWORD))
        arun(sup_hub.open_password_session(world.sup, PASSWORD))
        till, sup = TillService(teller_hub, "unknown-desk"), TillService(sup_hub, "unknown-sup")
        opened = arun(open_cosigned(till, sup_hub, "T-unknown", {"note_100": 5}))
        assert opened.pending_transfers is None  # the open's answer does not say
        waiting = arun(till.request_transfer("to_vault", Decimal("100.00")))
        current = arun(till.current())
        assert current is not None
        assert [t.id for t in current.pending_transfers or ()] == [waiting.id]
        dialog = TillCloseDialog(ops, till, current, ReportContext("Demo Bank", "Kyiv", "O"))
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.transfers_pending.isVisible()
        arun(sup.decide_transfer(waiting.id, False, "not today"))
        current = arun(till.current())
        assert current is not None and current.pending_transfers == ()  # said: none
        # a count far off the book: the close waits for a supervisor's co-sign
        dialog.grid.spins["note_100"].setValue(1)
        dialog.reason.setText("a note missing")
        with qtbot.waitSignal(dialog.waiting, timeout=10000) as waited:
            dialog.close_button.click()
        assert waited.args[0].needs_close_cosign
        assert waited.args[0].pending_transfers is None  # the close's answer does not say
        # the hub took the count: nothing waits (the line from the opening is gone)
        assert not dialog.transfers_pending.isVisible()
        report = arun(till.end_of_day(current.id))
        assert report.till.pending_transfers is None
    finally:
        arun(teller_hub.aclose())
        arun(sup_hub.aclose())
