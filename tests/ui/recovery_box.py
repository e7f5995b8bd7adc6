"""The box a start shows when the profiles file cannot be read (tests of its texts)."""

from __future__ import annotations

import argparse
import time
from typing import Any

from PySide6.QtWidgets import QApplication, QMessageBox

from teller_app.secrets import ProfileStore


def unreadable_profiles_box(qtbot: Any, qloop: Any, language: str) -> QMessageBox:
    """Start the app over a damaged profiles file; the recovery box it shows (close it)."""
    from teller_app.ui.startup import AppController

    store = ProfileStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text('{"profiles": [', encoding="utf-8")
    args = argparse.Namespace(lang=language, profile=None, data_dir=None, smoke_test=False,
                              qt_args=[], smoke_timeout=60)
    controller = AppController(QApplication.instance(), args, time.time())  # type: ignore[arg-type]
    task = qloop.create_task(controller.start())
    qtbot.waitUntil(lambda: getattr(controller, "recovery_box", None) is not None, timeout=5000)
    qtbot.waitUntil(task.done, timeout=5000)
    box: QMessageBox = controller.recovery_box
    return box
