"""Text folding and the tokens the search index stores for a customer.

Everything indexed and every query goes through ``fold`` (NFKD, drop accents, casefold,
drop apostrophes), so search is case- and accent-insensitive. Names are indexed with their
transliteration (Cyrillic -> Latin, KMU 2010; Latin -> Cyrillic, best effort) as extra
tokens in the same column, so either script finds either; a typed word also stands for the
non-KMU spellings people use (``query_variants``: query side only). The sort key ignores
leading/trailing spaces and quotes of each name part, and, unlike ``fold``, tells й and ї
from и and і (Ukrainian order: и і ї й). Changing what a stored row derives
from its values (tokens, sort key) needs a migration that re-keys/re-indexes the rows
concerned (``name_rekey.py``, ``rekey_marks_iban.py``).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from teller_app.cache.translit import (
    APOSTROPHES,
    common_latin_spellings,
    latin_h_spelling,
    latin_kmu_respelling,
    to_cyrillic,
    to_latin,
)
from teller_app.platform.phones import digits as digits  # one for the cache, desk and hub

_APOS = re.compile(f"[{re.escape(APOSTROPHES)}]")
_WORD = re.compile(r"\w+")
_LATIN = re.compile(r"[a-z]")
_CYR = re.compile(r"[\u0400-\u04ff]")


def fold(text: str) -> str:
    """Casefold, strip accents/diacritics, remove apostrophes ("Мар'яна" -> "маряна")."""
    text = _APOS.sub("", text)
    if text.isascii():
        return text.lower()  # NFKD/NFC leave ASCII alone; casefold == lower for ASCII
    return _fold_unicode(text)


# Names repeat a lot (a branch has thousands of "Шевченко"): memoised, as these run for every
# synced row. Pure functions of their argument, so the caches are always right.
@functools.lru_cache(maxsize=16384)
def _fold_unicode(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def name_variants(word: str) -> list[str]:
    """``word`` (raw) and its transliterations, folded, unique, in that order."""
    out: list[str] = []
    raw = _APOS.sub("", word)
    candidates = [raw]
    if _CYR.search(raw.lower()):
        candidates.append(to_latin(raw))
    if _LATIN.search(fold(raw)):
        candidates.append(to_cyrillic(fold(raw)))
    for cand in candidates:
        for w in words(cand):
            if w not in out:
                out.append(w)
    return out


# A query word stands for at most this many index prefixes (each is one more term of the
# FTS5 match, one more vocabulary seek in prefix_terms and one more sort-key range).
MAX_QUERY_VARIANTS = 8


def query_variants(word: str) -> list[str]:
    """The index prefixes a typed word stands for: ``name_variants`` (the word, its KMU 2010
    Latin or best-effort Cyrillic), then the spellings people use that KMU does not write.
    For Latin: as KMU Latin ("Olga" -> "olha", "Evgenii" -> "yevhen", "Kovalskiy" ->
    "kovalsky", "Ilya" -> "illia"; ``translit.latin_kmu_respelling``) and as Cyrillic
    ("Sergiy" -> "сергій", "Yulia" -> "юлія"). For Cyrillic: the Latin of names stored in
    those spellings ("Ольга" -> "olga"; ``translit.common_latin_spellings``). A prefix
    another one covers is left out. Query side only: the index is as before. At most
    ``MAX_QUERY_VARIANTS``, the likeliest first."""
    latin = fold(word)
    if not _LATIN.search(latin):
        raw = unicodedata.normalize("NFC", _APOS.sub("", word)).lower()
        # Not for 1-2 letters: "g" would also find every Latin "G…" name. There "г" finds
        # "ґ" in Cyrillic instead ("Г" lists "Ґудзь": ґ needs AltGr on most layouts); from
        # 3 letters the "g" spellings above find those names.
        if len(raw) >= 3:
            extra = common_latin_spellings(raw) if _CYR.search(raw) else []
        else:
            extra = [raw.replace("г", "ґ")] if "г" in raw else []
        return _fewest(name_variants(word), extra)
    spellings: list[str] = []
    if len(latin) >= 3:
        # "olga" -> "olha" finds "Ольга" (its Cyrillic reading "олга" lacks the soft sign).
        # A shorter word reaches every "г" name through "г" already; its "h" would only add
        # logins, at the cost of a big doclist ("Olga G": 14 -> 10 ms at 1 000 000).
        respelt = latin_kmu_respelling(latin)
        spellings += [latin_h_spelling(latin), respelt]
    else:
        respelt = latin
    # Cyrillic readings, likeliest first: "g" as "г" (then the typed word's "ґ" reading is
    # already in name_variants), the final "-ia" as "-ія"; of the respelling, "-ія" too.
    spellings += [
        to_cyrillic(latin, g="г"),
        to_cyrillic(latin, g="г", full_ia=True),
        to_cyrillic(respelt, full_ia=True),
        to_cyrillic(latin, full_ia=True),
        to_cyrillic(respelt),
    ]
    return _fewest(name_variants(word), spellings)


def _fewest(first: list[str], more: list[str]) -> list[str]:
    """``first`` then the words of ``more``, unique, without a prefix another one covers
    ("serhi" covers "serhii"), the first ``MAX_QUERY_VARIANTS``."""
    out = list(first)
    for cand in more:
        for w in words(cand):
            if w not in out:
                out.append(w)
    kept = [v for v in out if not any(u != v and v.startswith(u) for u in out)]
    return kept[:MAX_QUERY_VARIANTS]


# A word as typed or stored: letters with their combining marks. NFC composes "и" + U+0306
# into "й" first; a mark NFC cannot compose (a stress accent, "Оле\u0301на") stays in its
# word rather than splitting it ("оле" "на"), and ``fold`` then drops it.
NAME_WORD = re.compile(r"[\w\u0300-\u036f]+")


def nfc(text: str) -> str:
    """``text`` in NFC: a decomposed letter (pasted "и" + U+0306) as the one it stands for."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


