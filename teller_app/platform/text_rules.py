"""Which characters free text typed at a desk must not hold (no Qt: the hub checks what it is
sent by the same rule the desk's form applies, ``ui/validators.check_text``).

Control characters split or blank a line; line/paragraph separators break it; direction
controls (embeddings, overrides, isolates, the invisible marks) and other invisible format
characters can make "Іван" display as something else and disguise an inbox entry."""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                          "\u200e\u200f\u061c")
_REFUSED_CATEGORIES = frozenset(("Cc", "Zl", "Zp", "Cs", "Co"))
_ALLOWED_FORMAT = frozenset("\u200d\u00ad")  # ZWJ (emoji, scripts), soft hyphen


def unsafe_char(text: str, *, multiline: bool = False) -> str | None:
    """The first character ``text`` must not contain: a control character (NUL, newline
    unless ``multiline``, DEL, C1), a line/paragraph separator, a direction control or another
    invisible format character; None if the text is clean."""
    for ch in text:
        if multiline and ch == "\n":
            continue
        category = unicodedata.category(ch)
        if ch in BIDI_CONTROLS or category in _REFUSED_CATEGORIES:
            return ch
        if category == "Cf" and ch not in _ALLOWED_FORMAT:
            return ch
    return None
