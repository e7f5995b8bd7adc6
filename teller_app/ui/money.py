"""Amounts as a teller reads them: "1 234,56 ₴" in Ukrainian, "1,234.56 UAH" in English.

Amounts are Decimal end to end; QLocale only formats the integer part's grouping so no float
ever touches a balance. A limit of 0 that means none (a customer's allowed balance) reads "no
limit" (``limit_text``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from PySide6.QtCore import QCoreApplication, QLocale

NBSP = "\u00a0"
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
    value = value.quantize(quant, rounding=ROUND_HALF_EVEN)
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):.{places}f}"
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


def parse_amount(text: str, minor_unit: int) -> Decimal | None:
    """Accepts "1 234,56", "1234.56", "1,234.56"; None when not a number or too many places."""
    cleaned = text.strip().replace(NBSP, "").replace(" ", "").replace("\u202f", "")
    if not cleaned:
        return Decimal(0)
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(",", "")  # "1,234.56": comma is grouping
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > max(0, minor_unit):
        return None
    return value


def _group(integer: str, separator: str) -> str:
    parts: list[str] = []
    while len(integer) > 3:
        parts.insert(0, integer[-3:])
        integer = integer[:-3]
    parts.insert(0, integer)
    return separator.join(parts)
