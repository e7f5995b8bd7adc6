"""Friendly, translated text for errors a teller may see.

The platform's own refusal messages (ValidationError / Conflict) are shown verbatim after a
translated lead-in: they are the only precise explanation there is, and support asks for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from teller_app.cache import CacheCorruptError, CacheError, CacheIOError, CacheLockedError
from teller_app.core.instance_lock import AnotherInstanceRunning
from teller_app.core.supervisor_sign_in import SupervisorSignInRefused
from teller_app.platform import (
    AuthError,
    BankAuthDeclined,
    Conflict,
    HubUnavailable,
    NotFound,
    PermissionDenied,
    PlatformError,
    Timeout,
    TransportSecurityError,
    Unavailable,
    ValidationError,
)
from teller_app.platform.errors import (
    DATABASE_UNAVAILABLE,
    DeskTooOld,
    HubCheckUnavailable,
    RateLimited,
)
from teller_app.secrets import redact_text

if TYPE_CHECKING:
    from teller_app.core.branch_cache import BranchCacheBundle
    from teller_app.core.session import Session


def safe_text(exc: BaseException | str) -> str:
    """Exception (or any) text fit for a dialog, banner or detail box: every registered secret
    and anything token-, PEM- or JWT-shaped masked, URL query strings stripped."""
    text = exc if isinstance(exc, str) else (str(exc) or type(exc).__name__)
    return redact_text(text)


def is_connectivity_error(exc: BaseException) -> bool:
    return isinstance(exc, Unavailable | Timeout)


def platform_message(exc: BaseException) -> str:
    """The platform's own words (``.message`` when present), else ``str(exc)``."""
    message = exc.message if isinstance(exc, PlatformError) else None
    return safe_text(str(message) if message else str(exc))


def _reason(exc: BaseException) -> str | None:
    return exc.reason if isinstance(exc, PlatformError) else None


def _looks_disabled(exc: BaseException) -> bool:
    if _reason(exc) == "disabled":
        return True
    text = platform_message(exc).lower()
    return "disabled" in text or "inactive" in text or "blocked" in text


def transport_message(exc: TransportSecurityError) -> str:
    """Why a connection was refused for safety: never retried, the profile must change."""
    translate = QCoreApplication.translate
    if exc.reason == "https_required":
        return translate("ErrorText", "This platform address must start with https:// (plain "
                         "http:// is allowed only for this computer). Ask your administrator "
                         "to fix the profile.")
    if exc.reason == "pin_mismatch":
        return translate("ErrorText", "The server's key does not match the key pinned in the "
                         "profile: the connection was refused and nothing was sent. Tell your "
                         "administrator.")
    if exc.reason == "untrusted_certificate":
        return translate("ErrorText", "The server's certificate is not trusted: the connection "
                         "was refused and nothing was sent. Tell your administrator.")
    return translate("ErrorText", "The profile's connection settings are not valid: "
                     "{message}").format(message=platform_message(exc))


def is_wrong_credentials(exc: BaseException) -> bool:
    """The platform refused the e-mail and password themselves (not a disabled employee, a
    missing hub, an expired remembered sign-in or the bank's token service)."""
    return isinstance(exc, AuthError) and not _looks_disabled(exc) and exc.reason not in (
        "no_hub", "remembered_expired", "bank_auth")


