"""Which visible labels Qt would paint as markup: the guard of ui/untrusted (text the desk did
not write is never rendered as rich text)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

# The tags the desk writes itself in such labels; anything else with < or > is not escaped.
_OWN_TAGS = re.compile(r"</?(?:p|br|b|i|span)(?:\s+style='[^'<>]*')?\s*/?>")


def is_escaped_markup(text: str) -> bool:
    """True when ``text`` holds no tag but the desk's own: every quoted value escaped."""
    inner = _OWN_TAGS.sub("", text)
    return "<" not in inner and ">" not in inner


def _labels(top: QWidget) -> list[QLabel]:
    found = top.findChildren(QLabel)
    return [top, *found] if isinstance(top, QLabel) else found


def markup_labels() -> list[tuple[str, str, str]]:
    """(object name or parent class, format, text) of every visible label whose text holds
    ``<`` and that Qt may render as markup: AutoText (or Markdown) at all, RichText unless
    its content is escaped."""
    out = []
    for top in QApplication.topLevelWidgets():
        for label in _labels(top):
            text = label.text()
            if "<" not in text or not label.isVisible():
                continue
            fmt = label.textFormat()
            name = label.objectName() or type(label.parent()).__name__
            if fmt == Qt.TextFormat.PlainText:
                continue
            if fmt == Qt.TextFormat.RichText and is_escaped_markup(text):
                continue
            out.append((name, fmt.name, text[:120]))
    return out
