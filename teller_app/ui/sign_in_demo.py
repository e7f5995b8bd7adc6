"""The sign-in window's sandbox box: a note that the data is made up and the list of the
embedded sandbox's demo employees (``demo_list``), each worded "name: e-mail — roles —
branch". Choosing one fills the form (``SignInDialog``). Strings keep the ``SignInDialog``
translation context. Loaded before the sign-in window's first paint: nothing heavy here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from teller_app.core.person_name import official_name
from teller_app.ui.data_text import role_text
from teller_app.ui.demo_list import USER_ROLE, add_demo_item

if TYPE_CHECKING:
    from teller_app.ui.sign_in import SignInTarget


def demo_box(parent: QWidget) -> tuple[QGroupBox, QListWidget, QVBoxLayout]:
    """The box (hidden until a sandbox is chosen), its list and its layout."""
    box = QGroupBox(QCoreApplication.translate("SignInDialog", "Sandbox — demo accounts"),
                    parent)
    box.setObjectName("sandboxBox")
    demo = QListWidget(box)
    demo.setObjectName("demoEmployees")
    note = QLabel(QCoreApplication.translate(
        "SignInDialog", "This is the built-in sandbox: a simulated platform with "
        "made-up customers. Choose an employee to fill the form."), box)
    note.setWordWrap(True)
    layout = QVBoxLayout(box)
    layout.addWidget(note)
    layout.addWidget(demo)
    return box, demo, layout


def fill_demo_list(demo: QListWidget, target: SignInTarget) -> None:
    """``target``'s demo employees (none for a real platform), one line each."""
    demo.clear()
    for employee in target.demo_employees:
        branch = target.branch_names.get(employee.get("branch_guid") or "", "") or \
            QCoreApplication.translate("SignInDialog", "head office")
        name = official_name(employee.get("surname"), employee.get("name"),
                             employee.get("paternal_name"))
        roles = ", ".join(role_text(r) for r in employee.get("roles", []))
        text = f"{employee['email']} — {roles} — {branch}"
        if name:
            text = f"{name}: {text}"
        add_demo_item(demo, employee, text)


def demo_item(demo: QListWidget, email: str) -> QListWidgetItem:
    """The line of the demo employee ``email`` (KeyError: no such line)."""
    for i in range(demo.count()):
        item = demo.item(i)
        if item.data(USER_ROLE)["email"] == email:
            return item
    raise KeyError(email)