def sign_in_message(exc: BaseException) -> str:
    """Sign-in has its own wording: wrong password vs. disabled employee vs. no platform."""
    if isinstance(exc, TransportSecurityError):
        return transport_message(exc)
    if isinstance(exc, AnotherInstanceRunning):
        return QCoreApplication.translate(
            "ErrorText", "Teller is already running for this profile on this computer. Switch "
            "to that window, or close it and sign in again here.")
    if isinstance(exc, AuthError):
        if is_wrong_credentials(exc):  # the one test of it (the re-auth prompt words it too)
            return QCoreApplication.translate("ErrorText", "Wrong e-mail or password.")
        if _looks_disabled(exc):
            return QCoreApplication.translate(
                "ErrorText", "This employee account is disabled. Ask your administrator.")
        if exc.reason == "no_hub":
            return QCoreApplication.translate(
                "ErrorText", "This profile signs in through the bank's Teller Hub, but no hub "
                "address is set. Ask your administrator.")
        if exc.reason == "remembered_expired":
            return QCoreApplication.translate(
                "ErrorText", "The remembered sign-in has expired or was revoked. Enter your "
                "password.")
        return QCoreApplication.translate(  # "bank_auth", what is left
            "ErrorText", "The bank's sign-in service refused this token.")
    if isinstance(exc, PermissionDenied):
        if _looks_disabled(exc):
            return QCoreApplication.translate(
                "ErrorText", "This employee account is disabled. Ask your administrator.")
        return QCoreApplication.translate("ErrorText", "This employee may not use Teller.")
    if isinstance(exc, Unavailable):
        return QCoreApplication.translate(
            "ErrorText", "The platform cannot be reached. Check the network and try again.")
    if isinstance(exc, Timeout):
        return QCoreApplication.translate(
            "ErrorText", "The platform did not answer in time. Try again.")
    return friendly_message(exc)


def bank_auth_declined_text(detail: str = "") -> str:
    """DCM declined because of the bank's Auth Service; ``detail`` is DCM's own reason
    (e.g. it did not answer within 1 s), shown verbatim like other platform refusals."""
    text = QCoreApplication.translate(
        "ErrorText", "The bank's Auth Service refused, or has no secret for this customer or "
        "for the branch's cash account (a cash payment is signed for it). Your work is kept.")
    if not detail:
        return text
    return QCoreApplication.translate("ErrorText", "{message} (The platform said: {detail})"
                                      ).format(message=text, detail=detail)


def hub_unavailable_text() -> str:
    """Creating a customer: the hub issues the secret before DCM is asked, so a hub that
    cannot be reached means nothing was created."""
    return QCoreApplication.translate(
        "ErrorText", "The bank's Teller Hub cannot be reached, so the customer's secret could "
        "not be issued and nothing was created. Your work is kept; try again later.")


def desk_too_old_text() -> str:
    """The hub refuses this desk's writes (426 ``desk_too_old``): nothing was done."""
    return QCoreApplication.translate(
        "ErrorText", "This desk is older than the Teller Hub allows: ask IT to update Teller.")


def hub_too_old_text() -> str:
    """A hub process older than its database requires refused a write (503 ``hub_too_old``,
    during an upgrade): nothing was done."""
    return QCoreApplication.translate(
        "ErrorText", "The Teller Hub is being updated and did not take this: nothing was "
        "done. Your work is kept; try again in a minute.")


def version_refusal_text(exc: BaseException) -> str | None:
    """A write refused for a version (this desk's or a hub process's), else None."""
    if isinstance(exc, DeskTooOld) or _reason(exc) == "desk_too_old":
        return desk_too_old_text()
    if isinstance(exc, Unavailable | HubUnavailable) and _reason(exc) == "hub_too_old":
        return hub_too_old_text()
    return None


def write_not_taken(exc: BaseException) -> bool:
    """A write the hub answered 503 ``database_unavailable`` (its API or its /dcm proxy):
    its database failed before the write changed anything. Only this code: a 503 without it
    (a proxy's, one after a commit) or a timeout leaves a write's outcome unknown."""
    from teller_app.platform.hub_client import SESSIONS_PATH  # after the first paint

    return (isinstance(exc, Unavailable | HubUnavailable) and exc.status_code == 503
            and exc.reason == DATABASE_UNAVAILABLE and exc.path != SESSIONS_PATH
            and exc.method not in (None, "GET", "HEAD", "OPTIONS"))


def hub_database_text() -> str:
    return QCoreApplication.translate(
        "ErrorText", "The Teller Hub cannot use its database just now, so nothing was done. "
        "Your work is kept; try again when the hub is back.")


def desk_version_notice(session: Session) -> str | None:
    """What the main window says after sign-in when the hub refuses this desk's writes (the
    desk still reads; every write would be refused)."""
    return desk_too_old_text() if session.desk_too_old else None


