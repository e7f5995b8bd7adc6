"""The window's warning that the audit trail could not be written lasts as long as what it
warns of: while entries the full disk refused are kept in memory, it comes back at the next
action when it was dismissed or another message took its place; once they are written it
goes (other messages stay), and a later failure is told again. Real outbox on a real,
filled tmpfs; the real banner; no hub (the entries can only be written)."""

from __future__ import annotations

import secrets
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fs_faults import fill, small_fs
from PySide6.QtWidgets import QWidget

from teller_app.core import audit_desk
from teller_app.core.audit import AuditAction, AuditOutbox
from teller_app.core.audit_desk import DeskAudit
from teller_app.ui.banner import Banner
from teller_app.ui.supervision import Supervision

KEY = secrets.token_bytes(32)
WARNING = "The audit trail could not be written."
SAVED = "Customer saved."


async def _key(_profile: str) -> bytes:
    return KEY


class Window(QWidget):
    """What Supervision needs of the main window for recording: a session, the banner."""

    def __init__(self) -> None:
        super().__init__()
        self.session = SimpleNamespace(profile=SimpleNamespace(name="full-disk-warning"),
                                       employee=SimpleNamespace(guid="emp-1",
                                                                email="teller@bank.test"),
                                       hub=None)
        self.banner = Banner(self)


def _lines(window: Window) -> list[str]:
    return window.banner.text().split("\n") if window.banner.text() else []


def test_the_warning_stays_until_the_kept_entries_are_written(
        qtbot: Any, qloop: Any, arun: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_desk, "RETRY_MIN_S", 0.05)  # the retry's first wait
    with small_fs(tmp_path, "64k") as fs:
        window = Window()
        qtbot.addWidget(window)
        supervision = Supervision(window)
        supervision.audit = DeskAudit("p", None, key_source=_key, base=fs)
        supervision.audit.on_failure = supervision._audit_write_failed.emit
        filler = fill(fs)

        supervision.record(AuditAction.LOCK)
        qtbot.waitUntil(lambda: _lines(window) == [WARNING], timeout=10000)
        window.banner.clear()  # the teller dismisses it: the entry is still not written
        supervision.record(AuditAction.UNLOCK)
        assert _lines(window) == [WARNING]  # back at the next action
        window.banner.show_message(SAVED, "success")  # another message takes its place
        supervision.record(AuditAction.CUSTOMER_EDIT, customer_guid="c-1")
        assert _lines(window) == [SAVED, WARNING] and window.banner.level == "error"
        arun(supervision.audit.drain())
        assert supervision.audit.unwritten == 3

        filler.unlink()  # space again: the desk's own retry writes them, the warning goes
        qtbot.waitUntil(lambda: _lines(window) == [SAVED], timeout=30000)
        assert supervision.audit.unwritten == 0
        box = AuditOutbox(supervision.audit.path, KEY)
        assert [e.action for e in box.unsent()] == ["lock", "unlock", "edit"]

        box.mark_sent([e.client_id for e in box.unsent()])  # (a hub took them: emptied)
        filler = fill(fs)  # full again, later: told again
        window.banner.clear()
        supervision.record(AuditAction.LOCK)
        qtbot.waitUntil(lambda: _lines(window) == [WARNING], timeout=10000)
        filler.unlink()
        qtbot.waitUntil(lambda: _lines(window) == [], timeout=30000)
        arun(supervision.audit.aclose())
        assert [e.action for e in box.unsent()] == ["lock"]
