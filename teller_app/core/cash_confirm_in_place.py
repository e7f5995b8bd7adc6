"""A supervisor confirms a cash draft in place: at the teller's desk, with their own e-mail
and password, for a draft above the teller's limit. Their session is short-lived: opened for
this one confirm, then logged out on the platform and the hub, never stored."""

from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal

from teller_app.core.cash_types import CashError, CashReceipt
from teller_app.secrets import Profile

log = logging.getLogger(__name__)


async def confirm_with_credentials(
    profile: Profile, email: str, password: str, payment_guid: str, branch_guid: str | None
) -> CashReceipt:
    """A supervisor confirms a draft at the teller's desk with a short-lived session, used
    for this confirm only and logged out on the platform right after (never stored)."""
    from teller_app.platform._sensitive import secret_scope

    with secret_scope():  # the supervisor's password and session: forgotten once done
        return await _confirm_with_credentials(profile, email, password, payment_guid,
                                               branch_guid)


async def _confirm_with_credentials(
    profile: Profile, email: str, password: str, payment_guid: str, branch_guid: str | None
) -> CashReceipt:
    from teller_app.core.approvals import close_everywhere
    from teller_app.core.cash import CashService  # core.cash re-exports this module's name
    from teller_app.core.roles import Capability
    from teller_app.core.session import make_auth, open_session

    session = await open_session(profile, make_auth(profile, email, password))
    try:
        if not session.can(Capability.CASH_CONFIRM_ANY_AMOUNT):
            raise CashError("this employee may not confirm amounts above the teller's limit",
                            "not_a_checker")
        service = CashService(session.client, branch_guid or "", "", Decimal(0), True)
        receipt = await service.confirm(payment_guid)
        return replace(receipt, confirmed_by=str(session.employee.guid))
    finally:
        try:
            await close_everywhere(session)  # logged out on the platform and the hub
        except Exception as exc:  # a confirmed payment is never reported as failed
            log.warning("the supervisor's short session did not close (%s)",
                        type(exc).__name__)