def answer_may_be_lost(exc: BaseException) -> bool:
    """The hub did not answer a write that reached it: it may have been applied. Not a read,
    not a request that never left, not the hub session's opening, not a write a hub process
    refused for its version (``hub_too_old``: it did nothing), nor one its database failed
    before it changed anything (``database_unavailable``)."""
    from teller_app.platform.hub_client import SESSIONS_PATH  # after the first paint

    return (isinstance(exc, HubUnavailable) and not exc.not_sent
            and exc.reason != "hub_too_old" and not write_not_taken(exc)
            and exc.path != SESSIONS_PATH and exc.method not in (None, "GET", "HEAD", "OPTIONS"))


def hub_unreachable_text(exc: HubUnavailable) -> str:
    """Issuing a customer's secret is the first step of a create (nothing was created);
    elsewhere a read simply failed, but a write's answer may be what was lost, so the
    teller is never told that nothing happened."""
    from teller_app.platform.hub_client import SECRETS_PATH  # after the first paint

    if exc.path == SECRETS_PATH:
        return hub_unavailable_text()
    if not answer_may_be_lost(exc):
        return QCoreApplication.translate(
            "ErrorText", "The bank's Teller Hub cannot be reached. Try again later.")
    return QCoreApplication.translate(
        "ErrorText", "The bank's Teller Hub did not answer, so it is not known whether this "
        "went through. Your work is kept; look at the current state before you try again.")


def hub_refusal_text(exc: PlatformError) -> str:
    """The Teller Hub refused (its controls: tills, vault, four eyes): its code worded when
    the desk knows it, else its own words after a lead-in that names the hub."""
    from teller_app.ui.till_text import hub_code_text

    worded = version_refusal_text(exc) or hub_code_text(exc.reason or "")
    if worded:
        return worded
    if isinstance(exc, PermissionDenied):
        return QCoreApplication.translate("ErrorText", "You are not allowed to do this.")
    return QCoreApplication.translate("ErrorText", "The Teller Hub refused: {message}").format(
        message=platform_message(exc))


def cache_message(exc: BaseException) -> str:
    """Why the local cache could not be opened or used (nothing was deleted in these cases,
    but a damaged file: it is rebuilt)."""
    translate = QCoreApplication.translate
    if isinstance(exc, CacheCorruptError):
        return cache_damaged_text()
    if isinstance(exc, CacheLockedError):
        return translate("ErrorText", "The local cache is in use by another Teller on this "
                         "computer; searching the platform directly. Close the other Teller "
                         "to use the cache.")
    if isinstance(exc, CacheIOError):
        if exc.kind == "disk_full":
            return translate("ErrorText", "The disk is full, so the local cache cannot be "
                             "opened; searching the platform directly. Nothing was deleted. "
                             "Free some disk space and sign in again.")
        if exc.kind == "read_only":
            return translate("ErrorText", "The local cache folder is read-only; searching the "
                             "platform directly. Nothing was deleted. Ask your administrator.")
        return translate("ErrorText", "The local cache cannot be read or written (a disk "
                         "error); searching the platform directly. Nothing was deleted.")
    return translate("ErrorText", "The local cache could not be opened; searching the "
                     "platform directly.")


def cache_damaged_text() -> str:
    return QCoreApplication.translate(
        "ErrorText", "The local cache was damaged and is being rebuilt from the platform; "
        "searching the platform directly meanwhile.")


def cache_notice(cache: BranchCacheBundle | None) -> str | None:
    """What the main window says when the branch cache was wiped because a newer Teller made
    it (this desk was rolled back), or is being replaced because it was found damaged, until
    the sync has rebuilt it."""
    if cache is not None and cache.rebuilt_damaged:
        return cache_damaged_text()
    if cache is None or not cache.rebuilt_from_newer:
        return None
    return QCoreApplication.translate(
        "AppController", "This desk's cache was made by a newer Teller: it is being rebuilt.")


