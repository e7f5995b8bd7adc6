"""Field checks for the customer form. Each returns (normalised value, error text or "")."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from teller_app.cache.text import IBAN_GAPS
from teller_app.core.person_name import mixed_script_letter
from teller_app.platform.phones import DEFAULT_REGION, looks_like_phone, parse_phone
from teller_app.platform.text_rules import unsafe_char  # the hub's rule too

LOGIN_RE = re.compile(r"^[\w.@+\-]{3,128}$")
FORMULA_LEADS = ("=", "+", "-", "@")  # a spreadsheet would run the cell as a formula
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate ... pop directional isolate


def check_text(text: str, label: str, *, required: bool = False, multiline: bool = False,
               name: bool = False) -> tuple[str, str]:
    """A name (``name``: no leading =, +, - or @ either, and no word mixing Cyrillic and
    Latin letters) or free-text field."""
    value = text.strip()
    translate = QCoreApplication.translate
    if required and not value:
        return value, translate("Validators", "{field} is required.").format(field=label)
    if unsafe_char(value, multiline=multiline) is not None:
        return value, translate(
            "Validators", "{field} must not contain control characters or text-direction "
            "marks (they can disguise the text). Retype it.").format(field=label)
    if name and value.startswith(FORMULA_LEADS):
        return value, translate(
            "Validators", "{field} must not start with =, +, - or @.").format(field=label)
    mixed = mixed_script_letter(value) if name else None
    if mixed is not None:  # "Шевчeнко" with a Latin "e": looks right, found by no search
        letter, script = mixed
        if script == "Cyrillic":
            return value, translate(
                "Validators", "Latin letter \u201c{letter}\u201d in a Cyrillic word: type it "
                "in Cyrillic.").format(letter=letter)
        return value, translate(
            "Validators", "Cyrillic letter \u201c{letter}\u201d in a Latin word: type it in "
            "Latin.").format(letter=letter)
    return value, ""


# Platform text may hold what the desk's own form refuses (dialect text-unchecked): a line
# break or tab would split a one-line title, tab or cell; other control characters (C0, DEL,
# C1) paint as nothing or a box.
_BREAKS = re.compile("[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def one_line(text: str) -> str:
    """``text`` for display on one line: a line break, tab or separator becomes a space, any
    other control character U+FFFD (shown, so two names cannot look alike)."""
    if text.isprintable():  # the common case, in C
        return text
    return _CONTROLS.sub("\ufffd", _BREAKS.sub(" ", text))


def isolate(text: str) -> str:
    """``text`` on one line (``one_line``) wrapped in a direction isolate for display, so a
    right-to-left name cannot reorder the text around it (tables, inbox, card). A text that
    already is one isolate (a name isolated for its cell, then shown in a tooltip) is wrapped
    once: a second pair showed as boxes in fonts lacking the marks."""
    if not text:
        return text
    if _isolated(text):
        return one_line(text)
    return f"{FSI}{one_line(text)}{PDI}"


_OPENS = frozenset("\u2066\u2067\u2068")  # LRI, RLI, FSI: each closed by a PDI


def _isolated(text: str) -> bool:
    """``text`` is one isolate from its first character to its last: an opening mark whose
    own PDI ends it ("⁨a⁩ and ⁨b⁩" is two, and is wrapped again)."""
    if len(text) < 2 or text[0] not in _OPENS or text[-1] != PDI:
        return False
    depth = 0
    for n, char in enumerate(text):
        if char in _OPENS:
            depth += 1
        elif char == PDI and depth:
            depth -= 1
            if not depth:
                return n == len(text) - 1
    return False


def check_phone(text: str, region: str = DEFAULT_REGION) -> tuple[str, str]:
    """A valid phone number in E.164 ("+380671234567"); Ukrainian numbers need no prefix,
    and the old trunk prefix 8 ("8 067 123 45 67") is read as +380 (``platform.phones``)."""
    value, problem = parse_phone(text, region)
    if problem:  # unparsable or invalid: one message, whichever form the number was typed in
        return value, QCoreApplication.translate("Validators", "This phone number is not valid.")
    return value, ""


def check_iban(text: str) -> tuple[str, str]:
    """Compact IBAN ("UA21...") when its checksum and length are right."""
    raw = IBAN_GAPS.sub("", text).upper()  # "UA21 3223 …" as printed
    if not raw:
        return "", ""
    try:
        iban = IBAN(raw)
    except SchwiftyException as exc:
        if "checksum" in str(exc).lower():
            return raw, QCoreApplication.translate(
                "Validators", "The IBAN checksum is wrong: check the digits.")
        return raw, QCoreApplication.translate("Validators", "This is not a valid IBAN.")
    return iban.compact, ""


def check_login(text: str) -> tuple[str, str]:
    """The login as it is stored: an e-mail address in lower case (one person, one login:
    "Olena@ukr.net" and "olena@ukr.net" are one mailbox, and DCM refuses the second), a
    valid phone number typed as one in E.164 ("067 123 45 67" -> "+380671234567")."""
    value = text.strip()
    if not value:
        return "", QCoreApplication.translate("Validators", "Login is required.")
    if "@" in value:
        value = value.lower()
    elif looks_like_phone(value):
        phone, problem = parse_phone(value)
        value = phone if not problem else value
    if not LOGIN_RE.match(value):
        return value, QCoreApplication.translate(
            "Validators", "Use 3–128 letters, digits or . _ @ + -")
    return value, ""


def check_required(text: str, label: str) -> tuple[str, str]:
    value = text.strip()
    return value, "" if value else QCoreApplication.translate(
        "Validators", "{field} is required.").format(field=label)
