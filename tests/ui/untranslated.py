"""What a live language switch left behind: texts shown under a widget that are English
sources with a different Ukrainian translation in resources/i18n/teller_uk.ts.

Used after ``settings.switch_language("uk")``: ``left_in_english(window)`` should be empty.
Data the platform sends (names, logins, amounts) is never a source, so it never shows up;
a data value Teller translates at display time (``ui/data_text``: "active", "retail") does.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QTabWidget,
    QWidget,
)

TS = Path(__file__).resolve().parents[2] / "resources" / "i18n" / "teller_uk.ts"


def _plain(text: str) -> str:
    return text.replace("&", "").strip()


@cache
def translated_sources() -> frozenset[str]:
    """Every plain (non-plural) source whose Ukrainian translation differs from it."""
    found = set()
    for message in ET.parse(TS).iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if message.get("numerus") == "yes" or translation is None or not translation.text:
            continue
        if _plain(translation.text) != _plain(source):
            found.add(_plain(source))
    return frozenset(found)


def shown_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for the texts of ``root`` and its visible children: labels, buttons,
    placeholders, group and dock titles, tab texts, combo items, table headers, tooltips."""
    texts: list[tuple[str, str]] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget is not root and not widget.isVisibleTo(root):
            continue
        where = widget.objectName() or type(widget).__name__
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append((where, widget.text()))
        if isinstance(widget, QLineEdit | QPlainTextEdit):
            texts.append((where, widget.placeholderText()))
        if isinstance(widget, QGroupBox):
            texts.append((where, widget.title()))
        if isinstance(widget, QDockWidget):
            texts.append((where, widget.windowTitle()))
        if isinstance(widget, QTabWidget):
            texts += [(where, widget.tabText(i)) for i in range(widget.count())]
        if isinstance(widget, QComboBox):
            texts += [(where, widget.itemText(i)) for i in range(widget.count())]
        if isinstance(widget, QTableView) and widget.model() is not None:
            model = widget.model()
            texts += [(where, str(model.headerData(c, Qt.Orientation.Horizontal) or ""))
                      for c in range(model.columnCount())]
            texts += [(where, str(model.index(r, c).data() or ""))
                      for r in range(min(model.rowCount(), 5))
                      for c in range(model.columnCount())]
        if widget.toolTip():
            texts.append((where, widget.toolTip()))
    return texts


def left_in_english(root: QWidget) -> list[str]:
    """``where: text`` for each shown text that is still an English source."""
    sources = translated_sources()
    return sorted({f"{where}: {text}" for where, text in shown_texts(root)
                   if text and _plain(text) in sources})
