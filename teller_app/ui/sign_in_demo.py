"""The sign-in window's sandbox box: a note that the data is made up and the list of the
embedded sandbox's demo employees (``demo_list``), each worded "name: e-mail — roles —
branch". Choosing one fills the form (``SignInDialog``). Strings keep the ``SignInDialog``
translation context. Loaded before the sign-in window's first paint, which does not show
the box: it is built when a sandbox target is first chosen (``SandboxBox.build``), its
widgets imported then."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:
    from PySide6.QtWidgets import QGroupBox, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

    from teller_app.ui.sign_in import SignInTarget

    BoxParts = tuple[QGroupBox, QListWidget, QVBoxLayout]


class SandboxBox:
    """A sign-in window's sandbox box, built (hidden, on top of ``layout``) by ``build``, which
    the window calls when a sandbox target is first chosen: a real platform's sign-in window
    never shows it, and building it costs ~5 ms before that window's first paint. A line
    activated or clicked goes to ``chosen``; ``built`` is called once the box is there (the
    window's Tab order)."""

    def __init__(self, parent: QWidget, layout: QVBoxLayout,
                 chosen: Callable[[QListWidgetItem], object], built: Callable[[], object]) -> None:
        self._parent, self._layout, self._chosen, self._built = parent, layout, chosen, built
        self._parts: BoxParts | None = None

    @property
    def exists(self) -> bool:
        return self._parts is not None

    def build(self) -> None:
        """Build the box, hidden (once: built already, nothing happens)."""
        if self._parts is not None:
            return
        box, demo, _layout = self._parts = demo_box(self._parent)
        demo.itemActivated.connect(self._chosen)
        demo.itemClicked.connect(self._chosen)
        box.hide()
        self._layout.insertWidget(0, box)
        self._built()

    def parts(self) -> BoxParts:
        """The box, its list and its layout (LookupError: not built, see ``build``)."""
        if self._parts is None:
            raise LookupError("the sandbox box is built for a sandbox target only")
        return self._parts

    def fit(self, window_margin: int) -> None:
        """The list sized to its lines (``demo_list.fit_demo_list``); ``window_margin``: the
        window's left margin."""
        from teller_app.ui.demo_list import fit_demo_list

        _box, demo, layout = self.parts()
        # what the window, the group box and their margins take around the list
        fit_demo_list(demo, 2 * (window_margin + layout.contentsMargins().left()) + 8)


def demo_box(parent: QWidget) -> BoxParts:
    """The box (hidden until a sandbox is chosen), its list and its layout."""
    from PySide6.QtWidgets import QGroupBox, QLabel, QListWidget, QVBoxLayout

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
    from teller_app.core.person_name import official_name
    from teller_app.ui.data_text import role_text
    from teller_app.ui.demo_list import add_demo_item

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
    from teller_app.ui.demo_list import USER_ROLE

    for i in range(demo.count()):
        item = demo.item(i)
        if item.data(USER_ROLE)["email"] == email:
            return item
    raise KeyError(email)
