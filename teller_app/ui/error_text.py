"""Friendly, translated text for errors a teller may see.

The platform's own refusal messages (ValidationError / Conflict) are shown verbatim after a
translated lead-in: they are the only precise explanation there is, and support asks for them.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from teller_app.platform import (
    AuthError,
    Conflict,
    NotFound,
    PermissionDenied,
    PlatformError,
    Timeout,
    Unavailable,
    ValidationError,
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ErrorText", text)


def is_connectivity_error(exc: BaseException) -> bool:
    return isinstance(exc, Unavailable | Timeout)


def platform_message(exc: BaseException) -> str:
    """The platform's own words (``.message`` when present), else ``str(exc)``."""
    message = getattr(exc, "message", None)
    return str(message) if message else str(exc)


def _looks_disabled(exc: BaseException) -> bool:
    if getattr(exc, "reason", None) == "disabled":
        return True
    text = platform_message(exc).lower()
    return "disabled" in text or "inactive" in text or "blocked" in text


def sign_in_message(exc: BaseException) -> str:
    """Sign-in has its own wording: wrong password vs. disabled employee vs. no platform."""
    if isinstance(exc, AuthError):
        if _looks_disabled(exc):
            return _tr("This employee account is disabled. Ask your administrator.")
        if getattr(exc, "reason", None) in ("bank_auth", "bad_key"):
            return _tr("The bank's sign-in service refused this token.")
        return _tr("Wrong e-mail or password.")
    if isinstance(exc, PermissionDenied):
        if _looks_disabled(exc):
            return _tr("This employee account is disabled. Ask your administrator.")
        return _tr("This employee may not use Teller.")
    if isinstance(exc, Unavailable):
        return _tr("The platform cannot be reached. Check the network and try again.")
    if isinstance(exc, Timeout):
        return _tr("The platform did not answer in time. Try again.")
    return friendly_message(exc)


def friendly_message(exc: BaseException) -> str:
    if isinstance(exc, Unavailable):
        return _tr("The platform cannot be reached. Your work is kept; try again later.")
    if isinstance(exc, Timeout):
        return _tr("The platform did not answer in time. Your work is kept; try again.")
    if isinstance(exc, AuthError):
        return _tr("Your session has expired. Sign in again.")
    if isinstance(exc, PermissionDenied):
        return _tr("You are not allowed to do this.")
    if isinstance(exc, NotFound):
        return _tr("Not found on the platform.")
    if isinstance(exc, Conflict):
        return _tr("The platform refused: {message}").format(message=platform_message(exc))
    if isinstance(exc, ValidationError):
        return _tr("The platform refused: {message}").format(message=platform_message(exc))
    if isinstance(exc, PlatformError):
        return _tr("Platform error: {message}").format(message=platform_message(exc))
    return _tr("Unexpected error: {message}").format(message=str(exc) or type(exc).__name__)
