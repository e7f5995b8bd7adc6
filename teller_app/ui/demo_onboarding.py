"""Secrets for the embedded sandbox's demo customers, issued by the embedded hub
(``core.embedded_stack.onboard``) for their own logins through it. The desk needs none of
them, so they are issued once the desk shows its first results, or a few seconds after it
opened: never on the path from start to a usable desk."""

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
    """Runs ``onboard`` once, through the app's ``OpRunner`` (cancelled with its other ops).
    A failure is logged only: it is the hub, not the platform, so no offline banner."""

    def __init__(self, stack: EmbeddedStack, ops: OpRunner) -> None:
        self.stack = stack
        self.ops = ops
        self.op: Op | None = None

    def after_desk_opens(self, window: MainWindow) -> None:
        window.search_panel.results_shown.connect(lambda _q: self.start())
        QTimer.singleShot(AFTER_MS, self.start)

    def start(self) -> None:
        if self.op is None:
            self.op = self.ops.run(self._run, label="", network=False, reauth=False)

    async def _run(self) -> None:
        from teller_app.core.embedded_stack import onboard

        try:
            await onboard(self.stack)
        except Exception as exc:  # the desk still works; demo customers' logins may fail
            log.warning("hub onboarding failed: %s", safe_text(exc))
