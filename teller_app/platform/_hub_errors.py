"""How ``HubClient`` reports a failed hub call: the platform's error tree, marked as the hub's
(``source = "hub"``), except that a hub that cannot be reached is ``HubUnavailable`` (the
platform may be fine: the desk stays online), a "later" is ``RateLimited``, a 503 naming a
check the hub could not run is ``HubCheckUnavailable`` (the hub answered: it is reachable)
and a desk older than the hub allows is ``DeskTooOld`` (426: nothing was done)."""

from __future__ import annotations

from .errors import (
    DCM_UNREADABLE,
    DeskTooOld,
    HubCheckUnavailable,
    HubUnavailable,
    PlatformError,
    RateLimited,
    Unavailable,
)

# 503 codes of a check the hub could not run (it did nothing), not of a hub that is down:
# a phone number not checked, or DCM not read just now (the hub answered; the platform did not)
CHECK_UNAVAILABLE = frozenset({"phone_check_unavailable", DCM_UNREADABLE})


def hub_error(exc: PlatformError, method: str, path: str) -> PlatformError:
    """The error to raise for ``exc`` (from the HTTP core, for a hub call): ``exc`` itself,
    marked, or a new one. ``path``: as error texts may show it (no secret's external id)."""
    if exc.status_code == 429:  # the hub is up and said "later" (e.g. sign-in throttle)
        limited = RateLimited(exc.message, status_code=429, method=method, path=path,
                              reason=exc.reason)
        limited.source = "hub"
        return limited
    if exc.status_code == 426:  # this desk is older than the hub allows: nothing done
        old = DeskTooOld(exc.message, status_code=426, method=method, path=path,
                         reason=exc.reason or "desk_too_old")
        old.source = "hub"
        return old
    if exc.status_code == 503 and exc.reason in CHECK_UNAVAILABLE:
        unchecked = HubCheckUnavailable(exc.message, status_code=503, method=method,
                                        path=path, reason=exc.reason)
        unchecked.source = "hub"
        return unchecked
    if not isinstance(exc, Unavailable):
        exc.path = path
        exc.source = "hub"
        return exc
    lost = HubUnavailable(
        f"the Teller Hub cannot be reached: {exc.message}",
        status_code=exc.status_code,
        method=method,
        path=path,
        # "hub_too_old": a process that takes no writes; "database_unavailable": its
        # database failed before anything of this call was changed (none done either way)
        reason=exc.reason,
    )
    lost.not_sent = exc.not_sent
    return lost
