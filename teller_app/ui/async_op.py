"""The one way the UI runs platform/cache work: ``ops.run(factory, on_success=..., ...)``.

Anki's QueryOp/CollectionOp idea on qasync: the coroutine runs as a task on the Qt-driven
asyncio loop (the UI thread never waits), the status bar shows what is running, the widget's
submit controls are disabled meanwhile, an op with the same ``key`` cancels the one before it
(search-as-you-type: the newest query always wins), and errors become translated messages.
Unavailable/Timeout are reported to Connectivity so the offline banner appears.

Session expiry: the platform client signs in again by itself on a 401. When even that fails
(``AuthError``), an op started with ``reauth=True`` (the default) is handed to
``ops.reauthenticate(exc, retry, give_up)`` (the main window asks for the password in a small
dialog): ``retry()`` runs the same op again with the same callbacks, so the form that asked
keeps everything; ``give_up()`` reports the original error. Ops whose credentials the user
types (sign-in, lock screen, a supervisor's in-place approval) pass ``reauth=False``. An op
settles (``Op.when_settled``) only with its retry (or the error given up): a write waiting
for the password is still unsettled (``unsettled_writes``), so a window closed meanwhile
stays until it is sent again (``ui/till_windows``).

Writes: an op started with ``write=True`` sends a write to the platform or the hub (a create,
a cash confirm, a filing, a decision). Signing out or closing the window waits for the running
ones (``running_writes()``, ``finish_writes()``: bounded, on the loop) before anything is
cancelled, so a write already sent is never cut off and its answer and audit entry land. A
read is never marked: waiting for it would only delay leaving.

Shutdown: ``await ops.aclose()`` while the loop still runs cancels every op and lets each
unwind on it. A timer that fires later (a debounce, a delayed start) gets an op that never
starts, not an exception from a closed or missing loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

if TYPE_CHECKING:
    from teller_app.core.connectivity import Connectivity

log = logging.getLogger(__name__)
T = TypeVar("T")

ErrorHandler = Callable[[BaseException], None]
# (the AuthError, retry, give up) -> True when a password prompt takes care of it
Reauthenticate = Callable[[BaseException, Callable[[], None], Callable[[], None]], bool]


def open_event_loop() -> asyncio.AbstractEventLoop | None:
    """The app's event loop, or None once it is closed or gone (a Qt timer may fire after
    the loop was taken down at exit)."""
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:  # no event loop any more
        return None
    return None if loop.is_closed() else loop


class Op:
    """A running operation: ``cancel()`` it, or ask ``done()``; ``when_settled`` once its
    callbacks have run (after a re-authentication: its retry's, or the error's)."""

    def __init__(self, task: asyncio.Task[object] | None, label: str, key: str | None,
                 write: bool = False) -> None:
        self.task = task  # None: never started (the runner or its loop was closed)
        self.label = label
        self.key = key
        self.write = write  # sends a write: leaving waits for it (module docstring)
        self.settled = task is None
        self._then: list[Callable[[], None]] = []

    def when_settled(self, callback: Callable[[], None]) -> None:
        """``callback()`` once the op's callbacks have run, or it was cancelled, or its
        asker was gone; an op waiting for the password prompt settles with its retry (or
        when it gives up). At once when it has."""
        if self.settled:
            callback()
        else:
            self._then.append(callback)

    def _settle(self) -> None:
        if self.settled:
            return
        self.settled = True
        then, self._then = self._then, []
        for callback in then:
            callback()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def done(self) -> bool:
        return self.task is None or self.task.done()


class OpRunner(QObject):
    activity_changed = Signal(list)  # labels of the ops now running (for the status bar)
    connectivity_error = Signal(object)  # Unavailable / Timeout seen by any op
    platform_reached = Signal()  # any op that talked to the platform succeeded

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: set[Op] = set()
        self._by_key: dict[str, Op] = {}
        self.connectivity: Connectivity | None = None  # set when a branch cache is open
        # Where errors nobody handled go (the main window points it at its banner).
        self.default_error_handler: ErrorHandler | None = None
        self.reauthenticate: Reauthenticate | None = None  # set by the main window
        self._reauth_writes: set[Op] = set()  # writes whose retry waits for the password
        self._closed = False

    # -- public -----------------------------------------------------------------------
    def run(
        self,
        factory: Callable[[], Awaitable[T]],
        *,
        on_success: Callable[[T], None] | None = None,
        on_error: ErrorHandler | None = None,
        parent: QWidget | None = None,
        label: str = "",
        key: str | None = None,
        disable: Iterable[QWidget] = (),
        network: bool = True,
        reauth: bool = True,
        write: bool = False,
    ) -> Op:
        """Start ``factory()`` as a task. Callbacks run on the UI thread, and not at all
        when the op was cancelled or ``parent`` was deleted meanwhile. ``on_success`` gets
        what the coroutine returned (its type follows ``factory``'s). ``write``: the op
        sends a write to the platform or the hub (sign-out and close wait for it)."""
        loop = self._open_loop()
        if loop is None:
            log.debug("op %r not started: the app is shutting down", label)
            return Op(None, label, key, write)
        disable = [w for w in disable if w is not None]
        if key is not None and (previous := self._by_key.get(key)) is not None:
            previous.cancel()
        widgets = [w for w in disable if w is not None and w.isEnabled()]
        for widget in widgets:
            widget.setEnabled(False)
        task: asyncio.Task[T] = loop.create_task(self._guard(factory))
        op = Op(task, label, key, write)
        self._running.add(op)
        if key is not None:
            self._by_key[key] = op
        self._emit_activity()
        def again() -> Op:
            return self.run(factory, on_success=on_success, on_error=on_error, parent=parent,
                            label=label, key=key, disable=disable, network=network,
                            reauth=reauth, write=write)

        retry = again if reauth else None
        task.add_done_callback(
            lambda t: self._finished(op, lambda: self._tell(
                op, t, on_success, on_error, parent, widgets, network, retry))
        )
        return op

    def running_labels(self) -> list[str]:
        return [op.label for op in self._running if op.label]

    def running_writes(self) -> list[Op]:
        """The writes sent and not settled yet: running until their callbacks have run (the
        answer shown, its audit entry recorded)."""
        return [op for op in self._running if op.write and op.task is not None]

    def unsettled_writes(self) -> list[Op]:
        """``running_writes`` and the writes whose retry waits for the password prompt (the
        op ended with the expiry; it is sent again once the password is typed)."""
        return self.running_writes() + list(self._reauth_writes)

    async def finish_writes(self, timeout: float) -> bool:
        """Wait (on the loop, up to ``timeout`` s) until the writes running now and any
        started by their callbacks meanwhile are settled. True when none is left."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while writes := self.running_writes():
            left = deadline - loop.time()
            if left <= 0:
                return False
            tasks = [op.task for op in writes if op.task is not None]
            await asyncio.wait(tasks, timeout=left)
            await asyncio.sleep(0)  # OpRunner's done callbacks run before the check
        return True

    def is_busy(self, key: str | None = None) -> bool:
        if key is None:
            return bool(self._running)
        # Busy until its callbacks have run (the task is done a loop turn before that).
        return key in self._by_key

    def cancel(self, key: str) -> None:
        """Cancel the running op started with ``key``, if any."""
        op = self._by_key.get(key)
        if op is not None:
            op.cancel()

    def cancel_all(self) -> None:
        for op in list(self._running):
            op.cancel()

    async def aclose(self, timeout: float = 2.0) -> None:
        """Start no more ops, cancel the running ones and wait (up to ``timeout`` s) until
        they have unwound, so none is left to resume after the loop stops."""
        self._closed = True
        tasks = [op.task for op in self._running if op.task is not None]
        self.cancel_all()
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)

    # -- internals --------------------------------------------------------------------
    def _open_loop(self) -> asyncio.AbstractEventLoop | None:
        return None if self._closed else open_event_loop()

    @staticmethod
    async def _guard(factory: Callable[[], Awaitable[T]]) -> T:
        return await factory()

    @staticmethod
    def _finished(op: Op, tell: Callable[[], bool]) -> None:
        """``tell`` the op's asker (``_tell``); the op settles then, unless a password prompt
        took it over (it settles with its retry)."""
        handed = False
        try:
            handed = tell()
        finally:
            if not handed:
                op._settle()

    def _tell(
        self,
        op: Op,
        task: asyncio.Task[T],
        on_success: Callable[[T], None] | None,
        on_error: ErrorHandler | None,
        parent: QWidget | None,
        widgets: list[QWidget],
        network: bool,
        retry: Callable[[], Op] | None,
    ) -> bool:
        """Tell the asker how the op ended; True when a password prompt took it over."""
        self._running.discard(op)
        if op.key is not None and self._by_key.get(op.key) is op:
            del self._by_key[op.key]
        for widget in widgets:
            if isValid(widget):
                widget.setEnabled(True)
        if isValid(self):
            self._emit_activity()
        if task.cancelled():
            return False
        if parent is not None and not isValid(parent):
            return False  # the widget that asked is gone: nobody to tell
        exc = task.exception()
        if exc is None:
            if network:
                self._report_reached()
            if on_success is not None:
                self._call(on_success, task.result())
            return False
        # Imported at the first error: the runner is made before the sign-in window's first
        # paint, and that paint needs none of the error texts.
        from teller_app.core.supervisor_sign_in import SupervisorSignInRefused
        from teller_app.platform.errors import AuthError
        from teller_app.secrets.redaction import exception_line
        from teller_app.ui.error_text import friendly_message, is_connectivity_error

        if is_connectivity_error(exc):
            self._report_unreachable(exc)
        else:
            # the message may name a customer: only redacted and scrubbed of personal data
            log.info("op %r failed: %s", op.label, exception_line(exc))
        handler = on_error or self.default_error_handler

        def give_up() -> None:
            if handler is not None and (parent is None or isValid(parent)):
                self._call(handler, exc)
            elif handler is None:
                log.warning("unhandled op error: %s", friendly_message(exc))

        # a supervisor's refused sign-in at this desk is theirs: never the teller's prompt
        ours = isinstance(exc, AuthError) and not isinstance(exc, SupervisorSignInRefused)
        if retry is not None and ours and self.reauthenticate is not None:
            run_again = retry

            def again() -> None:
                self._reauth_writes.discard(op)
                if parent is not None and not isValid(parent):
                    op._settle()  # nobody to tell (a window waits for its writes first)
                else:
                    run_again().when_settled(op._settle)

            def gave_up() -> None:
                self._reauth_writes.discard(op)
                try:
                    give_up()
                finally:
                    op._settle()

            try:
                if self.reauthenticate(exc, again, gave_up):
                    if op.write and not op.settled:
                        self._reauth_writes.add(op)
                    return True  # a password prompt is open; the op runs again after it
            except Exception:
                log.exception("re-authentication prompt failed")
        give_up()
        return False

    def _call(self, callback: Callable[[T], None], value: T) -> None:
        # A bug in a callback must not vanish inside the loop: hand it to the excepthook.
        try:
            callback(value)
        except Exception as exc:
            from teller_app.ui.crash_handler import report_exception

            report_exception(type(exc), exc, exc.__traceback__)

    def _report_unreachable(self, exc: BaseException) -> None:
        self.connectivity_error.emit(exc)
        if self.connectivity is not None:
            self.connectivity.report_failure(exc)

    def _report_reached(self) -> None:
        self.platform_reached.emit()
        if self.connectivity is not None:
            self.connectivity.report_success()

    def _emit_activity(self) -> None:
        self.activity_changed.emit(self.running_labels())
