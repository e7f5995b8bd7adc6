"""Phone numbers read one way everywhere a number is compared: the desk's form and its
duplicate look-up, and the hub's "one customer per phone number" control (the back office
requires a unique phone number, §3.4 [D-UG]; the API does not check it).

E.164 ("+380671234567") is the one form. Ukrainian numbers need no prefix ("067 123 45 67"),
and the old trunk prefix 8 ("8 067 123 45 67", "80671234567": still typed, and kept by
older systems) is read as +380. ``phonenumbers`` is imported on first use (hub start-up,
the desk's sign-in paint).
"""

from __future__ import annotations

import re
from typing import Literal

DEFAULT_REGION = "UA"
_LEGACY_TRUNK = re.compile(r"^80\d{9}$")  # 8 + the national 0XX XXX XX XX
_PHONE_CHARS = re.compile(r"^[\d\s().\-+]+$")
_NOT_ASCII_DIGIT = re.compile(r"[^0-9]+")

Problem = Literal["", "unparsable", "invalid"]


def digits(text: str) -> str:
    """The digits of ``text`` (any script's, as ``str.isdigit``), in order."""
    if text.isascii():
        return _NOT_ASCII_DIGIT.sub("", text)  # str.isdigit is 0-9 for ASCII: in C
    return "".join(ch for ch in text if ch.isdigit())


def legacy_trunk(raw: str) -> str:
    """``raw`` with the old Ukrainian trunk prefix 8 read as +3 ("8 067 123 45 67" ->
    "+380671234567"); any other text as it is."""
    if "+" in raw or not _PHONE_CHARS.match(raw):
        return raw
    found = digits(raw)
    return "+3" + found if _LEGACY_TRUNK.match(found) else raw


def parse_phone(text: str, region: str = DEFAULT_REGION) -> tuple[str, Problem]:
    """(E.164, "") for a valid number; (the text stripped, why not) otherwise; ("", "") for
    a blank one."""
    import phonenumbers

    raw = text.strip()
    if not raw:
        return "", ""
    try:
        number = phonenumbers.parse(legacy_trunk(raw), region)
    except phonenumbers.NumberParseException:
        return raw, "unparsable"
    if not phonenumbers.is_valid_number(number):
        return raw, "invalid"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


def e164(text: str | None, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164, or None when ``text`` is blank or not a valid number."""
    value, problem = parse_phone(text or "", region)
    return value if value and not problem else None


def same_phone(a: str | None, b: str | None) -> bool:
    """Whether two written numbers are the same valid number."""
    left = e164(a)
    return left is not None and left == e164(b)


def same_number_written(a: str | None, b: str | None) -> bool:
    """``same_phone``, and both written as a number alone (digits, spaces, brackets, dashes,
    dots, "+"): "+380671112233 доб. 099" or "tel:+380..." is other text to store, so a change
    to it is a change (``same_phone`` reads through them, as a holder search should)."""
    return all(_PHONE_CHARS.match(x or "") for x in (a, b)) and same_phone(a, b)


def looks_like_phone(text: str) -> bool:
    """A login typed as a phone number: phone characters only, led by "+", "0" or a
    country / trunk prefix ("380...", "80..."). A bare 9-digit or other number is left
    alone: it may be a customer number or a tax id."""
    raw = text.strip()
    if not raw or not _PHONE_CHARS.match(raw):
        return False
    found = digits(raw)
    # "80…" only as the old trunk form, 80 + a 9-digit national number (11 digits): a bare
    # 9-digit "80…" is another kind of number (review: 800123456 became +380800123456)
    return raw.startswith(("+", "0", "(0")) or found.startswith("380") or (
        found.startswith("80") and len(found) == 11)


def written_forms(number: str) -> list[str]:
    """How a server may have stored ``number`` (E.164) — the platform stores any string and
    another channel or the back office may have written it so — for an exact
    ``phone_numbers`` filter: as it is, without the "+", ``phonenumbers``' international and
    national formats, and for a Ukrainian number the usual written forms ("0671234567",
    "+380 67 123 45 67", "+38 (067) 123-45-67", "067 123 45 67", "(067) 123-45-67", the old
    trunk "8 067 123 45 67"...). Each distinct form once, the plain ones first. A form
    nobody listed here (other spacing, other punctuation) is still not found: the filter is
    exact; callers re-check the rows with ``same_phone``."""
    import phonenumbers

    valid = e164(number)
    if valid is None:
        return []
    forms = [valid, valid[1:]]
    if valid.startswith("+380") and len(valid) == 13:
        forms += _ukrainian_forms(valid[4:])
    parsed = phonenumbers.parse(valid)
    for style in (phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                  phonenumbers.PhoneNumberFormat.NATIONAL):
        forms.append(phonenumbers.format_number(parsed, style))
    return list(dict.fromkeys(forms))


def _ukrainian_forms(national: str) -> list[str]:
    """The written forms of a Ukrainian number from its 9 national digits (``671234567``),
    grouped as people and older systems write a mobile or Kyiv number: 0XX XXX XX XX."""
    code, a, b, c = national[:2], national[2:5], national[5:7], national[7:]
    spaced, dashed = f"{a} {b} {c}", f"{a}-{b}-{c}"
    return [
        "0" + national,
        f"+380 {code} {spaced}", f"+380 ({code}) {dashed}", f"+380 ({code}) {spaced}",
        f"+380-{code}-{dashed}",
        f"+38 (0{code}) {dashed}", f"+38 (0{code}) {spaced}", f"+38 0{code} {spaced}",
        f"+38(0{code}){dashed}", f"38 0{code} {spaced}", f"380 {code} {spaced}",
        f"0{code} {spaced}", f"(0{code}) {dashed}", f"(0{code}) {spaced}", f"0{code}-{dashed}",
        f"0{code} {a}{b}{c}", f"(0{code}){a}{b}{c}",
        "80" + national, f"8 0{code} {spaced}", f"8 (0{code}) {dashed}",
    ]
