"""Ukrainian transliteration: the official national system (KMU resolution No. 55, 2010)
Cyrillic -> Latin, and a best-effort reverse Latin -> Cyrillic for search.

``to_latin("Щербак Юрій")`` == ``"Shcherbak Yurii"``; ``to_cyrillic("shevchenko")`` ==
``"шевченко"``. The reverse is lossy by nature (it cannot know whether "i" was "і", "ї" or
"й"); it is only used to add extra search tokens and query variants.
"""

from __future__ import annotations

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
_APOSTROPHES = "'’ʼ`´"


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
        if ch in _APOSTROPHES and i > 0 and _is_cyr(text[i - 1]):
            i += 1
            continue
        if low not in _MEDIAL:
            out.append(ch)
            i += 1
            continue
        prev = text[i - 1] if i > 0 else ""
        if prev and prev in _APOSTROPHES:
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


def _word_to_cyrillic(word: str) -> str:
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
                out.append(final)
                break
        for lat, cyr in _REV:
            if rest.startswith(lat):
                out.append(cyr)
                i += len(lat)
                break
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


def to_cyrillic(text: str) -> str:
    """Best-effort Latin -> Ukrainian Cyrillic, lowercase (for search tokens only)."""
    out: list[str] = []
    word: list[str] = []
    for ch in text.lower() + " ":
        if "a" <= ch <= "z":
            word.append(ch)
            continue
        if word:
            out.append(_word_to_cyrillic("".join(word)))
            word = []
        out.append(ch)
    return "".join(out)[:-1]
