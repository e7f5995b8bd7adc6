"""The one "discard unsaved changes?" question (window-modal, never a nested event loop).
Kept editing, the keyboard is back where it was (``focus_return``): offscreen, or under a
window manager that activates nothing when a box closes, it was left nowhere."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from teller_app.ui.focus_return import focus_before, give_focus_back
from teller_app.ui.plural import CustomerForm


def confirm_discard(parent: QWidget, count: int, on_discard: Callable[[], None], *,
                    saving: int = 0) -> QMessageBox:
    """Ask (window-modal, ``open()``: never a nested loop) before ``count`` customer forms with
    unsaved input are thrown away; ``on_discard`` runs only when the teller agrees. ``saving``:
    forms whose save is already sent, named apart (they finish first, nothing is discarded).
    Kept editing (Esc, Keep editing), the field the teller was in has the keyboard again."""
    before = focus_before(parent)
    box = QMessageBox(parent)
    box.setObjectName("discardChangesBox")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(QCoreApplication.translate("CustomerForm", "Unsaved changes"))
    box.setText(CustomerForm.tr(  # ui/plural.py
        "%n customer form(s) have unsaved changes. Discard them?", "", count))  # type: ignore[arg-type]
    if saving:
        box.setInformativeText(CustomerForm.tr(
            "%n customer save(s) already sent will finish first and are not discarded.",  # type: ignore[arg-type]
            "", saving))  # type: ignore[arg-type]
    discard = box.addButton(QCoreApplication.translate("CustomerForm", "Discard"),
                            QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(QCoreApplication.translate("CustomerForm", "Keep editing"),
                         QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def finished(_result: int) -> None:
        if box.clickedButton() is discard:
            on_discard()
        else:
            give_focus_back(before)

    box.finished.connect(finished)
    box.open()
    return box
