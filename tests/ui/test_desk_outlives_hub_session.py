"""A desk outlives its hub session (the hub's lasts ``session_ttl``, 8 h; a branch desk is
open 9-10 h). The hub session is ended on the hub's own database as its expiry would (no
wait), then the desk's next hub calls — the Till menu's read and an audit entry's flush, at
once — succeed as if nothing happened: the hub session is opened again exactly once (one
sign-in in the hub's audit trail), no password is asked, the desk is not locked, and the
audit entry reaches the hub. Mode A (the embedded default) and Mode B (the hub's sign-in).
Against the embedded sandbox + Teller Hub, offscreen."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import pytest

from teller_app.core.audit import AuditAction
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.ui.sign_in import SignInTarget, sign_in
from tests.mode_b_desk import hub_profile, hub_teller

from .conftest import TELLER, make_window
from .embedded_desk import embedded_stack, hub_session

pytestmark = pytest.mark.slow

stack = embedded_stack("ui-desk-outlives-hub")


def _hub_db(stack: EmbeddedStack) -> Any:
    assert stack.hub is not None
    return closing(sqlite3.connect(stack.hub.data_dir / "hub.db", timeout=15))


def _expire(stack: EmbeddedStack, token: str) -> None:
    """The hub session of ``token`` ended as its ``session_ttl`` ends it (``expires_at``
    passed), on the hub's database: nothing on the desk's side is touched."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    with _hub_db(stack) as db, db:
        ended = db.execute("UPDATE sessions SET expires_at = ? WHERE token_hash = ?",
                           (int(time.time()) - 1, digest)).rowcount
    assert ended == 1


def _hub_sign_ins(stack: EmbeddedStack, email: str) -> int:
    """The hub's own sign-in rows for ``email`` (one per hub session opened)."""
    with _hub_db(stack) as db:
        row = db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in' AND "
                         "client_id IS NULL AND actor = ?", (email.lower(),)).fetchone()
    return int(row[0])


def _reached_hub(stack: EmbeddedStack, client_id: str) -> bool:
    with _hub_db(stack) as db:
        return db.execute("SELECT 1 FROM audit_log WHERE client_id = ?",
                          (client_id,)).fetchone() is not None


def _outbox_empty(supervision: Any) -> bool:
    trail = supervision.audit._trail
    return trail is not None and trail.outbox.pending() == 0


@contextmanager
def _desk(qtbot: Any, ops: Any, arun: Any, stack: EmbeddedStack, mode: str) -> Iterator[Any]:
    if mode == "A":
        session = hub_session(arun, stack, TELLER)
    else:
        email, password = hub_teller(stack)
        session = arun(sign_in(SignInTarget(hub_profile(stack)), email, password,
                               remember=False, store=None))
    window = make_window(qtbot, ops, session, stack.sandbox)
    try:
        yield window
    finally:
        window._closing_for_sign_out = True  # no app controller listens in tests
        ops.cancel_all()
        arun(session.close())


@pytest.mark.parametrize("mode", ["A", "B"])
def test_the_next_hub_calls_after_the_hub_session_ended_reopen_it_once(  # type: ignore[no-untyped-def]
        qtbot, ops, arun, stack, mode) -> None:
    with _desk(qtbot, ops, arun, stack, mode) as window:
        session, supervision, till_desk = window.session, window.supervision, \
            window.till_desk
        email = session.employee.email
        # settled: the hub session open, the Till menu read, the sign-in's audit sent
        qtbot.waitUntil(lambda: session.hub_available and till_desk._shown_read >= 1
                        and not ops.is_busy() and _outbox_empty(supervision),
                        timeout=20000)
        old = session.hub.hub.token
        opened = _hub_sign_ins(stack, email)
        _expire(stack, old)

        # the desk's next hub calls, together: the Till menu's read and an audit entry
        read_before = till_desk._shown_read
        till_desk._read_till()  # asks for the password on an expired session (reauth)
        entry = supervision.audit.record(AuditAction.LOCK)
        qtbot.waitUntil(lambda: till_desk._shown_read > read_before
                        and _reached_hub(stack, entry.client_id), timeout=20000)

        assert session.hub.hub.token not in (None, old)  # a new hub session...
        assert _hub_sign_ins(stack, email) == opened + 1  # ...opened exactly once
        assert window._reauth_dialog is None  # no password asked
        assert supervision.locker is None or not supervision.locker.is_locked
        qtbot.waitUntil(lambda: _outbox_empty(supervision), timeout=10000)  # nothing left