@functools.lru_cache(maxsize=16384)
def name_tokens(text: str) -> str:
    """Index text for a name column: folded words plus transliterated forms. Words are split
    after NFC (``NAME_WORD``): a decomposed "Йосипенко" is one word, as typed."""
    out: list[str] = []
    for raw in NAME_WORD.findall(_APOS.sub("", nfc(text))):
        for w in name_variants(raw):
            if w not in out:
                out.append(w)
    return " ".join(out)


def phone_forms(phone: str) -> list[str]:
    """Digit forms of a phone: full ("380671234567"), national ("0671234567"),
    subscriber ("671234567")."""
    d = digits(phone)
    if not d:
        return []
    forms = [d]
    if d.startswith("380") and len(d) > 3:
        forms += [d[2:], d[3:]]
    elif d.startswith("0") and len(d) == 10:
        forms += ["38" + d, d[1:]]
    return list(dict.fromkeys(forms))


def phone_tokens(phone: str) -> str:
    """Index text for the phone column: digit forms, plus the reversed digits behind an
    ``r`` so a suffix ("4567") is a prefix query on ``r7654``."""
    forms = phone_forms(phone)
    if not forms:
        return ""
    return " ".join([*forms, "r" + forms[0][::-1]])


def login_tokens(login: str) -> str:
    """Login words (e-mail parts) plus its digits if it is a phone-like login."""
    parts = words(login)
    d = digits(login)
    if len(d) >= 5:
        parts += phone_forms(login)
    return " ".join(dict.fromkeys(parts))


# the spaces and dashes an IBAN is printed or typed with ("UA21 3223 …", "UA21-3223-…")
IBAN_GAPS = re.compile(r"[\s\-]+")
UA_IBAN_LENGTH = 29  # "UA", 2 check digits, the bank's 6-digit code, a 19-digit account


