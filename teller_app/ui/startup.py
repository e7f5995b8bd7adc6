"""Application start-up and lifetime: Qt + qasync, language, embedded sandbox, sign-in,
main window, sign-out, and a clean exit (sandbox stopped, sessions closed).

Sign-in flow: profiles are read off the UI thread -> with ``--profile`` that profile, else
the saved profiles (a user with none: the machine's, when its policy names a profiles file),
else the embedded sandbox is started (a child process, in a thread) and its demo employees are
offered, unless the machine's policy turns the demo off (then "ask IT", ``ui/no_profile.py``)
-> SignInDialog runs ``ui/sign_in.sign_in`` through the ops
runner (core.session.open_session: login + whoami + branch) -> the branch cache is opened
for the employee's scope -> MainWindow (``ui/start_main_window.py``). Sign-out closes the
session and shows sign-in again.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import logging
import logging.handlers
import shutil
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from teller_app.ui.async_op import OpRunner
from teller_app.ui.i18n import choose_language, install_translators
from teller_app.ui.sign_in_dialog import SignInDialog
from teller_app.ui.start_early import StartDirs, choose_dirs
from teller_app.ui.start_warmup import AfterFirstPaint, warm_embedded_imports, warm_sign_in_imports

if TYPE_CHECKING:  # the embedded stack (and its HTTP client) loads only when it is started
    from teller_app.core.embedded_start import EarlyStart, EmbeddedStack
    from teller_app.core.machine_policy import MachinePolicy
    from teller_app.core.session import Session

    # Profiles (pydantic, ~110 ms) load right after the sign-in window is painted; the
    # error texts and the sign-in targets are not needed for that paint either.
    from teller_app.secrets.profiles import Profile, ProfileStore
    from teller_app.ui.demo_onboarding import DemoOnboarding
    from teller_app.ui.main_window import MainWindow
    from teller_app.ui.sign_in import SignInTarget

log = logging.getLogger("teller_app")
SMOKE_EMPLOYEE = "teller.kyiv@demo.bank"


class AppController(QObject):
    """Owns the windows, the sandbox process and the session for one app run."""

    def __init__(self, app: QApplication, args: argparse.Namespace,
                 started_at: float | Callable[[], float], *, dirs: StartDirs | None = None,
                 early: EarlyStart | None = None) -> None:
        super().__init__(app)
        self._dirs = dirs  # chosen before Qt loaded (ui/start_early.py), or by begin()
        self.early = early  # the embedded stack, already starting
        self.app = app
        self.args = args
        self._started_at = started_at
        self.ops = OpRunner(self)
        self.sandbox: EmbeddedStack | None = None  # embedded sandbox + hub
        self.dialog: SignInDialog | None = None
        self.window: MainWindow | None = None
        self.splash: QWidget | None = None
        self.targets: list[SignInTarget] = []
        self.profiles: ProfileStore | None = None
        self.done: asyncio.Future[int] = asyncio.get_event_loop().create_future()
        self.temp_dir: Path | None = None
        self.data: Path | None = None  # the data dir, once begin() ran
        self.policy: MachinePolicy | None = None  # the machine's, once begin() ran
        self.onboarding: DemoOnboarding | None = None  # the embedded stack's demo secrets
        self._smoke_said = False  # the smoke test's "ready" line is printed once

    @property
    def started_at(self) -> float:
        """When the process started (epoch seconds); asked only by the smoke test."""
        if callable(self._started_at):
            self._started_at = self._started_at()
        return self._started_at

    # -- start ----------------------------------------------------------------------------
    async def start(self) -> None:
        try:
            await self._start()
        except Exception as exc:
            self.start_failed(exc)

    def start_failed(self, exc: BaseException) -> None:
        """Called in the ``except`` block of whatever part of the start failed."""
        log.exception("start-up failed")
        from teller_app.ui.error_text import safe_text

        self._fatal(self.tr("Teller could not start: {error}").format(error=safe_text(exc)))

    def begin(self) -> bool:
        """With saved profiles, the sign-in window is shown from the plain profiles file (no
        pydantic) and filled with the validated profiles after its first paint
        (_fill_sign_in). run() calls this before the event loop turns, so the paint also
        precedes the loop's first callback (qasync's timer calls build the Qt namespace's
        enums, ~20 ms). True when the window is shown (the rest follows its paint)."""
        if self.data is not None:
            return self.dialog is not None
        self.data = self._data_dir()
        from teller_app.secrets.profiles_raw import read_preview

        preview = read_preview(self.args.profile)
        machine = self.policy.profiles_file if self.policy is not None else None
        # (no --profile: the read above was the user's whole file, none there already)
        if preview is None and machine is not None and (
                self.args.profile is None or read_preview(None) is None):
            preview = read_preview(self.args.profile, machine)  # a user with no profiles
        if preview is not None:
            install_translators(self.app, choose_language(self.args.lang, preview.language))
            self.show_sign_in(pending=(preview.names, preview.email))
        return self.dialog is not None

    async def _start(self) -> None:
        self.begin()
        if self.dialog is None:  # no saved profiles (or not plainly readable)
            assert self.data is not None
            await self._start_validated(self.data, show=True)

    async def _fill_sign_in(self) -> None:
        """After the first paint: read and validate the profiles, then fill the window (or,
        when they do not validate, what _start_validated says instead of it)."""
        try:
            assert self.data is not None
            filled = await self._start_validated(self.data, show=False)
        except Exception as exc:
            self.start_failed(exc)
            filled = False
        if filled and self.dialog is not None:
            self.dialog.set_targets(self.targets)
        elif self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.hide()
            dialog.deleteLater()
        warm_sign_in_imports()

    async def _start_validated(self, data: Path, *, show: bool) -> bool:
        """The profiles file read the full way -> ``self.targets`` (the embedded sandbox's
        when there are no profiles). With ``show``, the language is chosen and the sign-in
        window shown here. True when the targets are set."""
        from teller_app.secrets.profiles import ProfileStore
        from teller_app.ui.sign_in import SignInTarget, sandbox_target

        self.profiles = ProfileStore()
        try:
            profiles = await asyncio.to_thread(self._read_profiles)
        except (OSError, ValueError) as exc:  # never a silent fallback to the sandbox
            from teller_app.ui.profile_manager_recovery import unreadable_profiles

            self._discard_early()

            if show:
                install_translators(self.app, choose_language(self.args.lang, None))
            unreadable_profiles(self, self.profiles, exc)
            return False
        chosen = self._chosen_profile(profiles)
        if show:
            lang = choose_language(self.args.lang, chosen.language if chosen else None)
            install_translators(self.app, lang)
        if self.args.profile and chosen is None:
            self._fatal(self.tr("There is no profile named {name}.").format(
                name=self.args.profile))
            return False
        if chosen is not None:
            self._discard_early()
            self.targets = [SignInTarget(chosen)] + [
                SignInTarget(p) for p in profiles if p.name != chosen.name and
                not self.args.profile]
        elif self.policy is not None and not self.policy.embedded_demo:
            from teller_app.ui.no_profile import no_profile

            self._discard_early()
            no_profile(self, self.profiles)  # IT turned the demo off on this machine
            return False
        else:
            self._show_splash(self.tr("Starting the sandbox…"))
            assert self.splash is not None
            # The sandbox and hub take a second or more: what signing in and the main window
            # need is imported meanwhile (once the splash is painted), not after them.
            AfterFirstPaint(self.splash, warm_embedded_imports)
            try:
                self.sandbox = stack = await self._embedded_stack(data)
                atexit.register(stack.stop)
                from teller_app.ui.demo_onboarding import DemoOnboarding

                self.onboarding = DemoOnboarding(stack, self.ops)
            except Exception as exc:
                log.exception("embedded sandbox did not start")
                from teller_app.ui.error_text import safe_text

                self._fatal(self.tr("The sandbox did not start: {error}").format(
                    error=safe_text(exc)))
                return False
            finally:
                self._close_splash()
            self.targets = [sandbox_target(stack.sandbox.manifest, stack.hub_url)]
        if show:
            self.show_sign_in()
        return True

    async def _embedded_stack(self, data: Path) -> EmbeddedStack:
        if self.early is not None:
            early, self.early = self.early, None
            return await asyncio.wrap_future(early.future)
        from teller_app.core.embedded_start import start_embedded
        from teller_app.secrets.store import preload_keyring

        # keyring's modules load here, on the UI thread (imports racing on two threads can
        # deadlock; ~50 ms, once): start_embedded then only uses them
        preload_keyring()
        loaded = threading.Event()
        loaded.set()
        return await asyncio.to_thread(start_embedded, data, keyring_loaded=loaded)

    def _discard_early(self) -> None:
        if self.early is not None:
            self.early.discard()
            self.early = None

    def _data_dir(self) -> Path:
        dirs = self._dirs or choose_dirs(self.args)
        self.temp_dir = dirs.temp_dir
        self.policy = dirs.policy
        for warning in dirs.policy.warnings:
            log.warning("%s", warning)
        return dirs.data

    def _read_profiles(self) -> list[Profile]:
        assert self.profiles is not None
        try:
            profiles = self.profiles.list()
            last = self.profiles.last_profile
        except (OSError, ValueError) as exc:
            log.warning("profiles file unreadable: %s", exc)
            raise
        profiles.sort(key=lambda p: p.name != last)
        if not profiles and self.policy is not None and self.policy.profiles_file:
            from teller_app.core.machine_policy import read_machine_profiles

            machine = read_machine_profiles(self.policy)  # IT's, read-only, in its order
            if machine.warning:
                log.warning("%s", machine.warning)
            return machine.profiles
        return profiles

    def _chosen_profile(self, profiles: list[Profile]) -> Profile | None:
        if self.args.profile:
            return next((p for p in profiles if p.name == self.args.profile), None)
        return profiles[0] if profiles else None

    # -- sign-in and main window ----------------------------------------------------------
    def show_sign_in(self, pending: tuple[list[str], str] | None = None) -> None:
        """The sign-in window; with ``pending`` (profile names, e-mail) it is painted before
        the profiles are validated and filled right after the paint."""
        dialog = SignInDialog(self.targets, self.ops, profiles=self.profiles)
        dialog.signed_in.connect(self._signed_in)
        dialog.rejected.connect(self._sign_in_cancelled)
        self.dialog = dialog
        if pending is not None:
            dialog.show_pending(*pending)
            AfterFirstPaint(dialog, self._fill_after_paint)
        else:
            AfterFirstPaint(dialog, warm_sign_in_imports)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        if self.args.smoke_test:
            dialog.choose_demo(SMOKE_EMPLOYEE)
            dialog.submit()

    def _sign_in_cancelled(self) -> None:
        if self.window is None:  # nobody is signed in: the app ends
            self.quit(0)

    def _fill_after_paint(self) -> None:
        self._fill_task = asyncio.ensure_future(self._fill_sign_in())

    def _signed_in(self, session: Session, target: SignInTarget) -> None:
        from teller_app.ui.cache_wiring import open_branch_cache
        from teller_app.ui.start_main_window import open_main

        self.ops.run(
            lambda: open_branch_cache(session),
            on_success=lambda cache: open_main(self, session, target, cache),
            on_error=lambda exc: open_main(self, session, target, None, exc),
            label=self.tr("Opening the branch cache…"),
            network=False,
        )

    # -- smoke test -----------------------------------------------------------------------
    def smoke_ready(self, window: MainWindow) -> None:
        # results_shown can fire again (cache, then server) before the close below lands
        if window.search_panel.model.rowCount() == 0 or self.done.done() or self._smoke_said:
            return
        self._smoke_said = True
        window.search_panel.table.viewport().repaint()  # the rows are painted now
        elapsed = (time.time() - self.started_at) * 1000
        print(f"ready in {elapsed:.0f} ms", flush=True)
        QTimer.singleShot(0, window.close)

    # -- ending ---------------------------------------------------------------------------
    def _show_splash(self, text: str) -> None:
        label = QLabel(text)
        label.setMargin(24)
        label.setWindowTitle(self.tr("Teller"))
        label.show()
        self.splash = label

    def _close_splash(self) -> None:
        if self.splash is not None:
            self.splash.close()
            self.splash.deleteLater()
            self.splash = None

    def _fatal(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Critical, self.tr("Teller"), text)
        box.finished.connect(lambda _r: self.quit(2))
        if self.args.smoke_test:
            self.quit(2)
        else:
            box.open()
            self._fatal_box = box

    def quit(self, code: int) -> None:
        if not self.done.done():
            self.done.set_result(code)

    def cleanup(self) -> None:
        self.ops.cancel_all()  # when the loop ended before start_run's ops.aclose()
        self._discard_early()
        if self.sandbox is not None:
            self.sandbox.stop()
        if self.temp_dir is not None:
            from teller_app.core.embedded_keys import forget_hub_keys
            from teller_app.core.embedded_start import hub_dir

            # the smoke test's hub keys leave the OS keyring with its data (the loop is over)
            forget_hub_keys(hub_dir(self.temp_dir / "data"))
            shutil.rmtree(self.temp_dir, ignore_errors=True)
