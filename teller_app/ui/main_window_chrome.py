"""The main window's chrome: the menus (Customer, Tools) and the status bar (what is running,
online or offline with the banner that says so, the sync state, who is signed in); errors
nobody handled go to the banner. A mixin of ``MainWindow``; strings keep the ``MainWindow``
translation context."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QProgressBar, QStatusBar

from teller_app.ui import theme
from teller_app.ui.banner import Banner
from teller_app.ui.error_text import friendly_message, is_connectivity_error
from teller_app.ui.untrusted import plain_label


class MainWindowChrome(QMainWindow):
    # set by MainWindow.__init__
    banner: Banner
    _offline: bool
    # What the sync line says (cache_wiring.show_sync_line): remade on a language switch.
    sync_line: tuple[str, tuple[float, ...]] | None = None

    def _build_status_bar(self) -> None:
        self.status_bar = QStatusBar(self)
        self.setStatusBar(self.status_bar)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(90)
        self.busy_bar.setMaximumHeight(12)
        self.busy_bar.hide()
        self.busy_label = QLabel(self)
        self.busy_label.setObjectName("busyLabel")
        self.busy_label.hide()
        self.online_label = QLabel(self)
        self.online_label.setObjectName("onlineLabel")
        self.sync_label = QLabel(self)
        self.sync_label.setObjectName("syncLabel")
        # the platform's or the hub's names (session_info.describe_employee): never markup
        self.employee_label = plain_label(QLabel(self), wrap=False)
        self.employee_label.setObjectName("employeeLabel")
        # Permanent (right-hand) widgets: the left part is the message area, where
        # showMessage() text would otherwise be painted under a visible busy bar.
        self.status_bar.addPermanentWidget(self.busy_bar)
        self.status_bar.addPermanentWidget(self.busy_label)
        self.status_bar.addPermanentWidget(self.sync_label)
        self.status_bar.addPermanentWidget(self.online_label)
        self.status_bar.addPermanentWidget(self.employee_label)
        self._set_online(True)

    def _build_menus(self, *, new_customer: Callable[[], object], find: Callable[[], object],
                     close_tab: Callable[[], object], sync_now: Callable[[], object],
                     sign_out: Callable[[], object]) -> None:
        bar = self.menuBar()
        self.menu_customer = bar.addMenu(QCoreApplication.translate("MainWindow", "&Customer"))
        self.menu_tools = bar.addMenu(QCoreApplication.translate("MainWindow", "&Tools"))

        def action(menu: QMenu, text: str, keys: list[str],
                   slot: Callable[[], object]) -> QAction:
            act = QAction(text, self)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(lambda _checked=False: slot())
            menu.addAction(act)
            return act

        customer, tools = self.menu_customer, self.menu_tools
        self.action_new = action(customer, QCoreApplication.translate(
            "MainWindow", "&New customer…"), ["Ctrl+N"], new_customer)
        self.action_find = action(customer, QCoreApplication.translate(
            "MainWindow", "&Find customer"), ["Ctrl+F", "F3"], find)
        self.action_close = action(customer, QCoreApplication.translate(
            "MainWindow", "&Close tab"), ["Ctrl+W"], close_tab)
        self.action_sync = action(tools, QCoreApplication.translate(
            "MainWindow", "&Sync now"), ["F5"], sync_now)
        tools.addSeparator()
        self.action_sign_out = action(tools, QCoreApplication.translate(
            "MainWindow", "Sign &out"), [], sign_out)
        self.action_quit = action(tools, QCoreApplication.translate(
            "MainWindow", "&Quit"), ["Ctrl+Q"], self.close)

    def _activity_changed(self, labels: list[str]) -> None:
        self.busy_bar.setVisible(bool(labels))
        self.busy_label.setVisible(bool(labels))
        self.busy_label.setText(labels[-1] if labels else "")

    # the app's runner's signals (MainWindow.__init__): bound methods, dropped with the window
    def _connectivity_lost(self, _exc: object) -> None:
        self._set_online(False)

    def _platform_reached(self) -> None:
        self._set_online(True)

    def _set_online(self, online: bool) -> None:
        was_offline = self._offline
        self._offline = not online
        if online:
            self.online_label.setText(QCoreApplication.translate("MainWindow", "● online"))
            self.online_label.setStyleSheet(f"color: {theme.ok_color().name()};")
            if was_offline and self.banner.level == "warning":
                self.banner.clear()
        else:
            self.online_label.setText(QCoreApplication.translate("MainWindow", "● offline"))
            self.online_label.setStyleSheet(theme.error_style())
            self.banner.show_message(QCoreApplication.translate(
                "MainWindow", "The platform cannot be reached. Search shows saved data; "
                "changes wait until the connection is back."), "warning")

    def _show_error(self, exc: BaseException) -> None:
        self.banner.show_message(friendly_message(exc), "error")

    def _show_sync(self, kind: str, *values: float) -> None:
        from teller_app.ui.cache_wiring import show_sync_line

        show_sync_line(self, kind, *values)

    def _sync_progress(self, done: int, total: int) -> None:
        self._show_sync("progress", done, total)

    def _sync_failed(self, exc: BaseException) -> None:
        self._show_sync("failed")
        if not is_connectivity_error(exc):  # offline already has its own banner
            self._show_error(exc)
