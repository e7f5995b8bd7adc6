"""A supervisor confirms a cash draft in place: at the teller's desk, with their own e-mail
and password, for a draft above the teller's limit. Their session is short-lived: opened for
this one confirm, then logged out on the platform and the hub, never stored."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from teller_app.core.cash_types import CashError, CashReceipt
from teller_app.secrets import Profile


async def confirm_with_credentials(
    profile: Profile, email: str, password: str, payment_guid: str, branch_guid: str | None
) -> CashReceipt:
    """A supervisor confirms a draft at the teller's desk with a short-lived session, used
    for this confirm only and logged out on the platform right after (never stored)."""
    from teller_app.core.approvals import short_session
    from teller_app.core.cash import CashService  # core.cash re-exports this module's name
    from teller_app.core.roles import Capability

    async with short_session(profile, email, password) as session:
        if not session.can(Capability.CASH_CONFIRM_ANY_AMOUNT):
            raise CashError("this employee may not confirm amounts above the teller's limit",
                            "not_a_checker")
        service = CashService(session.client, branch_guid or "", "", Decimal(0), True)
        receipt = await service.confirm(payment_guid)
        return replace(receipt, confirmed_by=str(session.employee.guid))
