"""Secrets for the embedded sandbox's demo customers, issued by the embedded hub
(``core.embedded_stack.onboard``) for their own logins through it. The desk needs none of
them, so they are issued once the desk shows its first results, or a few seconds after it
opened: never on the path from start to a usable desk."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from teller_app.ui.error_text import safe_text

if TYPE_CHECKING:
    from teller_app.core.embedded_start import EmbeddedStack
    from teller_app.ui.main_window import MainWindow

log = logging.getLogger("teller_app")
AFTER_MS = 3000  # when the first results take longer than this


class DemoOnboarding:
    def __init__(self, stack: EmbeddedStack) -> None:
        self.stack = stack
        self.task: asyncio.Future[None] | None = None

    def after_desk_opens(self, window: MainWindow) -> None:
        window.search_panel.results_shown.connect(lambda _q: self.start())
        QTimer.singleShot(AFTER_MS, self.start)

    def start(self) -> None:
        if self.task is None:
            self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        from teller_app.core.embedded_stack import onboard

        try:
            await onboard(self.stack)
        except Exception as exc:  # the desk still works; demo customers' logins may fail
            log.warning("hub onboarding failed: %s", safe_text(exc))

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
