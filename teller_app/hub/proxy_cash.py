"""Cash in Mode B: the proxy forwards a confirmation of a cash draft (categories 04/02) only
when the hub controlled it, as ``cash_commands.unsupervised`` defines that for Mode A's
watcher: authorized at ``/cash/authorize`` (so the till, the daily limits and the
threshold were checked), not voided, the amount DCM holds is the one authorized, and an
over-threshold draft has an approved command. Without this a supervisor's own HTTP client
could confirm any draft through ``/dcm`` with the bank's key: Mode A detects that after
the fact, Mode B refuses it before."""

from __future__ import annotations

from typing import Any

from teller_app.hub.cash_commands import unsupervised
from teller_app.hub.cash_limits import CASH_KINDS, category_code
from teller_app.hub.errors import HubError
from teller_app.hub.proxy_rules import Refusal
from teller_app.hub.till_money import to_minor
from teller_app.platform import NotFound, PlatformError, ValidationError


async def refuse_unauthorized_cash(app_state: Any, payment_guid: str) -> None:
    """Raise ``Refusal`` unless the hub controlled this cash draft (others pass)."""
    fe = getattr(app_state, "four_eyes", None)
    if fe is None:
        raise Refusal(503, "the hub cannot check cash drafts yet")
    try:  # the kind and amount only (as the cash watcher reads them): no account lookup
        client = await fe.reader.client()
        payment = await client.get_payment(payment_guid, False)
        if await category_code(client, payment) not in CASH_KINDS:
            return
    except (NotFound, ValidationError):
        raise Refusal(404, "the hub cannot read this payment on DCM to check it") from None
    except (PlatformError, HubError):
        raise Refusal(503, "the hub cannot read this payment on DCM to check it") from None
    async with app_state.hub.engine.connect() as conn:
        found = await unsupervised(conn, payment_guid, to_minor(payment.amount))
    if found is not None:
        raise Refusal(403, "the Teller Hub has not authorized this cash payment for "
                      f"confirmation ({', '.join(found[1])})")
