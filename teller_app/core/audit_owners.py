"""Whose audit entry: each outbox line names the employee who recorded it (``owner``), so a
flush sends only the signed-in employee's own; these rules decide which entries a session
may send and which acknowledgements the outbox keeps (core/audit.py uses them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from teller_app.core.audit import OutboxEntry


def owner_of(email: str | None) -> str:
    """The outbox's name for an employee: the sign-in e-mail, casefolded."""
    return (email or "").strip().casefold()


def sendable_by(entry: OutboxEntry, owner: str | None) -> bool:
    """May ``owner``'s session send ``entry``? None: any (no session to tell, e.g. a bare
    trail). An entry with no owner was written before owners were kept: it goes with whoever
    is signed in, as it always did (which employee recorded it is not known)."""
    return owner is None or not entry.owner or entry.owner == owner


def sent_past_others(entries: list[OutboxEntry], acked: set[str]) -> list[str]:
    """The acknowledged ``entries`` sent past earlier ones that still wait because they are
    another employee's (a flush skips them). One sent past an earlier entry its own sender
    could have sent is not kept: one sender goes in order, so that is a stray answer."""
    ahead: list[str] = []
    owners: set[str] = set()  # of the entries waiting so far
    legacy = False  # an entry with no owner waits (anyone sends it)
    for entry in entries:
        if entry.client_id in acked and not legacy and (
                not entry.owner or entry.owner not in owners):
            ahead.append(entry.client_id)
        elif entry.owner:
            owners.add(entry.owner)
        else:
            legacy = True
    return ahead
