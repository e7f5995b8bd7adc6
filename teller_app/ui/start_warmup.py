"""Work that can follow the sign-in window's first paint: a hook that runs after it, and the
imports warmed meanwhile (see ui/startup.py)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

log = logging.getLogger("teller_app")


class AfterFirstPaint(QObject):
    """Calls ``then`` once, on the next loop turn after ``widget``'s first paint."""

    def __init__(self, widget: QWidget, then: Callable[[], object]) -> None:
        super().__init__(widget)
        self.then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.then)
        return False


def warm_sign_in_imports() -> None:
    """What signing in needs (session, HTTP client, the platform's models: ~300 ms) is not
    imported before the sign-in window is painted, but right after it (the same work as
    before, once the window is on screen; keys typed meanwhile wait in the queue), so the
    Sign-in click does not pay for it. On the UI thread: imports racing on two threads can
    deadlock."""
    _import_all(("teller_app.ui.offline_start", "teller_app.cache.store"))


def _import_all(names: tuple[str, ...]) -> None:
    import importlib

    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # its user imports it again and reports what is wrong
            log.debug("warm-up import of %s failed", name, exc_info=True)


# What building the main window loads (its desk, supervision and till parts import these
# when the window is built, and they import the rest): ~150 ms after a sign-in otherwise;
# and what the first HTTP request loads.
MAIN_WINDOW_PARTS = (
    "teller_app.ui.main_window",
    "teller_app.ui.desk",
    "teller_app.ui.filter_bar",
    "teller_app.ui.settings",
    "teller_app.ui.supervision",
    "teller_app.ui.till_desk",
    "teller_app.ui.cache_wiring",
    "teller_app.ui.lock_modes",
    "httpcore", "h11", "anyio._backends._asyncio",  # httpx's transport, at the first client
)


def warm_embedded_imports() -> None:
    """While the embedded sandbox starts (a splash, nothing to type into): the sign-in imports,
    the main window's, and the shared TLS context (the first HTTP client's ~30 ms)."""
    warm_sign_in_imports()
    _import_all(MAIN_WINDOW_PARTS)
    from teller_app.platform.transport import public_roots

    public_roots()
    # The OS keyring's backend (the sign-in reads the session's secrets there): chosen now on
    # a thread of its own, once the imports above are done (imports racing on two threads can
    # deadlock), while the app still waits for the sandbox.
    from teller_app.secrets.store import os_keyring

    threading.Thread(target=_choose_keyring, args=(os_keyring,), name="keyring-warm-up",
                     daemon=True).start()


def _choose_keyring(choose: Callable[[], object]) -> None:
    try:
        choose()
    except Exception:  # the sign-in's own probe reports what is wrong
        log.debug("keyring warm-up failed", exc_info=True)
