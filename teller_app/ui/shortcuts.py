"""F1: every keyboard shortcut of the main window, read from its actions (menus, the window's
own actions) and QShortcuts at the moment the sheet opens, so it cannot go out of date.
Also the window-level shortcuts for cash in/out, approve and reject."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from teller_app.ui.a11y_form import plain

if TYPE_CHECKING:
    from teller_app.ui.main_window import MainWindow

InboxButton = Literal["approve_button", "reject_button"]
ACCOUNT_HISTORY_KEY = "Ctrl+H"  # a customer card's (supervision_cards.decorate_card)


def context_rows() -> list[tuple[str, str, str, list[QKeySequence]]]:
    """(owner class, group, what, keys) for the keys that work inside one part of the window:
    the search panel's key handling and each customer card's and form's QShortcuts. They are
    listed whether or not a card or form is open (a test checks each live one is here)."""
    translate = QCoreApplication.translate
    search = translate("ShortcutsSheet", "Search")
    card = translate("ShortcutsSheet", "Customer card")
    form = translate("ShortcutsSheet", "Customer form")
    key = QKeySequence
    esc = [key(Qt.Key.Key_Escape)]
    return [
        ("SearchPanel", search,
         translate("ShortcutsSheet", "Open the selected customer's card"),
         [key(Qt.Key.Key_Return), key(Qt.Key.Key_Enter)]),
        ("SearchPanel", search,
         translate("ShortcutsSheet", "From the search box to the results"),
         [key(Qt.Key.Key_Down), key(Qt.Key.Key_PageDown)]),
        ("SearchPanel", search,
         translate("ShortcutsSheet", "Clear the search box; from the results, back to it"), esc),
        ("CustomerCard", card, translate("ShortcutsSheet", "Refresh"), [key("Ctrl+R")]),
        ("CustomerCard", card, translate("ShortcutsSheet", "Edit the customer"), [key("Ctrl+E")]),
        ("CustomerCard", card, translate("ShortcutsSheet", "Back to the search"), esc),
        ("CustomerCard", card, translate("ShortcutsSheet", "Account history"),
         [key(ACCOUNT_HISTORY_KEY)]),
        ("CustomerForm", form, translate("ShortcutsSheet", "Save"),
         [key("Ctrl+Return"), key("Ctrl+Enter")]),
        ("CustomerForm", form, translate("ShortcutsSheet", "Cancel"), esc),
    ]


def collect(window: QWidget) -> list[tuple[str, str, str]]:
    """(group, what, keys) for every visible action/QShortcut with a key: menus first, then
    the search panel's, cards' and forms' own keys, then the window's other ones."""
    seen: set[int] = set()
    rows: list[tuple[str, str, str]] = []

    def add(group: str, text: str, keys: list[QKeySequence]) -> None:
        shown = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText)
                          for k in keys if not k.isEmpty())
        if shown and text:
            rows.append((group, plain(text).replace("…", "").strip(), shown))

    def walk(menu: QMenu, group: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{group} › {plain(sub.title())}")
                continue
            if id(action) in seen or action.isSeparator():
                continue
            seen.add(id(action))
            if action.isVisible():  # a hidden action's keys do nothing
                add(group, action.text(), action.shortcuts())

    bar = window.menuBar() if hasattr(window, "menuBar") else None
    if bar is not None:
        for top in bar.actions():
            if top.menu() is not None:
                walk(top.menu(), plain(top.menu().title()))
    context = context_rows()
    for _owner, group, text, keys in context:
        add(group, text, keys)
    covered = {(owner, k.toString()) for owner, _g, _t, keys in context for k in keys}
    other = QCoreApplication.translate("ShortcutsSheet", "Window")
    for action in window.findChildren(QAction):
        if id(action) not in seen and not action.isSeparator():
            seen.add(id(action))
            if action.isVisible():
                add(other, action.text(), action.shortcuts())
    for shortcut in window.findChildren(QShortcut):
        owner = type(shortcut.parent()).__name__
        if shortcut.isEnabled() and (owner, shortcut.key().toString()) not in covered:
            add(other, shortcut.whatsThis() or shortcut.objectName(), [shortcut.key()])
    return rows


class ShortcutsSheet(QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsSheet")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.rows = collect(window)
        self.table = QTableWidget(len(self.rows), 3, self)
        self.table.setObjectName("shortcutsTable")
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Where"), self.tr("Action"),
                                              self.tr("Keys")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        for row, values in enumerate(self.rows):
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))
        # Keys always whole: a long (translated) action wraps onto more lines instead of
        # pushing the Keys column behind a horizontal scrollbar
        self.table.setWordWrap(True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for column, mode in ((0, QHeaderView.ResizeMode.ResizeToContents),
                             (1, QHeaderView.ResizeMode.Stretch),
                             (2, QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(column, mode)
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(self._fitting_size(layout, buttons))

    def _fitting_size(self, layout: QVBoxLayout, buttons: QDialogButtonBox) -> QSize:
        """Wide enough for every row on one line and tall enough for all rows, within 90 %
        of the screen (a narrower screen wraps the actions; a shorter one scrolls)."""
        table = self.table
        frame = 2 * table.frameWidth() + table.verticalScrollBar().sizeHint().width()
        wanted = sum(max(table.sizeHintForColumn(c),
                         table.horizontalHeader().sectionSizeHint(c)) for c in range(3))
        table.setWordWrap(False)  # rows one line high (the columns are not laid out yet)
        height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() \
            + sum(max(table.sizeHintForRow(r), table.verticalHeader().sectionSizeHint(r))
                  for r in range(table.rowCount()))  # as ResizeToContents sizes a row
        table.setWordWrap(True)
        margins = layout.contentsMargins()
        chrome_w = margins.left() + margins.right()
        chrome_h = margins.top() + margins.bottom() + layout.spacing() \
            + buttons.sizeHint().height()
        screen = (self.parentWidget() or self).screen().availableGeometry()
        return QSize(min(max(560, wanted + frame + chrome_w), screen.width() * 9 // 10),
                     min(max(240, height + chrome_h), screen.height() * 9 // 10))

    def keys_for(self, what: str) -> str | None:
        return next((keys for _g, text, keys in self.rows if text == what), None)


# -- cash and approval shortcuts ---------------------------------------------------------
def click_in_current_card(window: MainWindow, object_name: str) -> bool:
    """Press the current customer card's button ``object_name`` if it is there and enabled."""
    card = window.tabs.currentWidget()
    if card is None:
        return False
    button = card.findChild(QPushButton, object_name)
    if button is None or not button.isVisible() or not button.isEnabled():
        return False
    button.click()
    return True


def click_in_inbox(window: MainWindow, which: InboxButton) -> bool:
    """Press the approvals inbox's Approve or Reject button when the inbox is in sight and
    the button enabled. An inbox the supervisor closed (or another dock covers) decides
    nothing: it is brought forward with its list focused, nothing selected for them, and
    False tells the caller to say so."""
    supervision = window.supervision
    inbox = supervision.inbox if supervision is not None else None
    if supervision is None or inbox is None:
        return False
    if not inbox.isVisible():
        supervision.open_inbox(select=False)
        return False
    button = inbox.approve_button if which == "approve_button" else inbox.reject_button
    if not button.isEnabled():
        return False
    button.click()
    return True


SHORTCUT_CONTEXT = Qt.ShortcutContext.WindowShortcut
