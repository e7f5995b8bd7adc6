"""The Teller Hub's cash controls for a session (``hub_cash``: made once per session, its
till service's state lives on it), this desk's id for the till's lease, the history's voided
lookup and the end-of-day report's context (split from ``till_desk``)."""

from __future__ import annotations

import secrets
import socket
import weakref

from teller_app.core.history import VoidedLookup
from teller_app.core.session import Session
from teller_app.core.till import TillService
from teller_app.core.till_cash import HubCash, LinkCalls, best_effort_voided
from teller_app.ui.people_lookup import lookup_employee_names
from teller_app.ui.till_report import ReportContext

# This desk, as the hub's till lease knows it (a restart is a new desk: the old lease lapses).
DESK_ID = f"{socket.gethostname()[:40]}-{secrets.token_hex(3)}"
# each session's ``HubCash`` (made once: its till service's state lives on it), by the
# session's id; the session itself held weakly, so a closed session that nothing else holds
# goes with its entry (its link, and nothing of it kept for the life of the process)
_CACHE: dict[int, tuple[weakref.ref[Session], HubCash]] = {}


def hub_cash(session: Session) -> HubCash | None:
    """The hub's cash policy/gate for this session (None without a Teller Hub)."""
    link = session.hub
    if link is None:
        return None
    key = id(session)
    cached = _CACHE.get(key)
    if cached is not None and cached[0]() is session:
        return cached[1]
    calls = LinkCalls(link)
    cash = HubCash(calls, TillService(calls, DESK_ID))
    _CACHE[key] = (weakref.ref(session), cash)
    weakref.finalize(session, _CACHE.pop, key, None)
    return cash


def voided_lookup(session: Session) -> VoidedLookup | None:
    cash = hub_cash(session)
    return best_effort_voided(cash) if cash is not None else None


def report_context(session: Session) -> ReportContext:
    """Who and where, and the platform's employees list to name the co-signer (the hub
    keeps their e-mail only)."""
    from teller_app.ui.cash_desk import desk_context

    ctx = desk_context(session)
    client = session.client
    return ReportContext(ctx.bank, ctx.branch, ctx.teller,
                         people=lambda emails: lookup_employee_names(client, emails),
                         teller_email=session.employee.email)
