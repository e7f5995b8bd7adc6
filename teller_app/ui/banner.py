"""A one-line message strip above the working area (offline, refusals, successes). A message
may quote the platform's or the hub's words: it is shown as plain text (ui/untrusted). Each
new line is announced to a screen reader (``ui/announce``): the teller's focus is elsewhere."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from teller_app.ui.announce import announce
from teller_app.ui.untrusted import ZWSP, plain_label, shown_lines

LEVEL_STYLES = {
    "info": "background:#e8f1fb;color:#0b3d6b;border:1px solid #9cc3ea;",
    "success": "background:#e7f6ea;color:#14521f;border:1px solid #8fd19e;",
    "warning": "background:#fff5d6;color:#5c4400;border:1px solid #e7c65c;",
    "error": "background:#fde8e8;color:#7a1010;border:1px solid #eb9a9a;",
}
SEVERITY = ("info", "success", "warning", "error")  # least to gravest


def _severity(level: str) -> int:
    return SEVERITY.index(level) if level in SEVERITY else 0


class Banner(QFrame):
    """``show_message(text, level)`` with level in info/success/warning/error; hidden when
    empty. Other engineers' code calls it, so the signature stays stable."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.level = "info"
        self._message = ""  # as the caller gave it (text()); the label shows it made safe
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = plain_label(QLabel(self))
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")  # named in words for a screen reader (retranslate)
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.clear)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        """The banner's own text; a message shown stays as it was (its caller's words)."""
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.setAccessibleName(self.tr("Dismiss"))  # not the glyph's name

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_message(self, text: str, level: str = "info") -> None:
        self.level = level if level in LEVEL_STYLES else "info"
        self.setStyleSheet(f"QFrame#banner{{{LEVEL_STYLES[self.level]}border-radius:3px;}}")
        before = [] if self.isHidden() else self.label.text().split("\n")
        self._message = text
        self.label.setText(shown_lines(text))
        self.show()
        # only what is new: a line added to a notice shown does not repeat the others
        said = [line for line in self.label.text().split("\n") if line and line not in before]
        announce(self.label, "\n".join(said).replace(ZWSP, ""), urgent=self.level == "error")

    def text(self) -> str:
        """The message as its caller gave it ("" while hidden)."""
        return "" if self.isHidden() else self._message

    def add_line(self, line: str, level: str = "warning") -> None:
        """Add one line to the message shown, once (a notice learnt later); the banner keeps
        the graver of its level and the line's (a warning shown stays one beside news)."""
        lines = self.text().split("\n") if self.text() else []
        if line not in lines:
            graver = max(level, self.level, key=_severity) if lines else level
            self.show_message("\n".join([*lines, line]), graver)

    def drop_line(self, line: str) -> None:
        """Take one line out of the message shown (a notice that no longer holds); the
        banner hides when nothing is left."""
        lines = self._message.split("\n")
        if self.isHidden() or line not in lines:
            return
        rest = [kept for kept in lines if kept != line]
        if rest:
            self.show_message("\n".join(rest), self.level)
        else:
            self.clear()

    def clear(self) -> None:
        self._message = ""
        self.label.clear()
        self.hide()
        self.closed.emit()
