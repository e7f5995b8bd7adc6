"""Mode A, a hub not usable at sign-in (up, but it cannot read DCM: 503 ``dcm_unreadable``),
so its version is not read then. When the hub link opens later by itself (the live feed
reconnects) and that hub allows no desk this old, its version is read then and the main
window says so ("ask IT to update Teller"), once, instead of every write being refused one by
one. Real sandbox, real hub processes on one loopback port (the second of another release:
``MIN_DESK_API`` above this desk's), the real sign-in path (AppController -> MainWindow)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from teller_app.core.embedded_child import private_dir, spawn, wait_ready
from teller_app.core.embedded_hub import HubProcess, HubStartError
from teller_app.core.embedded_stack import hub_settings
from teller_app.platform.api_version import DESK_API

from .blind_hub_desk import blind_hub_desk

pytestmark = pytest.mark.slow

# The hub of a later release (as tests/hub/skewed_hub.py starts one): its oldest desk API
# changed before anything else runs; nothing else differs.
LAUNCH = """
import os, runpy, sys
from teller_app.hub import api_version as v
v.MIN_DESK_API = int(os.environ["SKEW_MIN_DESK_API"])
sys.argv[0] = "teller-hub"
runpy.run_module("teller_app.hub", run_name="__main__", alter_sys=True)
"""


def _hub_refusing_this_desk(data_dir: Path, port: int,
                            settings: dict[str, str]) -> HubProcess:
    """``embedded_hub.start_hub``, with a hub whose ``MIN_DESK_API`` is above this desk's."""
    data = private_dir(data_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELLER_HUB_")}
    env.update({"TELLER_HUB_" + k.upper(): v for k, v in settings.items()})
    env["SKEW_MIN_DESK_API"] = str(DESK_API + 1)
    proc = spawn([sys.executable, "-c", LAUNCH, "serve", "--data", str(data),
                  "--host", "127.0.0.1", "--port", str(port)], env, guard=True)
    manifest, output = wait_ready(proc, data, "hub.json", timeout=60.0, what="hub",
                                  error=HubStartError)
    return HubProcess(data, proc, manifest, output, None)


def test_a_hub_that_opens_late_and_refuses_this_desk_is_said_once(
        qtbot: Any, arun: Any, sandbox: Any, tmp_path: Path) -> None:
    from teller_app.ui.error_text import desk_too_old_text
    from teller_app.ui.start_main_window import LATE_VERSION_OP, hub_notice

    newer = None
    with blind_hub_desk(qtbot, arun, sandbox, tmp_path) as desk:
        try:
            session, window, controller = desk.session, desk.window, desk.controller
            assert session.hub_version is None
            notice = hub_notice(session)
            assert notice is not None and notice in window.banner.text().split("\n")
            too_old = desk_too_old_text()
            assert too_old not in window.banner.text()  # nothing known of its version yet

            # DCM readable again, by a hub at the same address that allows no desk this
            # old: the live feed's reconnect opens the hub session, nothing done by hand
            desk.blind.stop()
            newer = _hub_refusing_this_desk(tmp_path / "hub", desk.port,
                                            hub_settings(sandbox))
            qtbot.waitUntil(lambda: session.hub_available, timeout=60000)
            qtbot.waitUntil(lambda: too_old in window.banner.text().split("\n"),
                            timeout=15000)
            assert session.hub_version is not None
            assert session.hub_version.min_desk_api == DESK_API + 1 and session.desk_too_old
            qtbot.waitUntil(lambda: notice not in window.banner.text().split("\n"),
                            timeout=5000)
            assert window.banner.level == "warning"

            # the hub session renewed later: not read again (ops are registered as they
            # start, so a second read would be counted here at once), and still said once
            assert session.hub is not None
            started: list[str | None] = []
            run = controller.ops.run

            def counting_run(*args: Any, **kwargs: Any) -> Any:
                started.append(kwargs.get("key"))
                return run(*args, **kwargs)

            controller.ops.run = counting_run
            try:
                arun(session.hub.connect(force=True))
            finally:
                controller.ops.run = run
            assert LATE_VERSION_OP not in started
            assert window.banner.text().split("\n").count(too_old) == 1
        finally:
            if newer is not None:
                newer.stop()
