"""Employees switched away on the lock screen are signed out with the window: an explicit
sign-out ends the sign-in of everyone who used it, not only the one signed in last. Their
sessions were closed at the switch; what is left of them on the desk is their remembered
sign-in (forgotten) and their branch cache (wiped when the machine policy
``wipe_cache_at_sign_out`` says so: the shared-OS-account PC it exists for)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from teller_app.core.branch_cache import BranchCacheBundle, close_branch_cache

if TYPE_CHECKING:
    from teller_app.core.session import Session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SwitchedAway:
    profile_name: str
    emails: frozenset[str]  # under which their remembered sign-in may be kept
    bundle: BranchCacheBundle | None  # their cache, closed at the switch
    closing: asyncio.Future[None] | None  # that close (awaited before a wipe)


def left(session: Session, bundle: BranchCacheBundle | None,
         closing: asyncio.Future[None] | None) -> SwitchedAway:
    from teller_app.ui.sign_in import signed_in_emails

    return SwitchedAway(session.profile.name, signed_in_emails(session), bundle, closing)


async def settle(switched_away: tuple[SwitchedAway, ...], *, signing_out: bool) -> None:
    """Wait until their caches are closed; with ``signing_out`` sign them out as well."""
    from teller_app.ui.sign_in import forget_remembered

    seen: set[int] = set()
    for away in switched_away:
        if away.closing is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.shield(away.closing)
        if not signing_out:
            continue
        if away.bundle is not None and id(away.bundle) not in seen:
            seen.add(id(away.bundle))
            try:  # closed already: this only wipes it, as the policy says
                await close_branch_cache(away.bundle, signing_out=True)
            except Exception as exc:
                log.warning("sign-out: a switched-away cache was not wiped (%s)",
                            type(exc).__name__)
        await forget_remembered(away.profile_name, away.emails)
