"""One order for a customer's full name wherever the desk shows or prints it (table, card,
cash dialog, receipts, history, approvals, audit): the Ukrainian official order — прізвище,
ім'я, по батькові ("Surname Name Patronymic"). Missing parts are left out, never padded.

And one form for the text of a name as typed (``normalise_person_name``), with the check for a
word that mixes Cyrillic and Latin letters (``mixed_script_letter``): "Шевчeнко" with a Latin
"e" looks right and is found by nobody. No Qt."""

from __future__ import annotations

import re
import unicodedata


def official_name(surname: str | None, name: str | None, paternal_name: str | None = None) -> str:
    """"Шевченко Тарас Григорович"; "" when every part is empty."""
    parts = (part.strip() for part in (surname, name, paternal_name) if part)
    return " ".join(part for part in parts if part)


# The apostrophe of Ukrainian names ("Мар'яна", "Об'єднаний") is typed as any of the
# ``APOSTROPHES`` the cache's search knows (``cache.translit``). One form is stored, so the
# same name is the same text (exact platform filters such as ``surnames``, duplicate
# checks, sorting): U+02BC MODIFIER LETTER APOSTROPHE, the form of
# the Ukrainian standard keyboard layout (DSTU 4846:2007) and the one Unicode recommends for
# a letter apostrophe — a letter, so a word with it stays one word (selection, search). The
# same form is used in Latin names ("OʼBrien"): one form everywhere, whatever the script.
UK_APOSTROPHE = "\u02bc"
_SPACES = re.compile(r"\s+")


def normalise_person_name(text: str) -> str:
    """A name part as it is stored: NFC (a letter and its combining mark typed or pasted
    apart: U+0406 then U+0308 -> "Ї"), every apostrophe as U+02BC, runs of whitespace as
    one space, no space at either end."""
    # the apostrophes the cache's search knows; imported here, not at the top: the sign-in
    # window imports this module (official_name) before its paint, and translit compiles
    # its patterns on import
    from teller_app.cache.translit import APOSTROPHES

    composed = unicodedata.normalize("NFC", text)
    one_apostrophe = "".join(UK_APOSTROPHE if ch in APOSTROPHES else ch for ch in composed)
    return _SPACES.sub(" ", one_apostrophe).strip()


def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    if name.startswith("CYRILLIC"):
        return "Cyrillic"
    if name.startswith("LATIN"):
        return "Latin"
    return None


def mixed_script_letter(text: str) -> tuple[str, str] | None:
    """The first letter that does not belong in its word: (letter, the word's script) for a
    word mixing Cyrillic and Latin letters ("Шевчeнко" with a Latin "e": ("e", "Cyrillic")).
    The word's script is the one most of its letters are in (Cyrillic when even). None when
    every word keeps to one script (fully Latin names are fine)."""
    for word in re.split(r"[^\w\u02bc'\u2019]+", unicodedata.normalize("NFC", text)):
        scripts = [(ch, _script(ch)) for ch in word]
        cyrillic = sum(1 for _, s in scripts if s == "Cyrillic")
        latin = sum(1 for _, s in scripts if s == "Latin")
        if cyrillic and latin:
            word_script = "Cyrillic" if cyrillic >= latin else "Latin"
            odd = next(ch for ch, s in scripts if s is not None and s != word_script)
            return odd, word_script
    return None
