"""Accessibility for every window, without touching each form: when a window or dialog is
activated, each QFormLayout row's label becomes its field's buddy (Alt+mnemonic focuses the field)
and the field's accessible name (what a screen reader says); inputs outside forms are named
from their placeholder or tooltip, and tables (any item view) from their tooltip, their own
label (a buddy; the group box or dock they sit in) or else their own window's title: never the
title of a window that only holds their dialog (the main window activated first reaches every
child dialog's tables too). A name given here follows its source on the next activation (a
language switch, a dock's count); a name set by the code is never touched.

``install(app)`` once (start-up and the main window do it); ``tie_labels(widget)`` for a
widget tree built later (tests call it too)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from teller_app.ui.a11y_form import plain

INPUTS = (QLineEdit, QComboBox, QAbstractSpinBox, QTextEdit, QPlainTextEdit)
AUTO_NAME = "a11yAutoName"  # property: the accessible name this module gave a view


def _label_text(label: QLabel) -> str:
    text = label.text()
    return plain(text) if "<" not in text else label.accessibleName() or ""


def tie_labels(root: QWidget) -> None:
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label_item is None or field_item is None:
                continue
            label = label_item.widget()
            field = field_item.widget()
            inner = field_item.layout()
            if field is None and inner is not None:
                found = (item.widget() for item in (inner.itemAt(i) for i in range(inner.count()))
                         if item is not None)
                field = next((w for w in found if isinstance(w, INPUTS)), None)
            if not isinstance(label, QLabel) or field is None:
                continue
            if label.buddy() is None:
                label.setBuddy(field)
            text = _label_text(label)
            if text and not field.accessibleName():
                field.setAccessibleName(text)
    # (view, its label): compared by identity, a wrapper's id may be reused
    buddies = [(label.buddy(), label) for label in root.findChildren(QLabel)
               if isinstance(label.buddy(), QAbstractItemView)]
    for widget in root.findChildren(QWidget):
        if isinstance(widget, QAbstractItemView):
            widget.setTabKeyNavigation(False)  # Tab leaves a table; arrows move in it
            _name_view(widget, next((label for view, label in buddies if view is widget),
                                    None))
            continue
        if widget.accessibleName():
            continue
        if isinstance(widget, QLineEdit) and (widget.placeholderText() or widget.toolTip()):
            widget.setAccessibleName(widget.placeholderText() or widget.toolTip())
        elif widget.toolTip() and (isinstance(widget, INPUTS) or (
                isinstance(widget, QAbstractButton) and not widget.text())):
            widget.setAccessibleName(widget.toolTip())


def view_name(view: QAbstractItemView, buddy: QLabel | None = None) -> str:
    """What names a table or list: its tooltip, its buddy label, the group box or dock it sits
    in, else its own window's title ("" when none says anything)."""
    if view.toolTip():
        return view.toolTip()
    if buddy is not None and _label_text(buddy):
        return _label_text(buddy)
    parent = view.parentWidget()
    while parent is not None and not parent.isWindow():
        if isinstance(parent, QGroupBox) and plain(parent.title()):
            return plain(parent.title())
        if isinstance(parent, QDockWidget) and parent.windowTitle():
            return parent.windowTitle()
        parent = parent.parentWidget()
    return view.window().windowTitle()  # the view's own window: its dialog, not its owner's


def _name_view(view: QAbstractItemView, buddy: QLabel | None) -> None:
    given = view.property(AUTO_NAME)
    if view.accessibleName() and view.accessibleName() != given:
        return  # named by its code (or a11y_form): kept
    text = view_name(view, buddy)
    if text and text != view.accessibleName():
        view.setAccessibleName(text)
        view.setProperty(AUTO_NAME, text)


def _window_activated(_window: object) -> None:
    active = QApplication.activeWindow()
    if active is not None:
        tie_labels(active)


_installed: list[bool] = []


def install(app: QApplication) -> None:
    """Tie labels whenever a window becomes active (a signal, not an app-wide event filter:
    nothing runs per event)."""
    if not _installed:
        _installed.append(True)
        app.focusWindowChanged.connect(_window_activated)