def rate_limited_text(exc: RateLimited) -> str:
    """The hub heard the request and refused it for now (429): nothing was done."""
    if exc.reason == "sign_in_throttled":
        return QCoreApplication.translate(
            "ErrorText", "Too many failed sign-ins for this account. Wait a few minutes and "
            "try again.")
    if exc.reason == "phone_checks_throttled":  # the hub's limit on "is this number held"
        return QCoreApplication.translate(
            "ErrorText", "Too many phone number checks from this account in the last minute: "
            "nothing was saved. Your work is kept; wait a minute and try again.")
    if exc.reason == "audit_verify_busy":
        return QCoreApplication.translate(
            "ErrorText", "The audit chain was checked moments ago. Try again in a minute.")
    return QCoreApplication.translate(
        "ErrorText", "The Teller Hub asks to wait a moment: nothing was done. Try again in a "
        "minute.")


def hub_check_text(exc: HubCheckUnavailable) -> str:
    """The hub answered but could not run a check a write needs (503 with a code): nothing
    was done, and the hub is not unreachable."""
    if exc.reason == "phone_check_unavailable":
        return QCoreApplication.translate(
            "ErrorText", "The Teller Hub could not check the phone number with the platform "
            "just now: nothing was saved. Your work is kept; try again in a moment.")
    if exc.reason == "dcm_unreadable":  # the hub answered: the platform did not answer it
        return QCoreApplication.translate(
            # "this step": a cash draft made before it stays (the dialog says so beside it)
            "ErrorText", "The Teller Hub could not read the platform just now, so it did not "
            "take this step. Your work is kept; try again in a moment.")
    return QCoreApplication.translate(
        "ErrorText", "The Teller Hub could not run a check just now: nothing was done. Try "
        "again in a moment.")


def friendly_message(exc: BaseException) -> str:
    if (version := version_refusal_text(exc)) is not None:
        return version
    if write_not_taken(exc):
        return hub_database_text()
    if isinstance(exc, RateLimited):
        return rate_limited_text(exc)
    if isinstance(exc, BankAuthDeclined):
        return bank_auth_declined_text(platform_message(exc))
    if isinstance(exc, HubUnavailable):
        return hub_unreachable_text(exc)
    if isinstance(exc, HubCheckUnavailable):
        return hub_check_text(exc)
    if isinstance(exc, TransportSecurityError):
        return transport_message(exc)
    if isinstance(exc, AnotherInstanceRunning):
        return sign_in_message(exc)
    if isinstance(exc, CacheError):  # a damaged file, a full disk: never "Unexpected error"
        return cache_message(exc)
    if isinstance(exc, Unavailable):
        return QCoreApplication.translate(
            "ErrorText", "The platform cannot be reached. Your work is kept; try again later.")
    if isinstance(exc, Timeout):
        return QCoreApplication.translate(
            "ErrorText", "The platform did not answer in time. Your work is kept; try again.")
    if isinstance(exc, SupervisorSignInRefused):  # a supervisor's at this desk: not ours
        return sign_in_message(exc)
    if isinstance(exc, AuthError):
        return QCoreApplication.translate("ErrorText", "Your session has expired. Sign in again.")
    if isinstance(exc, PlatformError) and exc.source == "hub":
        return hub_refusal_text(exc)
    if isinstance(exc, PermissionDenied):
        return QCoreApplication.translate("ErrorText", "You are not allowed to do this.")
    if isinstance(exc, NotFound):
        return QCoreApplication.translate("ErrorText", "Not found on the platform.")
    if isinstance(exc, Conflict):
        return QCoreApplication.translate(
            "ErrorText", "The platform refused: {message}").format(message=platform_message(exc))
    if isinstance(exc, ValidationError):
        return QCoreApplication.translate(
            "ErrorText", "The platform refused: {message}").format(message=platform_message(exc))
    if isinstance(exc, PlatformError):
        return QCoreApplication.translate(
            "ErrorText", "Platform error: {message}").format(message=platform_message(exc))
    return QCoreApplication.translate(
        "ErrorText", "Unexpected error: {message}").format(message=safe_text(exc))
