"""Secrets for the embedded sandbox's demo customers and key keepers, issued by the embedded
hub (``core.embedded_stack.onboard``). Signing in needs none of them, so they are issued once
the desk shows its first results, or a few seconds after it opened: never on the path from
start to a usable desk. A cash-in does need one (DCM asks the hub for ``keykeeper:<branch>``,
the payer), so an onboarding that did not finish (cancelled by a sign-out, or failed) runs
again when the desk opens next, and a failed one a few times on the same desk."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from shiboken6 import isValid

from teller_app.ui.error_text import safe_text

if TYPE_CHECKING:
    from teller_app.core.embedded_start import EmbeddedStack
    from teller_app.ui.async_op import Op, OpRunner
    from teller_app.ui.main_window import MainWindow

log = logging.getLogger("teller_app")
AFTER_MS = 3000  # when the first results take longer than this
RETRY_MS = (10_000, 30_000, 60_000)  # after a failure, on the same desk (a hub slow to start)


class DemoOnboarding:
    """Runs ``onboard`` through the app's ``OpRunner`` (cancelled with its other ops): once
    per desk opening until it has succeeded, and again a few times after a failure (every
    teller cash-in needs it). A failure is logged only: it is the hub, not the platform, so
    no offline banner."""

    def __init__(self, stack: EmbeddedStack, ops: OpRunner) -> None:
        self.stack = stack
        self.ops = ops
        self.op: Op | None = None
        self.issued = False  # onboard succeeded in this run
        self._tried = False  # started since the desk last opened
        self._failures = 0  # since the desk last opened
        self._panel: QObject | None = None  # the open desk's: a retry ends with it

    def after_desk_opens(self, window: MainWindow) -> None:
        self._tried, self._failures = False, 0
        self._panel = window.search_panel
        window.search_panel.results_shown.connect(lambda _q: self.start())
        QTimer.singleShot(AFTER_MS, self.start)

    def start(self) -> None:
        if self.issued or self._tried or (self.op is not None and not self.op.done()):
            return
        self._tried = True
        self.op = self.ops.run(self._run, label="", network=False, reauth=False)

    async def _run(self) -> None:
        from teller_app.core.embedded_stack import onboard

        try:
            await onboard(self.stack)
        except Exception as exc:  # the desk still works; cash-ins and demo logins may fail
            log.warning("hub onboarding failed: %s", safe_text(exc))
            panel = self._panel
            if self._failures < len(RETRY_MS) and panel is not None and isValid(panel):
                QTimer.singleShot(RETRY_MS[self._failures], panel, self._again)
                self._failures += 1
        else:
            self.issued = True

    def _again(self) -> None:
        self._tried = False
        self.start()
