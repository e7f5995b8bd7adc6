"""Keyboard and accessibility: each dialog walked with Tab only reaches every enabled control;
every input has a buddy label and an accessible name; tables are named; cash and approval
actions have shortcuts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from teller_app.secrets import ProfileStore
from teller_app.ui import a11y
from teller_app.ui.about import AboutDialog
from teller_app.ui.profile_manager import ProfileManagerDialog
from teller_app.ui.settings import SettingsDialog
from teller_app.ui.shortcuts import ShortcutsSheet
from teller_app.ui.sign_in import sandbox_target
from teller_app.ui.sign_in_dialog import SignInDialog


def _focusable(dialog: QWidget) -> set[QWidget]:
    out = set()
    for w in dialog.findChildren(QWidget):
        if (w.isVisibleTo(dialog) and w.isEnabled() and w.window() is dialog
                and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.focusProxy() is None
                and not isinstance(w.parentWidget(), QComboBox | QSpinBox)):
            out.add(w)
    return out


def _owner(w: QWidget, wanted: set[QWidget]) -> QWidget:
    while w is not None and w not in wanted:
        w = w.parentWidget()
    return w


def walk_with_tab(qtbot, dialog: QWidget) -> tuple[set[QWidget], set[QWidget]]:  # type: ignore[no-untyped-def]
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    wanted = _focusable(dialog)
    first = sorted(wanted, key=lambda w: w.objectName())[0]
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    reached: set[QWidget] = set()
    for _ in range(4 * len(wanted) + 10):
        focus = QApplication.focusWidget()
        owner = _owner(focus, wanted)
        if owner is not None:
            reached.add(owner)
        if reached >= wanted:
            break
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
    return wanted, reached


def _names(widgets: set[QWidget]) -> list[str]:
    return sorted(f"{type(w).__name__}:{w.objectName()}" for w in widgets)


def assert_labelled(dialog: QWidget) -> None:
    for form in dialog.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is None or field is None or not isinstance(label.widget(), QLabel):
                continue
            if not label.widget().text():
                continue
            buddy = label.widget().buddy()
            assert buddy is not None, f"no buddy for {label.widget().text()!r}"
            assert buddy.accessibleName(), f"no accessible name for {label.widget().text()!r}"
    for w in dialog.findChildren(QWidget):
        if not isinstance(w, QLineEdit | QComboBox | QSpinBox | QAbstractItemView):
            continue
        if w.isVisibleTo(dialog) and not isinstance(w.parentWidget(), QComboBox | QSpinBox):
            assert w.accessibleName(), f"{type(w).__name__} {w.objectName()} has no name"


def test_profile_manager_tab_walk_and_labels(qtbot, ops):  # type: ignore[no-untyped-def]
    dialog = ProfileManagerDialog(ops, ProfileStore())
    qtbot.addWidget(dialog)
    a11y.tie_labels(dialog)
    wanted, reached = walk_with_tab(qtbot, dialog)
    assert reached >= wanted, _names(wanted - reached)
    assert len(wanted) >= 15
    assert_labelled(dialog)


def test_settings_about_and_shortcuts_tab_walk(qtbot, main_window):  # type: ignore[no-untyped-def]
    for dialog in (main_window.desk.open_settings(), main_window.desk.open_about(),
                   main_window.desk.open_shortcuts()):
        assert isinstance(dialog, SettingsDialog | AboutDialog | ShortcutsSheet)
        wanted, reached = walk_with_tab(qtbot, dialog)
        assert reached >= wanted, (type(dialog).__name__, _names(wanted - reached))
        assert_labelled(dialog)
        dialog.close()


def test_sign_in_tab_walk_and_labels(qtbot, ops, sandbox):  # type: ignore[no-untyped-def]
    dialog = SignInDialog([sandbox_target(sandbox.manifest)], ops)
    qtbot.addWidget(dialog)
    a11y.install(QApplication.instance())  # type: ignore[arg-type]
    wanted, reached = walk_with_tab(qtbot, dialog)
    assert reached >= wanted, _names(wanted - reached)
    assert dialog.profiles_button in reached
    assert_labelled(dialog)


def test_main_window_tables_named_and_cash_approval_shortcuts(qtbot, main_window):  # type: ignore[no-untyped-def]
    window = main_window
    a11y.tie_labels(window)
    for view in window.findChildren(QAbstractItemView):
        if view.isVisibleTo(window):
            assert view.accessibleName(), view.objectName()
    desk = window.desk
    keys = {a.objectName(): a.shortcut().toString() for a in (
        desk.action_cash_in, desk.action_cash_out, desk.action_approve, desk.action_reject)}
    assert keys == {"actionCashIn": "Ctrl+Shift+D", "actionCashOut": "Ctrl+Shift+W",
                    "actionApprove": "Ctrl+Shift+A", "actionReject": "Ctrl+Shift+R"}
    # With no customer card open, the cash shortcut explains itself instead of failing.
    desk.action_cash_in.trigger()
    assert "customer card" in window.statusBar().currentMessage()


def test_customer_form_fields_are_labelled_and_reachable_by_tab(qtbot, main_window):  # type: ignore[no-untyped-def]
    form = main_window.new_customer()
    assert form is not None
    a11y.tie_labels(main_window)
    assert_labelled(form)
    wanted = {w for w in _focusable(main_window) if form.isAncestorOf(w)}
    assert len(wanted) >= 5
    form.first_field().setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    reached: set[QWidget] = set()
    for _ in range(4 * len(wanted) + 10):
        owner = _owner(QApplication.focusWidget(), wanted)
        if owner is not None:
            reached.add(owner)
        if reached >= wanted:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert reached >= wanted, _names(wanted - reached)
