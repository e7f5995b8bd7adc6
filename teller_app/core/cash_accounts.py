"""The branch's processing account, the bank's side of every cash payment at the desk."""

from __future__ import annotations

from teller_app.core.cash_types import CashError
from teller_app.platform import PlatformClient


async def find_processing_account(client: PlatformClient, branch_guid: str | None) -> str:
    """The processing account cash moves through: the branch's, or the bank's for head office."""
    page = await client.list_accounts(account_kinds=["processing"], branch_guid=branch_guid)
    accounts = [a for a in page.accounts if a.account_kind == "processing"]
    if branch_guid:
        accounts = [a for a in accounts if a.branch_guid in (branch_guid, None)] or accounts
        accounts.sort(key=lambda a: a.branch_guid != branch_guid)
    else:
        accounts.sort(key=lambda a: a.branch_guid is not None)
    if not accounts:
        raise CashError("no processing account is visible here", "no_processing_account")
    return str(accounts[0].wallet_account_guid)
