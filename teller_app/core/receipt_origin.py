"""Who took a payment, and where, for a receipt printed again from the history: a copy must
name the original teller and branch, not whoever reprints it.

The Teller Hub knows the teller: the desk that confirmed the cash authorized the draft there
first (``GET /cash/authorizations`` gives the teller's name and the customer's branch at the
time). A supervisor reads their branch's payments, a teller only their own; what the hub
does not know (no hub, another teller's payment, the hub down) leaves the teller unknown and
the branch that of the account. Everything here is decoration of a copy: a failed read
leaves a field unknown, it never stops the reprint.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from teller_app.core.till import HubCalls
from teller_app.core.till_cash import DraftAuthorization
from teller_app.platform import PlatformClient, PlatformError


@dataclass(frozen=True)
class ReceiptOrigin:
    teller: str = ""  # "" = not known
    branch: str = ""  # a branch's name; "" = not known


OriginLookup = Callable[[str], Awaitable[ReceiptOrigin]]  # payment guid -> origin


async def _hub_record(hub: HubCalls, payment_guid: str) -> tuple[str, str]:
    """(teller's name, branch guid) the hub recorded for the payment; "" each when unknown."""
    data = await hub.call("GET", "/api/v1/cash/authorizations",
                          params={"payment_guid": [payment_guid]})
    for item in (data or {}).get("authorizations", []):
        made = DraftAuthorization.of(item)
        if made.payment_guid == payment_guid:
            return made.teller_name, made.branch_guid
    return "", ""


async def _branch_name(client: PlatformClient, branch_guid: str) -> str:
    with contextlib.suppress(PlatformError):
        return (await client.get_branch(branch_guid)).name
    return ""


async def _account_branch(client: PlatformClient, account_guid: str) -> str:
    with contextlib.suppress(PlatformError):
        page = await client.list_accounts(wallet_account_guids=[account_guid], limit=1)
        for account in page.accounts:
            if account.wallet_account_guid == account_guid and account.branch_guid:
                return await _branch_name(client, account.branch_guid)
    return ""


async def read_origin(client: PlatformClient, hub: HubCalls | None, payment_guid: str,
                      account_guid: str, account_branch: str = "") -> ReceiptOrigin:
    """The payment's teller and branch as far as they are known. ``account_branch``: the
    account's branch name when the caller already has it (the card's customer)."""
    teller = branch_guid = ""
    if hub is not None:
        with contextlib.suppress(PlatformError):
            teller, branch_guid = await _hub_record(hub, payment_guid)
    branch = await _branch_name(client, branch_guid) if branch_guid else ""
    if not branch:
        branch = account_branch or await _account_branch(client, account_guid)
    return ReceiptOrigin(teller, branch)


def origin_lookup(client: PlatformClient, hub: HubCalls | None, account_guid: str,
                  account_branch: str = "") -> OriginLookup:
    """``read_origin`` for one account's payments."""
    async def lookup(payment_guid: str) -> ReceiptOrigin:
        return await read_origin(client, hub, payment_guid, account_guid, account_branch)

    return lookup
