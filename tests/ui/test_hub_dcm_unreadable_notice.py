"""Mode A, a hub that is up but cannot read DCM at sign-in (503 ``dcm_unreadable`` at the
hub-session open: its check of the platform session could not reach DCM). The main window
must not say the hub "cannot be reached": it says the hub is reachable but could not read the
platform just now, and that notice goes once the hub link opens by itself (the live feed
reconnects). Real sandbox, real hub processes on loopback (the first one pointed at a DCM
address where nothing listens), the real sign-in path (AppController -> MainWindow)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from teller_app.core.embedded_hub import free_port, start_hub
from teller_app.core.embedded_stack import hub_settings
from teller_app.core.hub_problem import HubProblem

from .blind_hub_desk import blind_hub_desk
from .conftest import TELLER, password_of

pytestmark = pytest.mark.slow


def test_a_hub_that_cannot_read_dcm_is_told_as_reachable_and_the_notice_goes(
        qtbot: Any, arun: Any, sandbox: Any, tmp_path: Path) -> None:
    from teller_app.ui.start_main_window import hub_notice

    healthy = None
    with blind_hub_desk(qtbot, arun, sandbox, tmp_path) as desk:
        try:
            session, window = desk.session, desk.window
            notice = hub_notice(session)
            assert notice is not None
            shown = window.banner.text()
            assert notice in shown.split("\n")
            assert "cannot be reached" not in shown  # the hub answered
            assert notice.startswith("The bank's Teller Hub is reachable but could not read "
                                     "the platform just now")
            assert "until it can" in notice and "keeps trying" in notice
            # typed for the desk, English for the log (the hub's own words)
            assert session.hub_problem_kind is HubProblem.DCM_UNREADABLE
            assert session.hub_problem and "DCM" in session.hub_problem

            # DCM readable again (a hub at the same address that can read it): the live
            # feed's reconnect opens the hub session and the notice goes, nothing by hand
            desk.blind.stop()
            healthy = start_hub(tmp_path / "hub", port=desk.port,
                                settings=hub_settings(sandbox))
            qtbot.waitUntil(lambda: session.hub_available, timeout=60000)
            qtbot.waitUntil(lambda: notice not in window.banner.text().split("\n"),
                            timeout=5000)
        finally:
            if healthy is not None:
                healthy.stop()


def test_a_hub_where_nothing_listens_is_still_told_as_unreachable(
        arun: Any, sandbox: Any) -> None:
    from teller_app.ui.sign_in import sandbox_target, sign_in
    from teller_app.ui.start_main_window import hub_notice

    target = sandbox_target(sandbox.manifest, f"http://127.0.0.1:{free_port()}")
    session = arun(sign_in(target, TELLER, password_of(sandbox, TELLER), remember=False,
                           store=None))
    try:
        assert session.hub_problem_kind is HubProblem.UNREACHABLE
        notice = hub_notice(session)
        assert notice and "Teller Hub cannot be reached" in notice
    finally:
        arun(session.close())
