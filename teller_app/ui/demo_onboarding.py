"""Secrets for the embedded sandbox's demo customers and key keepers, issued by the embedded
hub (``core.embedded_stack.onboard``). Signing in needs none of them, so they are issued once
the desk shows its first results, or a few seconds after it opened: never on the path from
start to a usable desk. A cash-in does need one (DCM asks the hub for ``keykeeper:<branch>``,
the payer), so an onboarding that did not finish (cancelled by a sign-out, or failed) runs
again when the desk opens next."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from teller_app.ui.error_text import safe_text

if TYPE_CHECKING:
    from teller_app.core.embedded_start import EmbeddedStack
    from teller_app.ui.async_op import Op, OpRunner
    from teller_app.ui.main_window import MainWindow

log = logging.getLogger("teller_app")
AFTER_MS = 3000  # when the first results take longer than this


class DemoOnboarding:
    """Runs ``onboard`` through the app's ``OpRunner`` (cancelled with its other ops): once
    per desk opening until it has succeeded. A failure is logged only: it is the hub, not
    the platform, so no offline banner."""

    def __init__(self, stack: EmbeddedStack, ops: OpRunner) -> None:
        self.stack = stack
        self.ops = ops
        self.op: Op | None = None
        self.issued = False  # onboard succeeded in this run
        self._tried = False  # started since the desk last opened

    def after_desk_opens(self, window: MainWindow) -> None:
        self._tried = False
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
        else:
            self.issued = True
