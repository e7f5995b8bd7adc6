"""Mode B cash confirmation by the hub: DCM wants the confirm token's ``obj`` to be the
payer's external id (§2.4: the customer's login, or ``keykeeper:<branch>`` when a bank
entity pays, i.e. cash-in), which ``PlatformClient.confirm_payment`` does not name; so the
hub reads the payment and mints the token itself, like the Mode-B proxy does. Before it
confirms (Mode A and B), it reads the draft once (payment, accounts, customer) and checks it
is still the one approved and under the hub's control, for a customer whose cash is allowed.

A draft DCM shows ``FAILED`` (§5.2 [A]: refused at confirm, signing refused) is final: never
confirmed, so the execution fails at once (nothing sent, or the refusal stands) and the
hub records it (``cash_failed``): the till no longer holds it back."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import httpx

from teller_app.platform import NotFound, PlatformClient, PlatformError, Unavailable
from teller_app.platform.models import Customer, Payment, PaymentStatus

from . import policy
from .cash_commands import check_controlled, file_for_today, minor_of
from .cash_customer import CUSTOMER_BLOCKED, REFUSAL, audit_refusal, stops_cash
from .cash_failed import record_failed
from .cash_limits import Draft, draft_of, load_limits, lock_till, owner_of, read_payment
from .errors import HubError
from .proxy_tokens import minter_for
from .state import HubState


async def _request(state: HubState, method: str, path: str, sub: str, obj: str,
                   body: Any = None) -> Any:
    s = state.settings
    token = minter_for(s).mint(sub, "sign-in", obj)
    url = f"{s.dcm_url.rstrip('/')}/api/v1/counterparty/{s.dcm_counterparty}{path}"
    try:
        resp = await state.http.request(method, url, json=body, timeout=10.0, headers={
            "CX-Authorization": token, "Authorization": ""})
    except httpx.HTTPError as exc:
        raise Unavailable(f"DCM unreachable ({type(exc).__name__})", method=method,
                          path=path) from None
    if resp.status_code == 404:
        raise NotFound("not found", status_code=404, method=method, path=path)
    if resp.status_code >= 500:
        raise Unavailable(f"DCM answered HTTP {resp.status_code}", status_code=resp.status_code,
                          method=method, path=path)
    try:
        data = resp.json() if resp.content else {}
    except ValueError:
        data = {}
    if resp.status_code >= 400:
        message = data.get("message") or data.get("error") if isinstance(data, dict) else None
        raise PlatformError(str(message or f"HTTP {resp.status_code}"),
                            status_code=resp.status_code, method=method, path=path)
    return data


async def _payment(state: HubState, sub: str, payment_guid: str) -> dict[str, Any]:
    pay = await _request(state, "GET", f"/payments/{payment_guid}?with_stellar_info=false",
                         sub, sub)
    if not isinstance(pay, dict):
        raise NotFound("payment not found", status_code=404)
    return pay


async def read_to_confirm(client: PlatformClient, payment_guid: str) -> tuple[Payment, Draft]:
    """The draft right before its confirm, read once: the payment, the accounts it moves
    money between and, a CREATED cash draft's, its customer (status, login). ``HubError``
    404/503 when the payment cannot be read: nothing was sent."""
    payment = await read_payment(client, payment_guid)
    return payment, await draft_of(client, payment, payment_guid, with_status=True)


async def check_before_confirm(state: HubState, checker: str, change: dict[str, Any],
                               draft: Draft) -> None:
    """Right before the confirm (Mode A and B), on ``draft`` as just read: its customer is not
    one the bank blocked since the filing (``cash_customer``: the approval judged a customer
    whose cash was allowed; refused with the hub's audit row), the amount DCM holds is the
    request's, and the draft is still under the hub's control (authorized for that amount,
    not voided, not the approver's own cash). Authorized on an earlier cash day (filed
    before midnight, approved after it), it is decided again for today and filed under today
    (``cash_commands.file_for_today``): the approval is the supervisor the threshold wants,
    but today's teller limit still counts it (409 ``teller_daily_limit``: ends not applied).
    ``HubError``: nothing was sent."""
    guid = str(change["payment_guid"])
    pol = (await policy.load(state.engine))[0]
    # None: no CREATED cash draft any more, so no status was read; DCM refuses the confirm
    # (ends "already on DCM"), and a confirm with no answer ends "found on DCM after no
    # answer": neither is trusted by the cash watcher as checked (cash_commands.hub_confirmed)
    status = draft.customer_status or ""
    if stops_cash(status, pol.sensitive_statuses):
        await audit_refusal(state.engine, actor=checker, payment_guid=guid,
                            customer_guid=draft.customer_guid, status=status,
                            kind=draft.kind, amount=str(change.get("amount") or ""),
                            branch_guid=draft.branch_guid, via="approved_request")
        raise HubError(409, REFUSAL, CUSTOMER_BLOCKED)
    if draft.amount_minor != minor_of(change.get("amount")):
        raise HubError(409, "the amount on DCM differs from the request's", "amount_differs")
    limits = await load_limits(state.engine)
    async with state.engine.begin() as conn:
        owner = await owner_of(conn, guid)
        if owner is not None:  # the teller's till, as ``/cash/authorize`` serialises on it
            await lock_till(conn, owner)
        await check_controlled(conn, guid, draft.amount_minor, checker)
        # filed before midnight (or on Friday), approved today: its cash counts today
        await file_for_today(conn, guid, draft.amount_minor, limits, pol.cash_threshold,
                             ZoneInfo(state.settings.cash_tz))


async def payer_external_id(state: HubState, sub: str, payment: Payment,
                            branch_guid: str | None, known: Customer | None = None) -> str:
    """``known``: the paying customer as read moments ago (with the draft), not read again."""
    extra = payment.model_extra or {}
    sender_branch = extra.get("sender_branch_guid") or None
    kind = str(payment.sender_account_account_kind or "").lower()
    customer_guid = extra.get("sender_customer_guid") or None
    if customer_guid is None and kind in ("", "customer") and payment.sender_id:
        account = await _request(state, "GET", f"/accounts/{payment.sender_id}", sub, sub)
        if isinstance(account, dict):
            kind = kind or str(account.get("account_kind") or "")
            if kind.lower() == "customer":
                customer_guid = account.get("wallet_user_guid") or None
            sender_branch = sender_branch or account.get("branch_guid") or None
    if customer_guid:
        # a disabled customer is looked up as before (DCM's list may leave them out)
        if known is not None and known.wallet_user_guid == customer_guid and known.login \
                and not known.is_disabled:
            return known.login
        page = await _request(state, "GET", f"/customers?wallet_user_guids={customer_guid}",
                              sub, sub)
        for c in (page.get("customers") or []) if isinstance(page, dict) else []:
            if c.get("wallet_user_guid") == customer_guid and c.get("login"):
                return str(c["login"])
        raise PlatformError("the paying customer has no login (external id)", status_code=403)
    return f"keykeeper:{sender_branch or branch_guid or state.settings.dcm_counterparty}"


def is_failed(pay: Any) -> bool:
    """DCM shows the payment FAILED (final: never confirmed)."""
    return isinstance(pay, dict) and str(pay.get("status") or "").upper() == "FAILED"


async def settle_failed(state: HubState, payment_guid: str) -> None:
    """Record a draft just read FAILED on DCM: the till stops holding it back."""
    async with state.engine.begin() as conn:
        await record_failed(conn, [payment_guid])


async def confirm(state: HubState, client: PlatformClient, sub: str,
                  change: dict[str, Any]) -> None:
    """Mode B: ``client`` reads in ``sub``'s name (a bank JWT), as the confirm is sent."""
    guid = str(change["payment_guid"])
    branch = change.get("branch_guid") or None
    payment, draft = await read_to_confirm(client, guid)
    if draft.status is PaymentStatus.FAILED:  # an earlier confirm was refused: final
        await settle_failed(state, guid)
        raise HubError(409, "the payment is FAILED on DCM: it is never confirmed", "failed")
    await check_before_confirm(state, sub, change, draft)
    payer = await payer_external_id(state, sub, payment, branch, draft.customer)
    path = f"/branch/{branch}/payments/confirm" if branch else "/payments/confirm"
    try:
        await _request(state, "POST", path, sub, payer, {"payment_guid": guid})
    except (Unavailable, NotFound):
        raise  # no answer (settled by reading, in doubt) or no such payment
    except PlatformError:
        # refused: a server that fails the payment shows it FAILED when read (§7 #9); the
        # refusal is raised either way, read or not
        try:
            after = await _payment(state, sub, guid)
        except PlatformError:
            after = None
        if is_failed(after):
            await settle_failed(state, guid)
        raise
