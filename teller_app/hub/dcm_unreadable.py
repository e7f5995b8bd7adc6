"""503 ``dcm_unreadable``: the hub could not read DCM just now for a check or a decision a
call needs, so it did nothing. The hub answered, so a desk says that (not "the hub cannot be
reached"), stays online and lets the teller try again. A hub that cannot read DCM at all (not
configured, starting) answers its 503 without this code."""

from __future__ import annotations

from .errors import HubError

DCM_UNREADABLE = "dcm_unreadable"


def dcm_unreadable(message: str) -> HubError:
    """The 503 to raise; ``message``: English, for logs (what could not be read)."""
    return HubError(503, message, DCM_UNREADABLE)
