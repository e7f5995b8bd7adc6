"""A supervisor co-signs at the teller's desk (issue 15): a till's opening count, a close
whose over/short passes the bank's tolerance, or a vault count another supervisor made. They
type their credentials there; their own short-lived session (platform + hub) co-signs, so
the hub checks who they are and their role — never the desk. The session is logged out
right after and never stored, and its password and tokens are forgotten by the log masking
(like ``approvals.decide_in_place``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TypeVar

from teller_app.core.till import BranchPosition, Till, TillService
from teller_app.secrets import Profile

IN_PLACE_DESK = "in-place"
T = TypeVar("T")


async def in_place(profile: Profile, email: str, password: str,
                   act: Callable[[TillService], Awaitable[T]]) -> T:
    """``act`` with the supervisor's own short session, closed everywhere after."""
    from teller_app.core.approvals import HubRequired, short_session
    from teller_app.core.till_cash import LinkCalls

    async with short_session(profile, email, password) as session:
        if session.hub is None:
            raise HubRequired("co-signing a till needs the Teller Hub")
        return await act(TillService(LinkCalls(session.hub), IN_PLACE_DESK))


async def cosign_with_credentials(profile: Profile, email: str, password: str,
                                  till_id: str) -> Till:
    """The opening count."""
    return await in_place(profile, email, password, lambda s: s.cosign(till_id))


async def cosign_close_with_credentials(profile: Profile, email: str, password: str,
                                        till_id: str, counted: Decimal) -> Till:
    """A close past the tolerance (``counted``: the count the supervisor was shown)."""
    return await in_place(profile, email, password,
                          lambda s: s.cosign_close(till_id, counted))


async def cosign_vault_with_credentials(profile: Profile, email: str, password: str,
                                        count_id: str) -> BranchPosition:
    """A vault count that differs from the book (a second supervisor)."""
    return await in_place(profile, email, password,
                          lambda s: s.cosign_vault_count(count_id))
