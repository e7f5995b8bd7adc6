"""Cash in Mode B: the proxy forwards a confirmation of a cash draft only when the hub
controlled it, as ``cash_commands.unsupervised`` defines that for Mode A's watcher:
authorized at ``/cash/authorize`` (so the till, the daily limits and the threshold were
checked), not voided, the amount DCM holds is the one authorized and one a till can count
(a whole multiple of its smallest coin: 422 ``cash_amount_step``), and an over-threshold
draft has an approved command. Without this a supervisor's own HTTP client could confirm
any draft through ``/dcm`` with the bank's key: Mode A detects that after the fact, Mode B
refuses it before.

What is cash is told by the accounts (``cash_kind``), whatever the category: a bank entity →
customer payment with no category is cash, and a "02" / "04" that does not move money
through the customer's branch processing account, or is not in the till's currency, is
cash no till may take: refused. So is cash for a customer whose status the policy treats as
blocked (``cash_customer``), read on DCM right before the confirm (the row the proxy's payer
check read moments before, when it read the customer): a draft authorized before the block is
never confirmed after it. A draft authorized on an earlier cash day (before Kyiv midnight)
that the desk did not check again today is decided again for today and filed under it
(``cash_commands.file_for_today``): today's teller limit refuses it (409
``teller_daily_limit``), today's need of a supervisor wants an approved request.

The payment is read once per confirm (``payment_to_confirm``, by the hub's reader, amounts
exact): the payer check (``proxy_branch``) and the cash check judge that same row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import State

from teller_app.hub import policy
from teller_app.hub.cash_commands import file_for_today, unsupervised
from teller_app.hub.cash_customer import (
    CUSTOMER_BLOCKED,
    audit_refusal,
    read_customer,
    status_in,
    stops_cash,
)
from teller_app.hub.cash_kind import classify
from teller_app.hub.cash_limits import category_code, load_limits, lock_till, owner_of
from teller_app.hub.db import now
from teller_app.hub.dcm_reader import app_reader
from teller_app.hub.dcm_unreadable import DCM_UNREADABLE
from teller_app.hub.errors import HubError
from teller_app.hub.proxy_rules import Refusal
from teller_app.hub.till_money import app_cash_zone, check_cash_step, money, to_minor
from teller_app.hub.till_tables import cash_authorizations
from teller_app.platform import NotFound, PlatformClient, PlatformError, ValidationError
from teller_app.platform.models import Payment


async def _reader_client(app_state: State) -> PlatformClient:
    reader = app_reader(app_state)
    if reader is None:
        raise Refusal(503, "the hub cannot check cash drafts yet")
    try:
        return await reader.client()
    except HubError:
        raise Refusal(503, "the hub cannot read this payment on DCM to check it") from None


async def payment_to_confirm(app_state: State, body: Any) -> Payment:
    """The payment a confirmation names (``payment_guid`` in its body), read on DCM once for
    every check of the confirm: its payer's and its cash's."""
    guid = body.get("payment_guid") if isinstance(body, dict) else None
    if not isinstance(guid, str) or not guid:
        raise Refusal(400, "payment_guid is required")
    client = await _reader_client(app_state)
    try:
        payment = await client.get_payment(guid, False)
    except (NotFound, ValidationError):
        raise Refusal(404, "payment not found") from None
    except PlatformError:
        raise Refusal(503, "the hub cannot read this payment on DCM to check it",
                      DCM_UNREADABLE) from None
    if payment.guid.lower() != guid.lower():  # the checks judge the payment the confirm names
        raise Refusal(502, "DCM answered with another payment")
    return payment


async def refuse_unauthorized_cash(app_state: State, payment: Payment,
                                   customers: Mapping[str, Any] | None = None) -> None:
    """Raise ``Refusal`` unless the hub controlled this cash draft (others pass).
    ``payment``: as ``payment_to_confirm`` read it for this confirm (not read again).
    ``customers``: rows read on DCM for this call's checks, by GUID (the payer's): the cash's
    customer among them is not read again."""
    client = await _reader_client(app_state)
    payment_guid = payment.guid
    engine = app_state.hub.engine
    try:
        pol = (await policy.load(engine))[0]
        shape = await classify(client, payment, await category_code(client, payment),
                               pol.cash_currency)
        status = ""
        if shape.takeable:
            known = status_in((customers or {}).get(shape.customer_guid))
            status = known if known is not None else (
                await read_customer(client, shape.customer_guid)).status or ""
    except (NotFound, ValidationError):
        raise Refusal(404, "the hub cannot read this payment on DCM to check it") from None
    except (PlatformError, HubError):
        raise Refusal(503, "the hub cannot read this payment on DCM to check it",
                      DCM_UNREADABLE) from None
    if not shape.kind:
        return
    if shape.problems:
        raise Refusal(403, "cash no till of the hub may take: it is refused "
                      f"({', '.join(shape.problems)})")
    try:
        amount_minor = to_minor(payment.amount)
    except HubError:
        raise Refusal(403, "cash no till of the hub may take: it is refused "
                      "(amount_precision)") from None
    if stops_cash(status, pol.sensitive_statuses):
        async with engine.connect() as conn:
            owner = await owner_of(conn, payment_guid)
        # the hub's own row (who asked the proxy is in its log): the teller who authorized
        # the draft, if one did, is named
        await audit_refusal(engine, actor="teller-hub", payment_guid=payment_guid,
                            customer_guid=shape.customer_guid, status=status,
                            kind=shape.kind, amount=money(amount_minor),
                            branch_guid=shape.branch_guid, via="dcm_proxy",
                            authorized_by=owner or "")
        raise Refusal(403, "the Teller Hub refuses cash for this customer: their status "
                      f"stops cash at the bank ({CUSTOMER_BLOCKED})")
    try:  # no till count equals it: never confirmed (``/cash/authorize`` refuses it too)
        check_cash_step(amount_minor)
    except HubError as exc:
        raise Refusal(exc.status, exc.message, exc.code, exc.extra) from None
    limits = await load_limits(engine)
    zone = app_cash_zone(app_state)
    async with engine.begin() as conn:
        # the owner's till first, as a void or a till close takes it: a close that voids
        # this draft either ran before (the void refuses it here) or sees the confirm asked
        # now and leaves the draft alone for the grace
        owner = await owner_of(conn, payment_guid)
        if owner is not None:
            await lock_till(conn, owner)
        try:  # authorized on an earlier cash day: decided again for today, filed under it
            await file_for_today(conn, payment_guid, amount_minor, limits,
                                 pol.cash_threshold, zone)
        except HubError as exc:  # nothing of it kept (the transaction rolls back)
            raise Refusal(exc.status, exc.message, exc.code) from None
        found = await unsupervised(conn, payment_guid, amount_minor)
        if found is not None:  # inside: a draft filed under today above stays where it was
            raise Refusal(403, "the Teller Hub has not authorized this cash payment for "
                          f"confirmation ({', '.join(found[1])})")
        a = cash_authorizations.c
        await conn.execute(cash_authorizations.update().where(
            a.payment_guid == payment_guid).values(confirm_asked_at=now()))
