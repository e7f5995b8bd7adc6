"""Ukrainian transliteration: the official national system (KMU resolution No. 55, 2010)
Cyrillic -> Latin, and a best-effort reverse Latin -> Cyrillic for search.

``to_latin("Щербак Юрій")`` == ``"Shcherbak Yurii"``; ``to_cyrillic("shevchenko")`` ==
``"шевченко"``. The reverse is lossy by nature (it cannot know whether "i" was "і", "ї" or
"й"); it is only used to add extra search tokens and query variants.

Query side only (the index never uses them): the spellings people write instead of KMU's
(``latin_kmu_respelling``, ``common_latin_spellings``), and Cyrillic spellings for a search
that matches text as typed (``cyrillic_text_spellings``: the platform's while the cache is
cold).
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
# The apostrophe as typed or stored: ASCII, right and left single quotes, modifier letter
# apostrophe, modifier letter prime and turned comma (U+02B9, U+02BB) and the prime (U+2032),
# which some tools and symbol tables give for it (the desk's forms store U+02BC for all of
# them: ``core.person_name``), backtick, acute accent. All mean the same letter gap
# ("Мар'яна", "Солов’ян", "Марʹян") and are dropped.
APOSTROPHES = "'’‘ʼʹʻ′`´"


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
    """``g``: the letter "g" stands for ("г": KMU 2010 writes it "h", people "g": "Sergiy",
    "Olga"); ``full_ia``: "ia"/"ya"/"ja" after a consonant and a final "ii"/"iy" read as "ія"
    ("Yulia", "Natalya"; "Yulii" on the way to "Yuliia")."""
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


def latin_h_spelling(text: str) -> str:
    """``text`` (lowercase Latin) with "g" written as KMU 2010 writes "г": "h" ("sergiy" ->
    "serhiy", "olga" -> "olha"), "zg" as "zgh"; a "gh" stays."""
    return _G_AS_H.sub(lambda m: "zgh" if m.group(1) else "h", text)


_G_AS_H = re.compile(r"(z?)g(?!h)")


# -- Query side only (never indexed): how people write names when they do not write KMU 2010.

# Russian-style endings of Ukrainian surnames: "-ський"/"-цький"/"-зький" typed "-skiy",
# "-skii", "-ski"..., "-ська" typed "-skaya"; KMU writes "-skyi", "-ska" (no soft sign).
_SKY_ENDING = re.compile(r"(?<=[sz])k(?:iy|ii|ij|yy|yj|i)$")
_SKA_ENDING = re.compile(r"(?<=[sz])k(?:aya|aia|aja|ay|ai|aj)$")
# Russian "-ений" for a Ukrainian "-ен" (Евгений/Євген, Арсений/Арсен), typed or on the way
# ("Evgeni").
_EN_ENDING = re.compile(r"(?<=\w\w[hs]en)(?:iy|ii|ij|i|y)$")
# "я", "ю", "є" after a letter: "ya"/"ja" -> "ia" etc.; any other "j" is "й": "i".
_MEDIAL_Y = re.compile(r"(?<=.)[yj](?=[aue])")
_MEDIAL_J = re.compile(r"(?<=.)j")
# Ілля (Russian Илья: "Ilya", "Ilia", "Iliya"): Ukrainian doubles the "л".
_ILLIA = re.compile(r"il(?:i|ii?a)")


def latin_kmu_respelling(word: str) -> str:
    """One lowercase Latin word as people type names, respelt as KMU 2010 would write the
    name they mean, so it is a prefix of the name's indexed Latin: "g" as "h" ("Olga"), an
    initial "E" or "J" as "Ye"/"Y" ("Evgen" -> "yevhen", "Jaroslav"), a medial "ya"/"yu"/"ye"
    as "ia"/"iu"/"ie" ("Kostyantyn"), "-skiy"/"-skaya" as "-sky"/"-ska", "Evgenii" as the
    Ukrainian "yevhen", "Ilya" as "illia". Not "Elena" -> "olena": another name."""
    w = latin_h_spelling(word)
    w = _SKY_ENDING.sub("ky", w)
    w = _SKA_ENDING.sub("ka", w)
    if not (word.endswith("ii") and "g" not in word and not word.startswith("e")):
        w = _EN_ENDING.sub("", w)  # but "Yevhenii", "Arsenii" are KMU's: "Євгеній", "Арсеній"
    if w.startswith("e"):
        w = "y" + w
    elif w.startswith("j") and w[1:2] in ("a", "e", "u", "o"):
        w = "y" + w[1:]
    w = _MEDIAL_J.sub("i", _MEDIAL_Y.sub("i", w))
    if _ILLIA.fullmatch(w):
        w = "illia" if w.endswith("a") else "ill"
    return w


def _ending_spellings(word: str, iy: bool) -> list[str]:
    """Latin spellings of a Cyrillic word's ending that KMU 2010 does not write: "-ський"
    as "-sky"/"-ski" (prefixes of "-skyi", "-skiy", "-skii"...), and if ``iy`` "-ій" as
    "-iy"."""
    if len(word) >= 6 and word.endswith("ький"):
        return [to_latin(word[:-1]), to_latin(word[:-2] + "і")]
    if iy and len(word) >= 4 and word.endswith("ій"):
        return [to_latin(word[:-1]) + "y"]
    return []


def common_latin_spellings(word: str) -> list[str]:
    """The Latin spellings people use besides KMU 2010's for one lowercase Cyrillic word, to
    find names stored in them: "-ський" as "-sky"/"-ski" ("Kovalskiy"); in a word with "г" or
    an initial "Є", "г" as "g" and "Є" as "E", with the endings ("Olga", "Sergiy", "Evgeniy").
    Not "-ія" as "-ia": that is the KMU Latin of another name ("Юлія" -> "yulia" = "Юля").
    Other words get none, so cost no extra lookup ("Андрій" -> "andriy" would, on every
    keystroke, for the few customers stored as "Andriy")."""
    out = _ending_spellings(word, iy=False)
    if "г" in word:
        g_word = word.replace("г", "ґ")  # KMU writes "ґ" as "g"
        g_forms = [to_latin(g_word), *_ending_spellings(g_word, iy=True)]
        out += g_forms
        if word.startswith("є"):
            out += ["e" + form[2:] for form in g_forms]
    elif word.startswith("є"):
        out.append("e" + to_latin(word)[2:])
    return list(dict.fromkeys(out))


# What a Latin spelling drops and a text search needs back (a search that matches text as
# typed): the soft sign of "л" before a consonant ("Melnyk", "Olha", "Kovalchuk"), of
# "-ський"/"-цький"/"-зький" ("Kovalskyi", "-ska"), "-ець" ("Poltavets") and "Кузьм-"; "й"
# before a consonant after a vowel ("Boiko", "Oliinyk").
_CYR_CONSONANT = "бвгґджзйклмнпрстфхцчшщ"
_SOFT_L = re.compile(f"л(?=[{_CYR_CONSONANT.replace('л', '')}])")
_SOFT_SK = re.compile(r"(?<=[сцз])к(?=(?:ий|ій|и|і|а)(?![а-яєіїґ]))")
_SOFT_ZM = re.compile(r"(?<![а-яєіїґ])кузм")
_SOFT_ETS = re.compile(r"(?<=е)ц(?![а-яєіїґ])")
_AFTER_VOWEL = "(?<=[аеиіоуяюєї])"
_I_SHORT = re.compile(f"{_AFTER_VOWEL}і(?=[{_CYR_CONSONANT}])")
# "і" after a vowel is "ї" in Ukrainian spelling; before a consonant it may be "й" instead
# ("Boiko" = "Бойко", "Zaika" = "Заїка", "Kyiv" = "Київ"), so that reading is a spelling too.
_I_YI = re.compile(f"{_AFTER_VOWEL}і")
_YI_AFTER_CONSONANT = re.compile(f"(?<=[{_CYR_CONSONANT}])ї")
_IA_AFTER_CONSONANT = re.compile(r"[b-df-hj-np-tv-z]ia(?![a-z])")
_DOUBLED_IA = re.compile(f"([{_CYR_CONSONANT}])\\1ія")


def _soften(cyr: str, soft_l: bool = True) -> str:
    if soft_l:
        cyr = _SOFT_L.sub("ль", cyr)
    cyr = _SOFT_ZM.sub("кузьм", _SOFT_SK.sub("ьк", cyr))
    return _I_SHORT.sub("й", _SOFT_ETS.sub("ць", cyr))


def cyrillic_text_spellings(text: str, count: int = 2) -> list[str]:
    """For a search that matches text as typed (the platform's ``search_string``), the
    likeliest Ukrainian Cyrillic spellings of Latin ``text``, best first, at most ``count``:
    respelt as KMU 2010 (``latin_kmu_respelling``), read with "г", soft signs and "й" put
    back ("Kovalskiy" -> "ковальськи", a part of "Ковальський"); then a final "-ia" read as
    "-ія" ("Maria" -> "марія"), then "і" after a vowel read as "ї" ("Zaika" -> "заїка"), then
    "л" without a soft sign ("Poltavets" -> "полтавець")."""
    words = re.findall(r"[a-z]+|[^a-z]+", text.lower())
    respelt = "".join(latin_kmu_respelling(w) if w.isalpha() and w.isascii() else w for w in words)
    # "ї" never follows a consonant: there "yi" is "и" and an "і" ("Kyiv": "киів", then "київ")
    plain = _YI_AFTER_CONSONANT.sub("иі", to_cyrillic(respelt, g="г"))
    cands = [_soften(plain)]
    if _IA_AFTER_CONSONANT.search(respelt):
        cands.append(_soften(_DOUBLED_IA.sub(r"\1\1я", to_cyrillic(respelt, g="г", full_ia=True))))
    if _I_YI.search(plain):
        cands.append(_soften(_I_YI.sub("ї", plain)))
    out: list[str] = []
    for cand in (*cands, _soften(plain, soft_l=False)):
        if cand and cand not in out:
            out.append(cand)
    return out[:count]


# Where an apostrophe stands in a Ukrainian name: typed or stored as any of APOSTROPHES, or
# dropped by a Latin spelling (KMU 2010 writes none: "Лук'яненко" -> "Lukianenko") before
# "я", "ю", "є", "ї" after a labial, "р" or "к" ("Мар'яна", "В'ячеслав", "Лук'ян").
_APOSTROPHE = re.compile(f"[{re.escape(APOSTROPHES)}]")
_APOSTROPHE_PLACE = re.compile(f"[{re.escape(APOSTROPHES)}]|(?<=[бпвмфрк])(?=[яюєї])",
                               re.IGNORECASE)


def apostrophe_free_part(text: str, *, places: bool = False) -> str:
    """The longest part of ``text`` between its apostrophes (the first of equal ones), and
    with ``places`` also between the places one may stand in Cyrillic ("лукяненко" ->
    "яненко"): a search that matches text as typed finds with it a name whatever apostrophe
    it is stored with (', ’ or ʼ) or without one; the caller then keeps only the rows that
    match the whole text, apostrophes dropped. ``text`` itself when it has no such place."""
    return max((_APOSTROPHE_PLACE if places else _APOSTROPHE).split(text), key=len)