def iban_tokens(ibans: list[str]) -> str:
    """Index text for the IBAN column: per IBAN the compact IBAN (no spaces, lowercase), its
    BBAN (after country code + check digits), for a Ukrainian IBAN the account number
    without its leading zeros ("26007233566001"), and the BBAN reversed behind an ``r`` (as
    ``phone_tokens``), so its last digits ("6001") are a prefix query. Only the few
    customers whose accounts this desk has read have IBANs (sync stores no accounts)."""
    out: list[str] = []
    for iban in ibans:
        compact = IBAN_GAPS.sub("", iban).casefold()
        if len(compact) <= 8:
            out.append(compact)
            continue
        bban = compact[4:]
        out += [compact, bban]
        if compact.startswith("ua") and len(compact) == UA_IBAN_LENGTH:
            out.append(compact[10:].lstrip("0"))
        out.append("r" + bban[::-1])
    return " ".join(dict.fromkeys(o for o in out if o))


_EDGES = re.compile(r"^[\W_]+|[\W_]+$")

# The Ukrainian alphabet, with Russian's extra letters in their places: by code point і, ї, є
# and ґ come after я ("Іваненко" last). Each letter becomes, by its rank, one of the capital
# letters Ѐ..Я (U+0400..), one for one, so the key of a prefix is a prefix of the key
# (``search._ranges``). Folded text has no capitals, so no other letter lands there, and the
# key keeps its size (two UTF-8 bytes a letter, in the table and six indexes).
UKRAINIAN_ORDER = "абвгґдеёєжзиіїйклмнопрстуфхцчшщъыьэюя"
RANK_BASE = 0x0400
_RANK = {ch: chr(RANK_BASE + i) for i, ch in enumerate(UKRAINIAN_ORDER)}
UNRANKED = {ord(rank): ch for ch, rank in _RANK.items()}  # ``collate`` undone
# й and ї are letters of their own (и і ї й), but ``fold`` drops their marks: the sort key
# keeps them as two noncharacters (never in real text, untouched by NFKD and casefold) while
# it folds, which rank as й and ї.
_KEEP_MARKS = str.maketrans({"й": "\ufdd0", "Й": "\ufdd0", "ї": "\ufdd1", "Ї": "\ufdd1"})
_MARKS_BACK = str.maketrans({"\ufdd0": "й", "\ufdd1": "ї"})
_MARKABLE = re.compile("[йЙїЇ\u0306\u0308]")
_RANKED = str.maketrans(_RANK)
# What the search folds together, but the sort key tells apart (``search._ranges``).
MARKED_LETTERS = {"и": "й", "і": "ї"}


def collate(folded: str) -> str:
    """``folded`` (``fold``'s output, or ``sort_fold``'s) as it sorts in the sort key."""
    return folded if folded.isascii() else folded.translate(_RANKED)


def sort_fold(text: str) -> str:
    """``fold`` keeping й and ї (NFD "и" + U+0306 too): "Йосип" -> "йосип", not "иосип"."""
    if text.isascii() or not _MARKABLE.search(text):
        return fold(text)  # the same memoised fold as the search tokens'
    if "\u0306" in text or "\u0308" in text:
        text = unicodedata.normalize("NFC", text)
    return fold(text.translate(_KEEP_MARKS)).translate(_MARKS_BACK)


@functools.lru_cache(maxsize=16384)
def _sort_part(text: str) -> str:
    """``text`` folded (й and ї kept: ``sort_fold``), without leading/trailing spaces, quotes
    or other non-letters, in Ukrainian alphabetical order (``collate``): the sort key must
    start with the surname's first indexed word (й, ї as they are), collated
    (``search.SearchPlan.ranges``)."""
    folded = sort_fold(text)
    if folded and not (folded[0].isalnum() and folded[-1].isalnum()):
        folded = _EDGES.sub("", folded)
    return collate(folded)


def sort_key(surname: str, name: str, paternal_name: str) -> str:
    return " ".join(_sort_part(p) for p in (surname, name, paternal_name))
