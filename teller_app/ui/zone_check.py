"""Kyiv's time zone, checked once at start: without zone data (no OS database and a missing or
broken ``tzdata`` package) every time on the desk would fail, the first one shown in the
middle of a teller's work (a receipt after the confirm). Found at start instead, the desk says
so and ends: a broken installation, as the hub refuses to serve without its cash day's zone
(``hub/serve_checks.check_cash_zone``). The zone file is read off the UI thread, after the
sign-in window's first paint (``start_run.run`` calls ``check_at_start``)."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from teller_app.core.kyiv_zone import kyiv_zone_problem
from teller_app.ui.language_watch import watch_language

if TYPE_CHECKING:
    from teller_app.ui.startup import AppController

log = logging.getLogger(__name__)
# the message box shown (a parentless box needs a reference to stay open)
_shown: list[QMessageBox] = []


def missing_zone_text() -> str:
    return QCoreApplication.translate(
        "ZoneCheck", "Teller cannot work on this computer: it has no time zone data for "
        "Kyiv, so the times of receipts, the history and reports cannot be shown. Ask IT to "
        "reinstall Teller (the tzdata package is missing or broken). Teller closes now.")


def check_at_start(controller: AppController) -> None:
    """Read the zone in a thread; without it, say so and end the app (exit code 2)."""
    controller.ops.run(lambda: asyncio.to_thread(kyiv_zone_problem),
                       on_success=lambda problem: refuse(controller, problem)
                       if problem is not None else None,
                       network=False)


def refuse(controller: AppController, problem: str) -> None:
    log.error("%s", problem)
    text = missing_zone_text()
    print(text, file=sys.stderr, flush=True)
    if controller.args.smoke_test:
        controller.quit(2)
        return
    box = QMessageBox(QMessageBox.Icon.Critical,
                      QCoreApplication.translate("AppController", "Teller"), text)
    # the language may be chosen after the check (the profiles are read meanwhile)
    watch_language(box, lambda: box.setText(missing_zone_text()))
    # no signing in meanwhile (``QtCore.Qt`` here: its ~100 enums wait for the first paint)
    box.setWindowModality(QtCore.Qt.WindowModality.ApplicationModal)
    box.finished.connect(lambda _r: controller.quit(2))
    _shown.append(box)
    box.open()
