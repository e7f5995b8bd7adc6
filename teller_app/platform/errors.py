"""One exception tree for everything the platform client raises.

``PlatformError`` -> ``AuthError`` (401 / login failure), ``PermissionDenied`` (403),
``NotFound`` (404), ``Conflict`` (409 or the documented "... 409 ..." 400 texts),
``ValidationError`` (400/422, platform message verbatim in ``.message``), ``Unavailable``
(connection refused, DNS, 5xx, garbage body) and its subclass ``Timeout``; from the Teller
Hub also ``RateLimited`` (429), ``HubUnavailable``, ``HubCheckUnavailable`` (a 503 naming a
check the hub could not run) and ``DeskTooOld`` (426).

Every error carries ``status_code`` (None for network errors), ``method`` and ``path`` (never
a query string, never headers). ``str()``/``repr()`` are passed through the secret masker.
"""

from __future__ import annotations

from typing import Any

from ._sensitive import redact


class PlatformError(Exception):
    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        method: str | None = None,
        path: str | None = None,
        reason: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.message = redact(message)
        self.status_code = status_code
        self.method = method
        self.path = path.split("?", 1)[0] if path else path
        self.reason = reason
        # a refusal's structured fields the desk words (only the listed ones, ``_http_answer``:
        # the hub's 409 customer_change_in_progress names its ``blocking`` request); {} else
        self.detail: dict[str, Any] = dict(detail or {})
        # The request never left this machine (connection refused, connect timeout): nothing
        # was applied, so it may be sent again. Otherwise a lost answer leaves a write unknown.
        self.not_sent = False
        self.source = "platform"  # "hub": the Teller Hub answered (HubClient sets it)
        super().__init__(self.message)

    def __str__(self) -> str:
        where = f"{self.method} {self.path}" if self.method else ""
        status = f" -> {self.status_code}" if self.status_code is not None else ""
        suffix = f" ({where}{status})" if where or status else ""
        return redact(f"{self.message}{suffix}")

    def __repr__(self) -> str:
        return redact(
            f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r}, "
            f"method={self.method!r}, path={self.path!r}, reason={self.reason!r})"
        )


class AuthError(PlatformError):
    """Not authenticated. ``reason``: "invalid_credentials", "disabled", "expired",
    "bank_auth" (the bank's auth service refused), "bad_key" (bank JWT key unusable)."""


class PermissionDenied(PlatformError):
    pass


class NotFound(PlatformError):
    pass


class Conflict(PlatformError):
    pass


class ValidationError(PlatformError):
    """The platform refused the input; ``.message`` is its text, verbatim, for the UI."""


class Unavailable(PlatformError):
    """The platform cannot be reached or answered with a server error / unusable body."""


class Timeout(Unavailable):
    """No answer within the configured timeout (a kind of Unavailable)."""


class BankAuthDeclined(PlatformError):
    """DCM declined a write (customer create, additional account, payment confirm) because the
    bank's Auth Service refused or holds no secret for the customer: a 401 that is not about
    the employee's session (it persisted after signing in again, or DCM said so)."""


class RateLimited(PlatformError):
    """The Teller Hub refused for now (HTTP 429): too many failed sign-ins for this e-mail or
    address (``reason == "sign_in_throttled"``), or a costly check ran moments ago. Nothing
    was done; the same request is heard again later. Not an ``Unavailable``: the hub is up."""


class HubUnavailable(PlatformError):
    """The Teller Hub cannot be reached or answered with a server error. Not an
    ``Unavailable``: the platform itself may be fine, so the desk stays online. A 503 with
    ``reason == "database_unavailable"``: its database failed before the call changed
    anything, so nothing was done (any other 503, a timeout: a write's outcome unknown)."""


# a hub 503's reason: its database failed before the call changed anything (nothing done)
DATABASE_UNAVAILABLE = "database_unavailable"
# the hub 503s that say the call did nothing (with "hub_too_old": a hub process older than
# its database takes no writes); true of that attempt only, not of an earlier lost one
NOTHING_DONE_503 = frozenset({"hub_too_old", DATABASE_UNAVAILABLE})


def hub_did_nothing(exc: PlatformError) -> bool:
    """The hub answered this attempt 503 with a code that says it did nothing."""
    return exc.status_code == 503 and exc.reason in NOTHING_DONE_503


class HubCheckUnavailable(PlatformError):
    """The Teller Hub answered but could not run a check a write needs, so it did nothing
    (HTTP 503 with a code: ``reason == "phone_check_unavailable"``, it could not read DCM to
    check a phone number is free; ``"dcm_unreadable"``, it could not read DCM just now for
    another check or decision). Neither ``Unavailable`` nor ``HubUnavailable``: the hub
    and the platform may both be reachable, so the desk stays online; try again shortly."""


DCM_UNREADABLE = "dcm_unreadable"  # a HubCheckUnavailable's reason: DCM did not answer the hub


class DeskTooOld(PlatformError):
    """The Teller Hub refused a write because this desk is older than it allows (HTTP 426,
    ``reason == "desk_too_old"``): nothing was done; IT updates Teller. Final, never retried."""
