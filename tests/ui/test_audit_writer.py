"""Audit records never block the UI thread (the outbox may be locked by another instance);
a failing outbox is told once, not per action."""

from __future__ import annotations

import fcntl
import secrets
import threading
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtWidgets import QWidget

from teller_app.core.audit import AuditAction
from teller_app.core.audit_desk import DeskAudit
from teller_app.ui.supervision import Supervision

KEY = secrets.token_bytes(32)


async def _key(_profile: str) -> bytes:
    return KEY


class FakeWindow(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.session = SimpleNamespace(profile=SimpleNamespace(name="audit-writer-test"),
                                       employee=SimpleNamespace(guid="emp-1",
                                                                email="teller@bank.test"),
                                       hub=None)
        self.messages: list[tuple[str, str]] = []
        self.banner = SimpleNamespace(
            show_message=lambda text, level="info": self.messages.append((text, level)))


def _supervision(qtbot, base: Path) -> tuple[FakeWindow, Supervision]:  # type: ignore[no-untyped-def]
    window = FakeWindow()
    qtbot.addWidget(window)
    supervision = Supervision(window)
    supervision.audit = DeskAudit("p", None, key_source=_key, base=base)
    supervision.audit.on_failure = supervision._audit_write_failed.emit
    return window, supervision


def test_record_returns_while_another_instance_holds_the_outbox(  # type: ignore[no-untyped-def]
        qtbot, qloop, arun, tmp_path) -> None:
    _window, supervision = _supervision(qtbot, tmp_path)
    supervision.record(AuditAction.SIGN_IN)
    arun(supervision.audit.drain())
    path = supervision.audit.path
    with path.open("a+b") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)  # another Teller instance is writing
        # A safety net only: record() waiting for the lock would return after this fires.
        release = threading.Timer(60.0, fcntl.flock, (other.fileno(), fcntl.LOCK_UN))
        release.start()
        supervision.record(AuditAction.LOCK)
        supervision.record(AuditAction.UNLOCK)
        held = not release.finished.is_set()  # the lock was still held when record() returned
        release.cancel()
        fcntl.flock(other.fileno(), fcntl.LOCK_UN)
        entries = arun(supervision.audit.unsent())
    assert held  # the UI thread did not wait for the lock
    assert [e.action for e in entries] == ["sign_in", "lock", "unlock"]


def test_a_failing_outbox_is_reported_once_in_the_banner(qtbot, qloop, arun, tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    window, supervision = _supervision(qtbot, blocker)  # mkdir of blocker/audit fails
    for _ in range(3):
        supervision.record(AuditAction.LOCK)
    arun(supervision.audit.drain())
    qtbot.waitUntil(lambda: window.messages != [], timeout=5000)
    assert supervision.audit.failures == 3
    assert window.messages == [("The audit trail could not be written.", "error")]


def test_shutdown_can_be_awaited_until_the_audit_worker_is_done(  # type: ignore[no-untyped-def]
        qtbot, qloop, arun, tmp_path) -> None:
    # The window awaits this before its session closes and the app's loop ends: a flush cut
    # off there logged "audit entry not written" (no running event loop) at exit.
    _window, supervision = _supervision(qtbot, tmp_path)
    supervision.record(AuditAction.LOCK)
    supervision.record(AuditAction.UNLOCK)
    worker = supervision.audit._worker
    assert worker is not None and not worker.done()
    supervision.shutdown()
    arun(supervision.wait_closed())
    assert worker.done()
    assert supervision.audit.failures == 0
    reopened = DeskAudit("p", None, key_source=_key, base=tmp_path)
    assert [e.action for e in arun(reopened.unsent())] == ["lock", "unlock"]
    arun(reopened.aclose())
