"""Signing out and closing the main window without cutting off a save already sent.

A customer form whose save is running is not "unsaved": the discard question counts it apart
(it finishes first), and signing out or closing waits for it (bounded, on the event loop: the
UI thread never blocks, and the window shows it is finishing), so its answer and its audit
entry land before the audit worker and the session close. Only then are the other ops
cancelled. A save that failed meanwhile leaves its form unsaved: the teller is asked again.
A mixin of ``MainWindow``; strings keep the ``MainWindow`` translation context."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from shiboken6 import isValid

from teller_app.ui.async_op import OpRunner, open_event_loop
from teller_app.ui.customer_form import CustomerForm
from teller_app.ui.discard_prompt import confirm_discard
from teller_app.ui.lock_privacy import desk_locker
from teller_app.ui.main_window_tabs import MainWindowTabs

if TYPE_CHECKING:
    from teller_app.core.branch_cache import BranchCacheBundle
    from teller_app.core.session import Session
    from teller_app.ui.desk import DeskHooks
    from teller_app.ui.lock_privacy import LockPrivacy
    from teller_app.ui.supervision import Supervision

log = logging.getLogger(__name__)

# The longest a create can take: two POSTs (10 s read timeout each, platform/_http.py) and
# the reads that settle a lost answer; a save still running after it is cancelled.
SAVE_WAIT_SECONDS = 60.0


class MainWindowLeaving(MainWindowTabs):
    # set by MainWindow.__init__
    ops: OpRunner
    session: Session
    branch_cache: BranchCacheBundle | None
    supervision: Supervision | None
    desk: DeskHooks
    _closing_for_sign_out: bool
    lock_privacy: LockPrivacy | None = None
    _finishing: asyncio.Task[object] | None = None  # waiting for saves before leaving
    _finish_deadline: float | None = None  # time.monotonic() when the waiting stops

    def saving_forms(self) -> list[CustomerForm]:
        """Customer forms (open or parked) whose save is on its way to the platform."""
        widgets = [self.tabs.widget(i) for i in range(1, self.tabs.count())]
        widgets += [w for parked in self._parked_tabs.values() for w, _title in parked]
        return [w for w in widgets if isinstance(w, CustomerForm) and isValid(w)
                and w.ops.is_busy(w._submit_key())]

    def _ready_to_leave(self, proceed: Callable[[], object], *, signing_out: bool) -> bool:
        """True when signing out or closing may go on now; otherwise a question is open or
        saves are being waited for, and ``proceed`` runs again afterwards."""
        if self._finishing is not None:
            return False  # already waiting: it goes on by itself
        if self._ask_before_leaving(proceed):
            return False
        return not self._wait_for_saves(proceed, signing_out)

    def _ask_before_leaving(self, proceed: Callable[[], object]) -> bool:
        """Ask before unsaved forms go; forms being saved are counted apart (nothing of
        theirs is lost). True while the question is open."""
        if self._discard_confirmed:
            return False
        saving = self.saving_forms()
        dirty = [f for f in self.dirty_forms() if f not in saving]
        if not dirty:
            return False
        self._finish_deadline = None  # the teller has the window back
        box = self._discard_box
        if box is None or not isValid(box) or not box.isVisible():

            def agreed() -> None:
                self._discard_confirmed = True
                proceed()

            self._discard_box = confirm_discard(self, len(dirty), agreed, saving=len(saving))
        return True

    def _wait_for_saves(self, proceed: Callable[[], object], signing_out: bool) -> bool:
        """True when saves are running and ``proceed`` runs again once they are done (or the
        bound is reached)."""
        saving = self.saving_forms()
        if not saving:
            self._finish_deadline = None
            return False
        now = time.monotonic()
        if self._finish_deadline is None:
            self._finish_deadline = now + SAVE_WAIT_SECONDS
        left = self._finish_deadline - now
        tasks = [op.task for f in saving
                 if (op := self.ops._by_key.get(f._submit_key())) is not None
                 and op.task is not None]
        loop = open_event_loop()
        if left <= 0 or loop is None or not tasks:
            log.warning("leaving with %d customer save(s) still running", len(saving))
            return False
        restore = self._show_finishing(signing_out)
        # OpRunner's own done callback (the form's result, the audit entry) runs first.
        finishing = self._finishing = loop.create_task(asyncio.wait(tasks, timeout=left))
        finishing.add_done_callback(
            lambda task: self._saves_settled(task, saving, proceed, restore))
        return True

    def _show_finishing(self, signing_out: bool) -> Callable[[], None]:
        """Nothing new can be started while the window finishes; returns the undo."""
        central, menus = self.centralWidget(), self.menuBar()
        assert central is not None  # MainWindow.__init__ sets it
        central.setEnabled(False)
        menus.setEnabled(False)
        text = (QCoreApplication.translate(
                    "MainWindow", "Saving in progress: signing out once it has finished…")
                if signing_out else QCoreApplication.translate(
                    "MainWindow", "Saving in progress: closing once it has finished…"))
        privacy = self.lock_privacy
        if privacy is not None:
            privacy.say(text)  # names no customer: shown on the lock screen's desk too
        else:
            self.statusBar().showMessage(text)

        def restore() -> None:
            if isValid(central):
                central.setEnabled(True)
            if isValid(menus):
                locker = desk_locker(self)
                menus.setEnabled(locker is None or not locker.is_locked)
            if privacy is not None and isValid(privacy):
                privacy.unsay(text)
            elif self.statusBar().currentMessage() == text:
                self.statusBar().clearMessage()

        return restore

    def _saves_settled(self, task: asyncio.Task[object], saving: list[CustomerForm],
                       proceed: Callable[[], object], restore: Callable[[], None]) -> None:
        self._finishing = None
        if not isValid(self):
            return
        restore()
        if task.cancelled() or self._closing_for_sign_out:
            return  # the app is going down anyway, or someone else closed the window
        locker = desk_locker(self)
        still = self.saving_forms()
        refused = [f for f in self.dirty_forms() if f in saving and f not in still]
        if refused and (locker is None or not locker.is_locked):
            self._discard_confirmed = False  # a save that failed: the teller decides again
        proceed()

    async def shutdown(self) -> None:
        """Close what this window opened: the cache (its DB thread) and the session."""
        from teller_app.ui.cache_wiring import close_branch_cache

        if self.supervision is not None:  # its audit flush still needs the session
            await self.supervision.wait_closed()
        await close_branch_cache(self.branch_cache)
        await self.session.close()
        await self.desk.wait_remembered()  # the window state, written off the UI thread

    def _shutdown_plugins(self) -> None:
        # Plug-ins with hooks outside this window (the idle filter, timers) unhook with it.
        if self.supervision is not None:
            self.supervision.shutdown()
