"""The main window's status bar: what is running, online or offline (with the banner that
says so), the sync state and who is signed in; errors nobody handled go to the banner.
A mixin of ``MainWindow``; strings keep the ``MainWindow`` translation context."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QStatusBar

from teller_app.ui import theme
from teller_app.ui.banner import Banner
from teller_app.ui.error_text import friendly_message, is_connectivity_error


class MainWindowChrome(QMainWindow):
    # set by MainWindow.__init__
    banner: Banner
    _offline: bool

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
        self.employee_label = QLabel(self)
        self.employee_label.setObjectName("employeeLabel")
        # Permanent (right-hand) widgets: the left part is the message area, where
        # showMessage() text would otherwise be painted under a visible busy bar.
        self.status_bar.addPermanentWidget(self.busy_bar)
        self.status_bar.addPermanentWidget(self.busy_label)
        self.status_bar.addPermanentWidget(self.sync_label)
        self.status_bar.addPermanentWidget(self.online_label)
        self.status_bar.addPermanentWidget(self.employee_label)
        self._set_online(True)

    def _activity_changed(self, labels: list[str]) -> None:
        self.busy_bar.setVisible(bool(labels))
        self.busy_label.setVisible(bool(labels))
        self.busy_label.setText(labels[-1] if labels else "")

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

    def _sync_progress(self, done: int, total: int) -> None:
        self.sync_label.setText(QCoreApplication.translate(
            "MainWindow", "Syncing… {done} of {total}").format(done=done, total=total))

    def _sync_failed(self, exc: BaseException) -> None:
        self.sync_label.setText(QCoreApplication.translate("MainWindow", "Sync failed"))
        if not is_connectivity_error(exc):  # offline already has its own banner
            self._show_error(exc)
