"""A desk rolled back to an older Teller: the branch cache a newer one left is wiped at
sign-in and rebuilt by the first sync, and the main window says so (not "could not be opened"
at every sign-in) until the sync has rebuilt it. The real sign-in path (AppController ->
open_branch_cache -> MainWindow), the real sandbox, a real SQLCipher file, a keyring that
keeps the cache key between opens."""

from __future__ import annotations

import argparse
import time
from typing import Any

import pytest

from teller_app.cache.connect import connect
from teller_app.cache.schema import MIGRATIONS
from tests.secrets.keyring_fakes import MemoryKeyring

from .conftest import _shutdown_supervision, open_session


def _args() -> argparse.Namespace:
    return argparse.Namespace(lang="en", profile=None, data_dir=None, smoke_test=False,
                              qt_args=[], smoke_timeout=60)


def _user_version(path: Any, key: bytes) -> int:
    conn = connect(path, key)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.slow
def test_a_newer_teller_s_cache_is_rebuilt_and_the_desk_says_so(
        qtbot: Any, arun: Any, sandbox: Any) -> None:
    import keyring
    from PySide6.QtWidgets import QApplication

    from teller_app.secrets import SecretStore
    from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache
    from teller_app.ui.sign_in import sandbox_target
    from teller_app.ui.startup import AppController

    # the cache key must outlive the first open (with no keyring each open makes a new key,
    # and the file would be wiped as one with a lost key); the autouse fixture restores it
    keyring.set_keyring(MemoryKeyring())
    session = open_session(arun, sandbox)
    target = sandbox_target(sandbox.manifest)
    first = arun(open_branch_cache(session))  # the newer Teller's run: a full sync
    arun(first.sync.sync_now(), timeout=60000)
    synced = arun(first.worker.stats()).count
    path, scope = first.path, first.scope
    arun(close_branch_cache(first))
    assert synced > 0 and scope is not None
    store = arun(SecretStore.open(session.profile.name))
    key = bytes.fromhex(arun(store.get(scope.key_name)))
    conn = connect(path, key)  # a newer Teller migrated it one step further
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.commit()
    conn.close()

    controller = AppController(QApplication.instance(), _args(), time.time())  # type: ignore[arg-type]
    controller._signed_in(session, target)
    qtbot.waitUntil(lambda: controller.window is not None, timeout=15000)
    window = controller.window
    assert window is not None
    qtbot.addWidget(window, before_close_func=_shutdown_supervision)
    try:
        assert window.banner.text() == ("This desk's cache was made by a newer Teller: it is "
                                        "being rebuilt.")
        bundle = window.branch_cache
        assert bundle is not None and bundle.rebuilt_from_newer and bundle.path == path
        qtbot.waitUntil(lambda: window._cache_warm, timeout=60000)  # rebuilt by the sync
        assert arun(bundle.worker.stats()).count == synced
        assert window.banner.isHidden()  # rebuilt: the notice no longer holds
    finally:
        window._closing_for_sign_out = True  # closing here is not a quit of the test run
        controller.window = None
        window.close()
        if window.supervision is not None:  # its audit worker ends on this test's loop
            arun(window.supervision.wait_closed())
        arun(close_branch_cache(window.branch_cache))
        arun(session.close())
    assert _user_version(path, key) == len(MIGRATIONS)
