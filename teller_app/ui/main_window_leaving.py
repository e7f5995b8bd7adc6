"""Signing out and closing the main window without cutting off a write already sent.

Every op started with ``write=True`` (ui/async_op: a customer save, a cash create or confirm,
an account opened, a request filed or decided, a till operation) is waited for: signing out or
closing waits (bounded, on the event loop: the UI thread never blocks, and the window shows it
is finishing), so its answer and its audit entry land before the audit worker and the session
close. Only then are the other ops (reads) cancelled. A customer form whose save is running is
not "unsaved": the discard question counts it apart, and the other writes apart again (both
finish first). A save that failed meanwhile leaves its form unsaved: the teller is asked again.
A mixin of ``MainWindow``; strings keep the ``MainWindow`` translation context."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from shiboken6 import isValid

from teller_app.ui.async_op import Op, OpRunner, open_event_loop
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
    from teller_app.ui.switched_away import SwitchedAway

log = logging.getLogger(__name__)

# The longest a write can take: a cash confirm asks the hub first (reads retried: up to
# 3 × 12 s), sends the POST (10 s to send, 10 s to read) and reads what a lost answer left,
# then tells the till; a create sends two POSTs. A write still running after it is cancelled.
SAVE_WAIT_SECONDS = 120.0


class MainWindowLeaving(MainWindowTabs):
    # set by MainWindow.__init__
    ops: OpRunner
    session: Session
    branch_cache: BranchCacheBundle | None
    supervision: Supervision | None
    desk: DeskHooks
    _closing_for_sign_out: bool
    lock_privacy: LockPrivacy | None = None
    _finishing: asyncio.Task[bool] | None = None  # waiting for writes before leaving
    _finish_deadline: float | None = None  # time.monotonic() when the waiting stops
    # employees switched away on the lock screen (ui/cache_wiring.unwire_cache)
    switched_away: tuple[SwitchedAway, ...] = ()

    def saving_forms(self) -> list[CustomerForm]:
        """Customer forms (open or parked) whose save is on its way to the platform."""
        widgets = [self.tabs.widget(i) for i in range(1, self.tabs.count())]
        widgets += [w for parked in self._parked_tabs.values() for w, _title in parked]
        return [w for w in widgets if isinstance(w, CustomerForm) and isValid(w)
                and w.ops.is_busy(w._submit_key())]

    def sending_writes(self) -> list[Op]:
        """Every write on its way to the platform or the hub (customer saves included)."""
        return self.ops.running_writes()

    def _other_writes(self, saving: list[CustomerForm]) -> list[Op]:
        """The writes that are not a customer form's save (counted apart in the question)."""
        keys = {f._submit_key() for f in saving}
        return [op for op in self.sending_writes() if op.key is None or op.key not in keys]

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

            box = self._discard_box = confirm_discard(self, len(dirty), agreed,
                                                      saving=len(saving))
            others = len(self._other_writes(saving))
            if others:  # cash, an account, a request…: named apart, never discarded
                sent = CustomerForm.tr(  # the question's context (ui/discard_prompt)
                    "%n other change(s) already sent will finish first and are not cut off.",  # type: ignore[arg-type]
                    "", others)  # type: ignore[arg-type]
                said = box.informativeText()
                box.setInformativeText(f"{said}\n{sent}" if said else sent)
        return True

    def _wait_for_saves(self, proceed: Callable[[], object], signing_out: bool) -> bool:
        """True when writes are running and ``proceed`` runs again once they are done (or the
        bound is reached)."""
        writes = self.sending_writes()
        if not writes:
            self._finish_deadline = None
            return False
        saving = self.saving_forms()
        now = time.monotonic()
        if self._finish_deadline is None:
            self._finish_deadline = now + SAVE_WAIT_SECONDS
        left = self._finish_deadline - now
        loop = open_event_loop()
        if left <= 0 or loop is None:
            log.warning("leaving with %d write(s) still running: %s", len(writes),
                        ", ".join(sorted(op.label or op.key or "?" for op in writes)))
            return False
        restore = self._show_finishing(signing_out)
        # OpRunner's own done callback (the result shown, the audit entry) runs first; a
        # write started by one of them meanwhile is waited for too.
        finishing = self._finishing = loop.create_task(self.ops.finish_writes(left))
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

    def _saves_settled(self, task: asyncio.Task[bool], saving: list[CustomerForm],
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
        """Close what this window opened: the cache (its DB thread) and the session. After
        an explicit sign-out (not a quit) the sign-in ends too: the platform session is
        revoked and the remembered token forgotten (ui/sign_in.sign_out), and the cache is
        wiped when the machine policy says so — for every employee who used this window,
        those switched away on the lock screen included (ui/switched_away)."""
        from teller_app.ui.cache_wiring import close_branch_cache
        from teller_app.ui.switched_away import settle

        signing_out = self._closing_for_sign_out
        if self.supervision is not None:  # its audit flush still needs the session
            await self.supervision.wait_closed()
        await close_branch_cache(self.branch_cache, signing_out=signing_out)
        await settle(self.switched_away, signing_out=signing_out)
        if signing_out:
            from teller_app.ui.sign_in import sign_out

            await sign_out(self.session)
        else:
            await self.session.close()
        await self.desk.wait_remembered()  # the window state, written off the UI thread

    def _shutdown_plugins(self) -> None:
        # Plug-ins with hooks outside this window (the idle filter, timers) unhook with it.
        if self.supervision is not None:
            self.supervision.shutdown()


async def finish_leavers_writes(writes: list[Op]) -> None:
    """Wait (bounded, as a sign-out waits: ``SAVE_WAIT_SECONDS``) until ``writes`` (the
    leaving employee's, running at a switch on the lock screen) have run their callbacks:
    closing their session first cut a write off its client (a confirm never sent after the
    hub's check), and its answer and audit entry never landed."""
    tasks = [op.task for op in writes if op.task is not None and not op.task.done()]
    if not tasks:
        return
    _done, pending = await asyncio.wait(tasks, timeout=SAVE_WAIT_SECONDS)
    if pending:
        log.warning("a switched-away employee's session closes with %d write(s) running",
                    len(pending))
    await asyncio.sleep(0)  # OpRunner's done callbacks (the answer, its audit) run first
