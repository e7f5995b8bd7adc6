"""A supervisor co-signs a till's opening count at the teller's desk (issue 15): they type
their credentials there; their own short-lived session (platform + hub) co-signs, so the hub
checks who they are and their role — never the desk. The session is logged out right after
and never stored, and its password and tokens are forgotten by the log masking (like
``approvals.decide_in_place``)."""

from __future__ import annotations

from teller_app.core.till import Till, TillService
from teller_app.platform._sensitive import secret_scope
from teller_app.secrets import Profile

IN_PLACE_DESK = "in-place"


async def cosign_with_credentials(profile: Profile, email: str, password: str,
                                  till_id: str) -> Till:
    from teller_app.core.approvals import HubRequired, close_everywhere
    from teller_app.core.session import make_auth, open_session
    from teller_app.core.till_cash import LinkCalls

    with secret_scope():
        session = await open_session(profile, make_auth(profile, email, password))
        try:
            if session.hub is None:
                raise HubRequired("co-signing a till needs the Teller Hub")
            return await TillService(LinkCalls(session.hub), IN_PLACE_DESK).cosign(till_id)
        finally:
            await close_everywhere(session)
