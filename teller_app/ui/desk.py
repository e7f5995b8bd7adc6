"""The desk's finish, plugged into the main window with one call (``install(window)``): menu
entries for the profile manager, settings, diagnostics, About and the F1 shortcuts sheet; the
title with profile and environment; the sandbox strip; remembered window state; live
re-translation of the window's menus."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QFileDialog,
    QLabel,
    QMenu,
    QWidget,
)

from teller_app.core.roles import Capability
from teller_app.ui import a11y, diagnostics, theme
from teller_app.ui.async_op import open_event_loop
from teller_app.ui.cache_wiring import retranslate_sync_line
from teller_app.ui.session_info import describe_employee
from teller_app.ui.settings_store import DeskSettings, load_settings, save_settings

if TYPE_CHECKING:
    from teller_app.ui.main_window import MainWindow
    from teller_app.ui.shortcuts import InboxButton

log = logging.getLogger(__name__)


class DeskHooks(QObject):
    """Owns the desk actions of one main window; re-translates them on LanguageChange."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.dialogs: dict[str, QWidget] = {}
        bar = window.menuBar()
        self.menu_help = QMenu(window)
        self.menu_help.setObjectName("menuHelp")
        bar.addMenu(self.menu_help)
        tools = window.menu_tools
        first = tools.actions()[0] if tools.actions() else None
        self.action_profiles = self._action("actionProfiles", [], self.open_profiles)
        self.action_settings = self._action("actionSettings", ["Ctrl+,"], self.open_settings)
        self.action_diagnostics = self._action("actionDiagnostics", [], self.save_diagnostics)
        self.action_shortcuts = self._action("actionShortcuts", ["F1"], self.open_shortcuts)
        self.action_about = self._action("actionAbout", [], self.open_about)
        for act in (self.action_profiles, self.action_settings, self.action_diagnostics):
            if first is None:
                tools.addAction(act)
            else:
                tools.insertAction(first, act)
        if first is not None:
            tools.insertSeparator(first)
        self.action_cash_in = self._action("actionCashIn", ["Ctrl+Shift+D"],
                                           lambda: self._cash("cash_deposit_button"))
        self.action_cash_out = self._action("actionCashOut", ["Ctrl+Shift+W"],
                                            lambda: self._cash("cash_withdrawal_button"))
        self.action_approve = self._action("actionApprove", ["Ctrl+Shift+A"],
                                           lambda: self._decide("approve_button"))
        self.action_reject = self._action("actionReject", ["Ctrl+Shift+R"],
                                          lambda: self._decide("reject_button"))
        customer = window.menu_customer
        customer.addSeparator()
        for act in (self.action_cash_in, self.action_cash_out, self.action_approve,
                    self.action_reject):
            customer.addAction(act)
        self.menu_help.addAction(self.action_shortcuts)
        self.menu_help.addSeparator()
        self.menu_help.addAction(self.action_about)
        self.strip = QLabel(window)
        self.strip.setObjectName("sandboxStrip")
        self.strip.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.strip.setWordWrap(True)  # one line held a narrow window (the inbox beside) wide
        self.strip.setStyleSheet(theme.sandbox_strip_style())
        self.strip.setVisible(self.is_sandbox)
        central = window.centralWidget()
        box = central.layout() if central is not None else None
        if isinstance(box, QBoxLayout):
            box.insertWidget(0, self.strip)
        from teller_app.ui import filter_bar

        self.filter_bar = filter_bar.install(window)
        window.session_switched.connect(lambda *_: self.apply_capabilities())
        self.apply_capabilities()
        self.settings: DeskSettings = load_settings()  # a few hundred bytes, before showing
        self._restored = False
        self._remembering: asyncio.Task[None] | None = None  # the window state being written
        self._restore_geometry()
        window.installEventFilter(self)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            a11y.install(app)
        self.retranslate()
        from teller_app.ui.settings import apply_settings

        apply_settings(self.settings, window, window.session, language_changed=False)

    def _action(self, object_name: str, keys: list[str],
                slot: Callable[[], object]) -> QAction:
        act = QAction(self.window)
        act.setObjectName(object_name)
        act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(lambda _checked=False: slot())
        return act

    @property
    def window(self) -> MainWindow:
        """The main window (the parent; not kept in an attribute: no reference cycle)."""
        return cast("MainWindow", self.parent())

    @property
    def is_sandbox(self) -> bool:
        return self.window.session.profile.is_sandbox

    def environment(self) -> str:
        profile = self.window.session.profile
        if self.is_sandbox:
            return self.tr("SANDBOX — demo data")
        return urlsplit(profile.base_url).hostname or profile.base_url

    def apply_title(self) -> None:
        name = self.window.profile_name or self.window.session.profile.name
        if self.is_sandbox and name.casefold() == "sandbox":
            name = ""  # "Teller — sandbox — SANDBOX — demo data" said it twice
        parts = ["Teller", name, self.environment()]
        self.window.setWindowTitle(" — ".join(p for p in parts if p))

    # -- language -------------------------------------------------------------------------
    def retranslate(self) -> None:
        w = self.window
        translate = QCoreApplication.translate
        w.menu_customer.setTitle(translate("MainWindow", "&Customer"))
        w.menu_tools.setTitle(translate("MainWindow", "&Tools"))
        w.action_new.setText(translate("MainWindow", "&New customer…"))
        w.action_find.setText(translate("MainWindow", "&Find customer"))
        w.action_close.setText(translate("MainWindow", "&Close tab"))
        w.action_sync.setText(translate("MainWindow", "&Sync now"))
        w.action_sign_out.setText(translate("MainWindow", "Sign &out"))
        w.action_quit.setText(translate("MainWindow", "&Quit"))
        w.tabs.setTabText(0, translate("MainWindow", "Search"))
        self.strip.setText(self.tr("SANDBOX — demo data. Nothing here is a real bank, "
                                   "customer or payment."))
        self.strip.setAccessibleName(self.strip.text())
        w.search_panel.table.setAccessibleName(self.tr("Customers found"))
        w.tabs.setAccessibleName(self.tr("Work tabs"))
        self.filter_bar.retranslate()
        panel = w.search_panel  # texts SearchPanel/MainWindow set once, in their contexts
        panel.search_box.setPlaceholderText(translate(
            "SearchPanel", "Search: surname, name, login, phone or IBAN (Ctrl+F)"))
        panel.branch_filter.setToolTip(translate("SearchPanel", "Show customers of one branch"))
        panel._update_summary()
        panel.model.retranslate()  # the results' cached texts ("active", "retail")
        w._set_online(not w._offline)
        retranslate_sync_line(w)  # "Synced 12:49" and the like, in the new language
        w.employee_label.setText(describe_employee(w.session))  # its role names
        self.apply_title()
        self.menu_help.setTitle(self.tr("&Help"))
        self.action_profiles.setText(self.tr("&Profiles…"))
        self.action_settings.setText(self.tr("S&ettings…"))
        self.action_diagnostics.setText(self.tr("Save &diagnostics…"))
        self.action_shortcuts.setText(self.tr("&Keyboard shortcuts"))
        self.action_about.setText(self.tr("&About Teller"))
        self.action_cash_in.setText(self.tr("Cash &deposit…"))
        self.action_cash_out.setText(self.tr("Cash &withdrawal…"))
        self.action_approve.setText(self.tr("&Approve the selected request"))
        self.action_reject.setText(self.tr("&Reject the selected request"))

    def apply_capabilities(self) -> None:
        """Approve/Reject only for those who decide requests (a teller never sees them)."""
        decide = self.window.session.can(Capability.DECIDE_APPROVALS)
        for act in (self.action_approve, self.action_reject):
            act.setVisible(decide)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window:
            kind = event.type()
            if kind == QEvent.Type.LanguageChange:
                self.retranslate()
            elif kind == QEvent.Type.Show:
                self.apply_title()  # after start-up's own title
                from teller_app.ui.lock_modes import add_sign_out

                add_sign_out(self.window)  # the lock screen exists once supervision is in
                self._restore_columns()
            elif kind == QEvent.Type.Close:
                self.remember_window_soon()
        return super().eventFilter(watched, event)

    # -- window state ---------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        saved = self.settings.window
        if geometry := saved.get("geometry"):
            self.window.restoreGeometry(QByteArray(base64.b64decode(geometry)))
        if state := saved.get("state"):
            self.window.restoreState(QByteArray(base64.b64decode(state)))

    def _restore_columns(self) -> None:
        if self._restored:
            return
        self._restored = True
        if header := self.settings.window.get("results_header"):
            from teller_app.ui.fit_columns import SpareWidthToNames

            table = self.window.search_panel.table
            state = QByteArray(base64.b64decode(header))
            if (fitter := table.findChild(SpareWidthToNames)) is not None:
                fitter.restore(state)  # dragged widths kept, the rest fitted
            else:
                table.horizontalHeader().restoreState(state)

    def window_state(self) -> dict[str, str]:
        def b64(data: QByteArray) -> str:
            return base64.b64encode(bytes(data.data())).decode("ascii")

        w = self.window
        return {"geometry": b64(w.saveGeometry()), "state": b64(w.saveState()),
                "results_header": b64(w.search_panel.table.horizontalHeader().saveState())}

    def remember_window(self) -> None:
        """Write the window state now, on this thread (no event loop to hand it to)."""
        _write_window_state(self.window_state())

    def remember_window_soon(self) -> None:
        """At close: the state is taken here (Qt), the settings file is read and written
        (fsync, replace) on a worker thread; ``MainWindow.shutdown`` awaits it, so it is on
        disk before the app ends (and the loop's close waits for its thread regardless)."""
        state = self.window_state()
        loop = open_event_loop()
        if loop is None or not loop.is_running():
            _write_window_state(state)
            return
        self._remembering = loop.create_task(_remember(self._remembering, state))

    async def wait_remembered(self) -> None:
        """Until the last window state handed to the worker thread is written."""
        task = self._remembering
        if task is not None and not task.done():
            await asyncio.wait([task])

    # -- keyboard -------------------------------------------------------------------------
    def _cash(self, button: str) -> None:
        from teller_app.ui.shortcuts import click_in_current_card

        if not click_in_current_card(self.window, button):
            self.window.statusBar().showMessage(self.tr(
                "Open a customer card to take or pay out cash."), 5000)

    def _decide(self, button: InboxButton) -> None:
        from teller_app.ui.shortcuts import click_in_inbox

        supervision = self.window.supervision
        inbox = supervision.inbox if supervision is not None else None
        in_sight = inbox is not None and inbox.isVisible()
        if click_in_inbox(self.window, button):
            return
        if in_sight and inbox is not None and inbox.selected_request() is not None:
            # its button is off while the request is read again or a decision is on its way
            self.window.statusBar().showMessage(self.tr(
                "The selected request is being read again or decided. Try again in a "
                "moment."), 5000)
        else:
            self.window.statusBar().showMessage(self.tr(
                "Select a request in the approvals inbox first."), 5000)

    # -- dialogs --------------------------------------------------------------------------
    def _single(self, key: str, make: Callable[[], QWidget]) -> QWidget:
        """One dialog of a kind at a time: shown again rather than opened twice."""
        from shiboken6 import isValid

        from teller_app.ui.lock_guard import is_parked

        dialog = self.dialogs.get(key)
        if (dialog is not None and isValid(dialog) and not dialog.isVisible()
                and not is_parked(dialog)):  # the lock's hidden dialogs come back as they were
            # Closed (or closing): valid only until its deferred delete runs, so showing it
            # again would hand back a dialog about to vanish. Make a new one instead.
            dialog.deleteLater()
            dialog = None
        if dialog is None or not isValid(dialog):
            dialog = make()
            self.dialogs[key] = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def open_profiles(self) -> QWidget:
        from teller_app.ui.profile_manager import ProfileManagerDialog

        def make() -> QWidget:
            dialog = ProfileManagerDialog(self.window.ops, parent=self.window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            return dialog

        return self._single("profiles", make)

    def open_settings(self) -> QWidget:
        from teller_app.ui.settings import SettingsDialog

        def make() -> QWidget:
            dialog = SettingsDialog(self.window.ops, self.window.session, self.window,
                                    parent=self.window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.applied.connect(self._settings_applied)
            return dialog

        return self._single("settings", make)

    def _settings_applied(self, settings: DeskSettings) -> None:
        settings.window = self.settings.window
        self.settings = settings

    def save_diagnostics(self, path: Path | None = None) -> None:
        """Asks where (a non-blocking file dialog) unless ``path`` is given."""
        if path is None:
            dialog = QFileDialog(self.window, self.tr("Save diagnostics"))
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setNameFilter(self.tr("Zip archives (*.zip)"))
            dialog.setDefaultSuffix("zip")
            dialog.selectFile(str(Path.home() / diagnostics.default_name()))
            dialog.fileSelected.connect(lambda f: self.save_diagnostics(Path(f)))
            dialog.open()
            self.dialogs["diagnostics-file"] = dialog
            return
        from teller_app.ui.about import versions

        facts = diagnostics.session_facts(self.window.session)
        self.window.ops.run(
            lambda: asyncio.to_thread(  # versions() reads package metadata: off-thread too
                lambda: diagnostics.build_zip(path, versions=versions(), session=facts)),
            on_success=lambda p: self.window.banner.show_message(self.tr(
                "Diagnostics saved to {path} (no passwords or tokens).").format(path=str(p)),
                "success"),
            label=self.tr("Saving diagnostics…"), network=False, key="diagnostics")

    def open_shortcuts(self) -> QWidget:
        from teller_app.ui.shortcuts import ShortcutsSheet

        def make() -> QWidget:
            sheet = ShortcutsSheet(self.window)
            sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            return sheet

        return self._single("shortcuts", make)

    def open_about(self) -> QWidget:
        from teller_app.ui.about import AboutDialog

        def make() -> QWidget:
            dialog = AboutDialog(self.window.session, self.window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            return dialog

        return self._single("about", make)


def _write_window_state(state: dict[str, str]) -> None:
    try:
        settings = load_settings()
        settings.window = state
        save_settings(settings)
    except OSError as exc:
        log.warning("window state not saved: %s", type(exc).__name__)


async def _remember(previous: asyncio.Task[None] | None, state: dict[str, str]) -> None:
    if previous is not None and not previous.done():
        await asyncio.wait([previous])  # one writer at a time, the newest state last
    try:
        await asyncio.to_thread(_write_window_state, state)
    except Exception:  # never "exception never retrieved" at exit
        log.exception("window state not saved")


def install(window: MainWindow) -> DeskHooks:
    hooks = DeskHooks(window)
    window.desk = hooks
    return hooks
