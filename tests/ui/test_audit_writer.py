"""Audit appends never block the UI thread; a failing trail is told once, not per action."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtWidgets import QApplication, QWidget

from teller_app.core.audit import AuditAction, AuditLog, _audit_writer
from teller_app.ui.supervision import Supervision


class FakeWindow(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.session = SimpleNamespace(profile=SimpleNamespace(name="audit-writer-test"),
                                       employee=SimpleNamespace(guid="emp-1"))
        self.messages: list[tuple[str, str]] = []
        self.banner = SimpleNamespace(
            show_message=lambda text, level="info": self.messages.append((text, level)))


def _supervision(qtbot, path: Path) -> tuple[FakeWindow, Supervision]:  # type: ignore[no-untyped-def]
    window = FakeWindow()
    qtbot.addWidget(window)
    supervision = Supervision(window)
    supervision.audit = AuditLog(path)
    return window, supervision


def test_record_returns_while_another_instance_holds_the_file_lock(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import fcntl

    _window, supervision = _supervision(qtbot, tmp_path / "p.jsonl")
    supervision.audit.append(AuditAction.SIGN_IN, "emp-1")
    with (tmp_path / "p.jsonl").open("a+b") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)  # another Teller instance is writing
        release = threading.Timer(2.0, fcntl.flock, (other.fileno(), fcntl.LOCK_UN))
        release.start()
        started = time.monotonic()
        supervision.record(AuditAction.LOCK)
        supervision.record(AuditAction.UNLOCK)
        elapsed = time.monotonic() - started
        release.join()
    assert elapsed < 1.0  # the UI thread did not wait for the lock
    assert [e.action for e in supervision.audit.entries()] == [
        AuditAction.SIGN_IN, AuditAction.LOCK, AuditAction.UNLOCK]


def test_a_failing_trail_is_reported_once_in_the_banner(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    window, supervision = _supervision(qtbot, blocker / "p.jsonl")  # mkdir fails
    for _ in range(3):
        supervision.record(AuditAction.LOCK)
    # The writer runs one job at a time, each failure's callback before the next job: once
    # this no-op has run, every report has been posted to the UI thread.
    _audit_writer().submit(lambda: None).result(timeout=10)
    QApplication.processEvents()
    assert window.messages == [("The audit trail could not be written.", "error")]
