"""The main window's chrome: the menus (Customer, Tools) and the status bar (what is running,
online or offline with the banner that says so, the sync state, who is signed in); errors
nobody handled go to the banner. A mixin of ``MainWindow``; strings keep the ``MainWindow``
translation context. The status bar's texts give way to the window (``StatusLabel``): none
may hold it wider than the screen."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QProgressBar, QStatusBar, QWidget

from teller_app.ui import theme
from teller_app.ui.banner import Banner
from teller_app.ui.error_text import friendly_message, is_connectivity_error
from teller_app.ui.untrusted import plain_label, tip

STATUS_MIN_CHARS = 6  # what a status text keeps at the least (then "…")


class StatusLabel(QLabel):
    """A status bar text on one line that gives way: narrower than its text, it shows the text
    cut with "…", and its tooltip the whole of it; ``text()`` and its accessible name are
    always the whole text. At 150 % and a 14 pt font the signed-in employee and the running
    task alone held the main window 1006 px wide on a 911 px screen, past its right edge."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        plain_label(self, wrap=False)  # the platform's or the hub's names: never markup

    def setText(self, text: str, /) -> None:
        super().setText(text)
        self.setAccessibleName(text)
        self._tip_if_cut()

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        least = self.fontMetrics().averageCharWidth() * STATUS_MIN_CHARS
        return QSize(min(hint.width(), least), hint.height())

    def _cut(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def _tip_if_cut(self) -> None:
        self.setToolTip(tip(self.text()) if self._cut() else "")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._tip_if_cut()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._cut():
            super().paintEvent(event)
            return
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                              rect.width())
        painter = QPainter(self)
        self.style().drawItemText(painter, rect, int(self.alignment()), self.palette(),
                                  self.isEnabled(), shown, self.foregroundRole())
        painter.end()


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
        self.busy_label = StatusLabel(self)
        self.busy_label.setObjectName("busyLabel")
        self.busy_label.hide()
        self.online_label = QLabel(self)  # a word: it keeps its width
        self.online_label.setObjectName("onlineLabel")
        self.sync_label = StatusLabel(self)
        self.sync_label.setObjectName("syncLabel")
        # the platform's or the hub's names (session_info.describe_employee)
        self.employee_label = StatusLabel(self)
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
