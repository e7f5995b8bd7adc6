"""Accessibility for every window, without touching each form: when a window or dialog is
activated, each QFormLayout row's label becomes its field's buddy (Alt+mnemonic focuses the field)
and the field's accessible name (what a screen reader says); inputs outside forms are named
from their placeholder or tooltip, and tables from their tooltip or the window title.

``install(app)`` once (start-up and the main window do it); ``tie_labels(widget)`` for a
widget tree built later (tests call it too)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from teller_app.ui.a11y_form import plain

INPUTS = (QLineEdit, QComboBox, QAbstractSpinBox, QTextEdit, QPlainTextEdit)


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
    for widget in root.findChildren(QWidget):
        if isinstance(widget, QAbstractItemView):
            widget.setTabKeyNavigation(False)  # Tab leaves a table; arrows move in it
        if widget.accessibleName():
            continue
        if isinstance(widget, QLineEdit) and (widget.placeholderText() or widget.toolTip()):
            widget.setAccessibleName(widget.placeholderText() or widget.toolTip())
        elif widget.toolTip() and (isinstance(widget, (*INPUTS, QAbstractItemView)) or (
                isinstance(widget, QAbstractButton) and not widget.text())):
            widget.setAccessibleName(widget.toolTip())
        elif isinstance(widget, QAbstractItemView) and root.windowTitle():
            widget.setAccessibleName(root.windowTitle())


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
