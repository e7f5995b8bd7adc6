"""What a customer's ``status`` reads as, for the desk and the hub alike (no Qt).

DCM keeps ``status`` as free text, no enum (PLATFORM_API §3.2, FAQ 14): anything typed is
stored and shown as it is. The bank's controls (four eyes on a move to or from "blocked" or
"closed", no cash for such a customer) must read a status as a colleague reading the card
would: "Заблокований", "ЗАБЛОКОВАНА", "Blocked" and "bl\\u043ecked" are all
blocked. ``status_key`` folds a status that far: NFKC, format and control characters
dropped, spaces collapsed, case folded, Cyrillic and Greek letters that look like Latin ones
read as those, and the Ukrainian words of the known statuses (every gender and the plural)
read as their values. Any other text is kept as free text: its key is only the fold.
"""

from __future__ import annotations

import unicodedata

# Letters (after casefold) that a reader cannot tell from a Latin one, as that Latin one.
# Applied to both sides of every comparison, so a Ukrainian word still meets its own key.
_LOOKALIKES = str.maketrans({  # written as escapes: each key looks like its value
    # Cyrillic: а в е і ј к м н о р с т у х ѕ ԁ ԛ ԝ һ ӏ
    "\u0430": "a", "\u0432": "b", "\u0435": "e", "\u0456": "i", "\u0458": "j", "\u043a": "k",
    "\u043c": "m", "\u043d": "h", "\u043e": "o", "\u0440": "p", "\u0441": "c", "\u0442": "t",
    "\u0443": "y", "\u0445": "x", "\u0455": "s", "\u0501": "d", "\u051b": "q", "\u051d": "w",
    "\u04bb": "h", "\u04cf": "l",
    # Greek: α ε ι κ ν ο ρ τ υ χ
    "\u03b1": "a", "\u03b5": "e", "\u03b9": "i", "\u03ba": "k", "\u03bd": "v", "\u03bf": "o",
    "\u03c1": "p", "\u03c4": "t", "\u03c5": "u", "\u03c7": "x",
    # Latin dotless i
    "\u0131": "i",
})

# The platform's values the desk knows (``ui/data_text.STATUSES``) and the words a teller
# types for them in Ukrainian: masculine (the desk's own translation), feminine, neuter,
# plural, and the short form ("заблоковано", "закрито").
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "blocked": ("заблокований", "заблокована", "заблоковане", "заблоковані", "заблоковано"),
    "closed": ("закритий", "закрита", "закрите", "закриті", "закрито"),
    "active": ("активний", "активна", "активне", "активні"),
    "inactive": ("неактивний", "неактивна", "неактивне", "неактивні"),
    "pending": ("на розгляді",),
}


# Then what a sans-serif font draws alike, as one: "bIocked", "bl0cked", "cl0sed" and "cIosed"
# are read as the words they show (a reader cannot tell I from l, 0 from o).
_SKELETON = str.maketrans({"i": "l", "1": "l", "|": "l", "0": "o"})


def fold(text: str) -> str:
    """``text`` as a reader compares it: NFKC, no format (Cf: zero-width, bidi marks) or
    control characters, single spaces, case folded, lookalike letters read as Latin, and
    the letters a sans-serif font draws alike (I and l, 0 and o) as one."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc"))
    return " ".join(text.casefold().split()).translate(_LOOKALIKES).translate(_SKELETON)


_BY_FOLD: dict[str, str] = {
    fold(word): value
    for value, words in STATUS_WORDS.items() for word in (value, *words)
}


def known_status(text: str | None) -> str | None:
    """The known status value ``text`` reads as ("Заблокована" -> "blocked"), or None."""
    return _BY_FOLD.get(fold(text or ""))


def status_key(text: str | None) -> str:
    """What a status compares by: a known one's value, any other its ``fold``."""
    folded = fold(text or "")
    return _BY_FOLD.get(folded, folded)
