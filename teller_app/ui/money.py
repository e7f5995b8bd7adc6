"""Amounts as a teller reads them: "1 234,56 ₴" in Ukrainian, "1,234.56 UAH" in English.

Amounts are Decimal end to end; QLocale only formats the integer part's grouping so no float
ever touches a balance. A limit of 0 that means none (a customer's allowed balance) reads "no
limit" (``limit_text``).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext

from PySide6.QtCore import QCoreApplication, QLocale

NBSP = "\u00a0"
NNBSP = "\u202f"  # the narrow no-break space some systems group thousands with
# Digits before the decimal point a typed amount may have: the sandbox refuses amounts above
# 10^12 (13 digits; the platform's documents name no cap). More is refused as typed, never
# read: Decimal's 28 digits of precision would fail on it before the platform could.
MAX_INTEGER_DIGITS = 13
SPACES = f" {NBSP}{NNBSP}"  # what groups thousands in any language
CURRENCY_SIGNS = {"UAH": "₴", "EUAH": "₴"}


def app_locale() -> QLocale:
    return QLocale()


def is_ukrainian(locale: QLocale | None = None) -> bool:
    return (locale or app_locale()).language() == QLocale.Language.Ukrainian


def to_decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def format_number(amount: object, minor_unit: int, locale: QLocale | None = None) -> str:
    loc = locale or app_locale()
    value = to_decimal(amount)
    places = max(0, int(minor_unit))
    quant = Decimal(1).scaleb(-places)
    with localcontext() as context:  # every digit of any finite amount, never an error
        if value.is_finite():
            context.prec = max(context.prec, value.adjusted() + places + 2)
        value = value.quantize(quant, rounding=ROUND_HALF_EVEN)
    sign = "-" if value < 0 else ""
    digits = f"{value.copy_abs():.{places}f}"  # exact: abs() would round to 28 digits
    integer, _, fraction = digits.partition(".")
    if is_ukrainian(loc):
        group, decimal_point = NBSP, ","
    else:
        group = loc.groupSeparator() or ","
        decimal_point = loc.decimalPoint() or "."
        if group.isspace():  # a locale that groups with spaces: keep it unbreakable
            group = NBSP
    grouped = _group(integer, group)
    return f"{sign}{grouped}{decimal_point}{fraction}" if places else f"{sign}{grouped}"


def format_money(
    amount: object, minor_unit: int, code: str, locale: QLocale | None = None
) -> str:
    """The balance with its currency: the hryvnia sign in Ukrainian, the code otherwise."""
    loc = locale or app_locale()
    number = format_number(amount, minor_unit, loc)
    if is_ukrainian(loc):
        return f"{number}{NBSP}{CURRENCY_SIGNS.get(code.upper(), code)}"
    return f"{number}{NBSP}{code}"


def amount_text(value: object, minor_unit: int, currency: str | None) -> str:
    """A stored amount as a person reads it: with ``currency`` (None: the number alone); a
    value that is no finite number shown as it came (never as 0)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if currency is None:
        return format_number(number, minor_unit)
    return format_money(number, minor_unit, currency)


def no_limit_text() -> str:
    """The words for a limit of 0 that means none (a customer's allowed balance: the
    platform's FAQ 12). One source string, in the context it was first translated in."""
    return QCoreApplication.translate("AuditDetails", "no limit")


def limit_text(value: object, minor_unit: int, currency: str | None) -> str:
    """A limit whose 0 means none: "no limit", else the amount (``amount_text``)."""
    try:
        if Decimal(str(value)) == 0:
            return no_limit_text()
    except (InvalidOperation, ValueError):
        pass  # no number: as it came
    return amount_text(value, minor_unit, currency)


def format_uah(amount: object) -> str:
    """Cash in a till or the vault: hryvnias with kopiykas (``format_money``)."""
    return format_money(amount, 2, "UAH")


def parse_amount(text: str, minor_unit: int, locale: QLocale | None = None) -> Decimal | None:
    """A typed amount, or None when it is none or has more than ``minor_unit`` decimals (or
    more than ``MAX_INTEGER_DIGITS`` before them); "" is 0. ASCII digits only, an optional
    leading minus, "." or "," as the decimal separator, and thousands grouped by a space (also
    no-break or narrow) or a comma, in whole groups of three: "1 234,56", "1234.56",
    "1,234.56". A comma with no dot is the decimal separator ("1000,50"), except in English
    when it only groups thousands ("1,000", "1,000,000")."""
    cleaned = text.strip()
    if not cleaned:
        return Decimal(0)
    sign, cleaned = ("-", cleaned[1:]) if cleaned.startswith("-") else ("", cleaned)
    if "." not in cleaned and not is_ukrainian(locale) and _COMMA_GROUPED.fullmatch(cleaned):
        integer, fraction, grouping = cleaned, "", ","  # English "1,000": a thousand
    else:
        point = "." if "." in cleaned else ","
        integer, _, fraction = cleaned.partition(point)
        grouping = "," if point == "." else ""  # "1,234.56" in either language
    if not _INTEGER[grouping].fullmatch(integer) or not _FRACTION.fullmatch(fraction):
        return None
    if not integer and not fraction:  # "." or "," alone
        return None
    digits = re.sub(f"[{SPACES},]", "", integer)
    if len(digits.lstrip("0")) > MAX_INTEGER_DIGITS or len(fraction) > max(0, minor_unit):
        return None
    return Decimal(f"{sign}{digits or '0'}.{fraction}" if fraction else f"{sign}{digits}")


_COMMA_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+")
_FRACTION = re.compile(r"[0-9]*")
# The integer part: digits as typed ("0007"), or grouped by threes with no leading zero
# ("1 234 567"); keyed by what may group besides spaces ("," before a decimal point).
_INTEGER = {grouping: re.compile(f"[0-9]*|[1-9][0-9]{{0,2}}(?:[{SPACES}{grouping}][0-9]{{3}})+")
            for grouping in ("", ",")}


def _group(integer: str, separator: str) -> str:
    parts: list[str] = []
    while len(integer) > 3:
        parts.insert(0, integer[-3:])
        integer = integer[:-3]
    parts.insert(0, integer)
    return separator.join(parts)
