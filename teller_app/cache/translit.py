"""Ukrainian transliteration: the official national system (KMU resolution No. 55, 2010)
Cyrillic -> Latin, and a best-effort reverse Latin -> Cyrillic for search.

``to_latin("Щербак Юрій")`` == ``"Shcherbak Yurii"``; ``to_cyrillic("shevchenko")`` ==
``"шевченко"``. The reverse is lossy by nature (it cannot know whether "i" was "і", "ї" or
"й"); it is only used to add extra search tokens and query variants.
"""

from __future__ import annotations

import re

# Letters whose Latin form differs at the start of a word (KMU 2010 rule).
_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_MEDIAL = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ie",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    "ю": "iu",
    "я": "ia",
    # Russian letters that appear in customer names, best effort.
    "ё": "io",
    "ы": "y",
    "э": "e",
    "ъ": "",
}
# The apostrophe as typed or stored: ASCII, right and left single quotes, modifier letter,
# backtick, acute accent. All mean the same letter gap ("Мар'яна", "Солов’ян") and are dropped.
APOSTROPHES = "'’‘ʼ`´"


def _is_cyr(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def to_latin(text: str) -> str:
    """Cyrillic -> Latin per KMU 2010; other characters pass through. Case is kept
    ("Щ" -> "Shch" before lowercase, "SHCH" in an all-caps word); apostrophes dropped."""
    out: list[str] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        low = ch.lower()
        if ch in APOSTROPHES and i > 0 and _is_cyr(text[i - 1]):
            i += 1
            continue
        if low not in _MEDIAL:
            out.append(ch)
            i += 1
            continue
        prev = text[i - 1] if i > 0 else ""
        if prev and prev in APOSTROPHES:
            prev = "x"  # after an apostrophe: not word-initial
        initial = not (prev.isalpha() or prev == "x")
        if low == "г" and prev.lower() == "з":
            lat = "gh"  # "зг" -> "zgh" (to tell it from "ж" = "zh")
        elif initial and low in _INITIAL:
            lat = _INITIAL[low]
        else:
            lat = _MEDIAL[low]
        if ch != low and lat:
            nxt = text[i + 1] if i + 1 < n else ""
            all_caps = (nxt.isalpha() and nxt.isupper()) or (
                prev.isalpha() and prev.isupper() and not nxt.isalpha()
            )
            lat = lat.upper() if all_caps else lat[0].upper() + lat[1:]
        out.append(lat)
        i += 1
    return "".join(out)


# Reverse: longest match first. Word-initial forms are handled separately.
_REV_INITIAL = [("ye", "є"), ("yi", "ї"), ("yu", "ю"), ("ya", "я"), ("yo", "йо"), ("y", "й")]
_REV_FINAL = [("iy", "ій"), ("yi", "ий"), ("ii", "ій"), ("yy", "ий")]
_REV = [
    ("shch", "щ"),
    ("sch", "щ"),
    ("zgh", "зг"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("tz", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ie", "є"),
    ("iu", "ю"),
    ("ia", "я"),
    ("ju", "ю"),
    ("ja", "я"),
    ("je", "є"),
    ("yu", "ю"),
    ("ya", "я"),
    ("ye", "є"),
    ("yi", "ї"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("w", "в"),
    ("h", "г"),
    ("g", "ґ"),
    ("d", "д"),
    ("e", "е"),
    ("z", "з"),
    ("y", "и"),
    ("i", "і"),
    ("j", "й"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
    ("x", "кс"),
    ("c", "ц"),
    ("q", "к"),
]


_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")
_IA = frozenset(("ia", "ya", "ja"))


def _word_to_cyrillic(word: str, g: str, full_ia: bool) -> str:
    """``g``: the letter "g" stands for; ``full_ia``: "ia"/"ya"/"ja" after a consonant and a
    final "ii"/"iy" read as "ія" (see ``cyrillic_spellings``)."""
    out: list[str] = []
    i = 0
    n = len(word)
    while i < n:
        if i == 0:
            for lat, cyr in _REV_INITIAL:
                if word.startswith(lat) and (lat != "y" or (n > 1 and word[1] in "aeiou")):
                    out.append(cyr)
                    i = len(lat)
                    break
            if i:
                continue
        rest = word[i:]
        if n > 3 and len(rest) == 2:
            final = next((cyr for lat, cyr in _REV_FINAL if rest == lat), None)
            if final is not None:
                out.append("ія" if full_ia and rest in ("ii", "iy") else final)
                break
        for lat, cyr in _REV:
            if rest.startswith(lat):
                if lat == "g":
                    cyr = g
                elif full_ia and lat in _IA and i and word[i - 1] in _CONSONANTS:
                    cyr = "ія"
                out.append(cyr)
                i += len(lat)
                break
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


def to_cyrillic(text: str, *, g: str = "ґ", full_ia: bool = False) -> str:
    """Best-effort Latin -> Ukrainian Cyrillic, lowercase (for search tokens only)."""
    out: list[str] = []
    word: list[str] = []
    for ch in text.lower() + " ":
        if "a" <= ch <= "z":
            word.append(ch)
            continue
        if word:
            out.append(_word_to_cyrillic("".join(word), g, full_ia))
            word = []
        out.append(ch)
    return "".join(out)[:-1]


def cyrillic_spellings(text: str) -> list[str]:
    """``to_cyrillic(text)`` and the readings of the spellings people type that KMU 2010 does
    not write: "g" as "г" (it writes "h": "Sergiy", "Olga"), and "ia"/"ya" after a consonant
    or a final "ii"/"iy" as "ія" ("Yulia", "Natalya"; "Yulii" on the way to "Yuliia").
    All the "g" read one way, all the "ia" one way: at most 4, never one per combination."""
    low = text.lower()
    out: list[str] = []
    for g in ("ґ", "г") if "g" in low else ("ґ",):
        for full_ia in (False, True):
            cyr = to_cyrillic(low, g=g, full_ia=full_ia)
            if cyr not in out:
                out.append(cyr)
    return out


def latin_h_spelling(text: str) -> str:
    """``text`` (lowercase Latin) with "g" written as KMU 2010 writes "г": "h" ("sergiy" ->
    "serhiy", "olga" -> "olha"), "zg" as "zgh"; a "gh" stays."""
    return _G_AS_H.sub(lambda m: "zgh" if m.group(1) else "h", text)


_G_AS_H = re.compile(r"(z?)g(?!h)")
