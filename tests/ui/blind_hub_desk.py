"""A Mode-A desk signed in while its hub cannot read DCM (it answers 503 ``dcm_unreadable``,
so no hub session opens): the real sign-in path (AppController -> MainWindow) against the
real sandbox and a real hub on a port a later hub can take over."""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from teller_app.core.embedded_hub import HubProcess, free_port, start_hub
from teller_app.core.embedded_stack import hub_settings
from tests.secrets.keyring_fakes import MemoryKeyring

from .conftest import TELLER, _shutdown_supervision, password_of


@dataclass
class BlindHubDesk:
    port: int  # the hub's: a later hub started on it is what the desk reconnects to
    blind: HubProcess
    session: Any
    controller: Any
    window: Any


def _args() -> argparse.Namespace:
    return argparse.Namespace(lang="en", profile=None, data_dir=None, smoke_test=False,
                              qt_args=[], smoke_timeout=60)


@contextmanager
def blind_hub_desk(qtbot: Any, arun: Any, sandbox: Any, tmp_path: Path) -> Iterator[BlindHubDesk]:
    import keyring
    from PySide6.QtWidgets import QApplication

    from teller_app.ui.sign_in import sandbox_target, sign_in
    from teller_app.ui.startup import AppController

    keyring.set_keyring(MemoryKeyring())  # the branch cache opens as on a desk
    port = free_port()
    blind = start_hub(tmp_path / "blind-hub", port=port, settings={
        **hub_settings(sandbox), "dcm_url": f"http://127.0.0.1:{free_port()}"})
    target = sandbox_target(sandbox.manifest, blind.base_url)
    session = arun(sign_in(target, TELLER, password_of(sandbox, TELLER), remember=False,
                           store=None))
    controller = AppController(QApplication.instance(), _args(), time.time())  # type: ignore[arg-type]
    window = None
    try:
        assert not session.hub_available  # the sign-in went on without a hub session
        controller._signed_in(session, target)
        qtbot.waitUntil(lambda: controller.window is not None, timeout=30000)
        window = controller.window
        assert window is not None
        qtbot.addWidget(window, before_close_func=_shutdown_supervision)
        yield BlindHubDesk(port, blind, session, controller, window)
    finally:
        if window is not None:
            window._closing_for_sign_out = True  # closing here is not a quit of the test run
            controller.window = None
            window.close()
            if window.supervision is not None:  # the audit worker ends on this test's loop
                arun(window.supervision.wait_closed())
        arun(session.close())
        blind.stop()
