"""Field checks for the customer form. Each returns (normalised value, error text or "")."""

from __future__ import annotations

import re

import phonenumbers
from PySide6.QtCore import QCoreApplication
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

DEFAULT_REGION = "UA"
LOGIN_RE = re.compile(r"^[\w.@+\-]{3,128}$")


def check_phone(text: str, region: str = DEFAULT_REGION) -> tuple[str, str]:
    """A valid phone number in E.164 ("+380671234567"); Ukrainian numbers need no prefix."""
    raw = text.strip()
    if not raw:
        return "", ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return raw, QCoreApplication.translate("Validators", "Not a phone number.")
    if not phonenumbers.is_valid_number(number):
        return raw, QCoreApplication.translate("Validators", "This phone number is not valid.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


def check_iban(text: str) -> tuple[str, str]:
    """Compact IBAN ("UA21...") when its checksum and length are right."""
    raw = text.strip().replace(" ", "").upper()
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
    value = text.strip()
    if not value:
        return "", QCoreApplication.translate("Validators", "Login is required.")
    if not LOGIN_RE.match(value):
        return value, QCoreApplication.translate(
            "Validators", "Use 3–128 letters, digits or . _ @ + -")
    return value, ""


def check_required(text: str, label: str) -> tuple[str, str]:
    value = text.strip()
    return value, "" if value else QCoreApplication.translate(
        "Validators", "{field} is required.").format(field=label)
