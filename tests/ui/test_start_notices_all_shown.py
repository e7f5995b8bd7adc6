"""At sign-in the main window shows every notice at once: a branch cache that could not be
opened does not hide that the Teller Hub cannot be reached. The real sign-in path
(AppController -> open_branch_cache -> MainWindow), the real sandbox, a real SQLCipher file
held open by "another Teller", a hub address where nothing listens."""

from __future__ import annotations

import argparse
import time
from typing import Any

import pytest

from teller_app.cache import CacheLockedError
from teller_app.cache.connect import connect
from tests.secrets.keyring_fakes import MemoryKeyring

from .conftest import TELLER, _shutdown_supervision
from .conftest import password_of as _password_of


def _args() -> argparse.Namespace:
    return argparse.Namespace(lang="en", profile=None, data_dir=None, smoke_test=False,
                              qt_args=[], smoke_timeout=60)


@pytest.mark.slow
def test_a_cache_that_cannot_open_hides_no_other_notice(
        qtbot: Any, arun: Any, sandbox: Any) -> None:
    """Review: with ``cache_error`` set only the cache's message was shown, never the hub's
    (or the desk version's) notice."""
    import keyring
    from PySide6.QtWidgets import QApplication

    from teller_app.secrets import SecretStore
    from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache
    from teller_app.ui.error_text import cache_message
    from teller_app.ui.sign_in import sandbox_target, sign_in
    from teller_app.ui.start_main_window import hub_notice
    from teller_app.ui.startup import AppController

    keyring.set_keyring(MemoryKeyring())  # the cache key outlives the first open
    target = sandbox_target(sandbox.manifest, "http://127.0.0.1:9")  # no hub there
    session = arun(sign_in(target, TELLER, _password_of(sandbox, TELLER), remember=False,
                           store=None))
    first = arun(open_branch_cache(session))  # a healthy run made the file
    path, scope = first.path, first.scope
    arun(close_branch_cache(first))
    assert scope is not None
    store = arun(SecretStore.open(session.profile.name))
    holder = connect(path, bytes.fromhex(arun(store.get(scope.key_name))), any_thread=True)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")  # another Teller on this computer
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("DELETE FROM sync_state WHERE 0")
    controller = AppController(QApplication.instance(), _args(), time.time())  # type: ignore[arg-type]
    window = None
    try:
        controller._signed_in(session, target)
        qtbot.waitUntil(lambda: controller.window is not None, timeout=30000)
        window = controller.window
        assert window is not None
        qtbot.addWidget(window, before_close_func=_shutdown_supervision)
        assert window.branch_cache is None  # the cache did not open
        hub = hub_notice(session)
        assert hub is not None  # Mode A with the hub down
        locked = cache_message(CacheLockedError("held"))
        assert window.banner.text() == f"{locked}\n{hub}"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        if window is not None:
            window._closing_for_sign_out = True  # closing here is not a quit of the test run
            controller.window = None
            window.close()
            # as the app's shutdown does before the session closes: the desk's audit worker
            # ends on this test's loop, never left pending when the loop is closed
            if window.supervision is not None:
                arun(window.supervision.wait_closed())
                worker = window.supervision.audit._worker
                assert worker is None or worker.done()
        arun(session.close())
