"""Showing text the desk did not write (the platform's or the hub's words, names, roles,
branch names, another desk's reason) as exactly what it is.

A QLabel left on Qt's AutoText renders anything that looks like markup: a surname or an error
body of ``<b>APPROVED BY HEAD OFFICE</b>`` would be painted bold, a link clickable, so the
words could pass for the desk's own. Labels that show such text are plain (``plain_label``);
the text itself is put on one line or kept to its lines, clipped, direction-isolated (a
right-to-left override cannot reorder the words around it) and given break points in long
unbroken runs (a 300-character token would otherwise widen its dialog past the screen).
A tooltip is always rich text to Qt when it starts like markup: ``tip`` escapes it."""

from __future__ import annotations

import re

from PySide6 import QtCore
from PySide6.QtWidgets import QLabel, QWidget

# The sign-in window uses this before its first paint: the helpers it calls are imported
# when text is first shown (validators, the table model and the receipt cost ~200 ms), and
# ``QtCore.Qt`` is read only in functions (its first read builds the Qt namespace's enums,
# ~20 ms).

SHOWN_MAX = 300  # characters on one line (a name, a reason, a server's error)
LINES_MAX = 1000  # characters of a multi-line message
LINES_MAX_COUNT = 12  # lines of it; a thousand line breaks would fill the screen
TIP_MAX = 1000
ZWSP = "\u200b"  # ZERO WIDTH SPACE: a line may break here, nothing is painted
# Qt wraps plain text only where a line may break (spaces, after "/" or "-"). A longer run
# with none gets an invisible break point every BREAK_EVERY characters; a GUID (36), an IBAN
# (29), an e-mail address or a path stays whole, so it reads and copies as it is.
_LONG_RUN = re.compile(r"[^\s/\\-]{61,}")
BREAK_EVERY = 30
_PLACEHOLDER = re.compile(r"%(\d)")


def fill(text: str, *values: str) -> str:
    """``text`` (a translation) with %1..%9 each replaced by ``values[n-1]`` in one pass; a
    placeholder without a value stays as it is. Chained ``.replace("%1", a).replace("%2", b)``
    would rewrite a "%2" inside ``a`` (a customer's login or name is any text), so the
    inserted values are never scanned again."""
    def value(match: re.Match[str]) -> str:
        n = int(match.group(1))
        return values[n - 1] if 1 <= n <= len(values) else match.group(0)

    return _PLACEHOLDER.sub(value, text)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked "…" (as ``core.receipt.clip``)."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def plain_label(label: QLabel, *, wrap: bool = True) -> QLabel:
    """``label`` shows its text as plain text (never markup), word-wrapped unless ``wrap`` is
    False; text set through ``shown``/``shown_lines`` can break inside long unbroken runs."""
    label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    return label


class LatePlainLabel(QLabel):
    """A word-wrapped label made plain (``plain_label``) when its first text is set: for a
    window painted before Qt's namespace enums are built (~20 ms; the sign-in window), whose
    label is empty and hidden until then."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self._plain = False

    def setText(self, text: str, /) -> None:
        if not self._plain:
            self._plain = True
            plain_label(self)
        super().setText(text)


def breakable(text: str) -> str:
    """``text`` with an invisible break point every ``BREAK_EVERY`` characters of a run of
    more than 60 characters where a word-wrapped label could not break the line (no space,
    "/", "\\" or "-"): it would otherwise widen its window by the whole run."""
    if len(text) <= 60:
        return text
    return _LONG_RUN.sub(lambda m: ZWSP.join(
        m.group(0)[i:i + BREAK_EVERY] for i in range(0, len(m.group(0)), BREAK_EVERY)), text)


def shown(text: str | None, limit: int = SHOWN_MAX, *, breaks: bool = True) -> str:
    """``text`` for a plain label on one line: line breaks and tabs a space, other control
    characters U+FFFD (``validators.one_line``), clipped to ``limit`` characters with "…",
    direction-isolated when it holds a character that could reorder the words around it
    (``customer_columns.turns_direction``), long runs breakable unless ``breaks`` is
    False (a part of a message that is itself shown through ``shown_lines``)."""
    if not text:
        return ""
    from teller_app.ui.customer_columns import turns_direction
    from teller_app.ui.validators import isolate, one_line

    text = clip(text, limit)
    text = isolate(text) if turns_direction(text) else one_line(text)
    return breakable(text) if breaks else text


def shown_lines(text: str | None, limit: int = LINES_MAX) -> str:
    """``text`` for a plain multi-line label: its own line breaks kept (at most
    ``LINES_MAX_COUNT`` lines, ``limit`` characters), each line as ``shown`` makes it."""
    if not text:
        return ""
    lines = clip(text, limit).split("\n")
    if len(lines) > LINES_MAX_COUNT:
        lines = [*lines[:LINES_MAX_COUNT - 1], lines[LINES_MAX_COUNT - 1] + " …"]
    return "\n".join(shown(line, limit) for line in lines)


def tip(text: str | None, limit: int = TIP_MAX) -> str:
    """A tooltip showing ``text`` as it is: escaped rich text (Qt would render a tooltip that
    starts like markup), its lines kept, clipped to ``limit`` characters, wrapped at about 80
    characters (what Qt does for a rich-text tooltip, given break points)."""
    if not text:
        return ""
    import html

    body = html.escape(shown_lines(text, limit), quote=False)
    return f"<p style='white-space:pre-wrap'>{body}</p>"

