"""What counts as cash at the hub: the accounts a payment moves money between, never only
the category the desk picked (an audit had a "02" moving money customer → customer counted
in a till, and an uncategorised processing → customer payment confirmed past every control).

* A payment categorised "04" / "02" (cash at the desk, §3.9) is cash in that direction,
  whatever its accounts.
* An uncategorised one is cash when a bank entity (a processing account; emission / root too,
  which no till takes) is on one side and a customer's account on the other: a deposit when
  the money goes to the customer, a withdrawal when it comes from them.
* Any other category is another of the bank's operations (§3.9: commission, refunds and
  chargebacks, ATM / POS cash, transfers), never the desk's cash: no till counts it.
* Cash a till may take moves through the customer's branch processing account (or the bank's
  own, branchless one: what a desk uses when its branch has none), in the category's
  direction: otherwise ``not_through_till``. In another asset than the till's currency (the
  policy's ``cash_currency``) it is ``other_currency``: a EUR amount never counts as hryvnia.

Cash with a problem is refused (``/cash/authorize``, the ``/dcm`` proxy) or alerted (the
cash watcher). The platform keeps its documented behaviour: the control is the hub's.
"""

from __future__ import annotations

from dataclasses import dataclass

from teller_app.platform import PlatformClient
from teller_app.platform.models import Account, Payment

from .canon import normalise

CASH_CODES = {"04": "deposit", "02": "withdrawal"}
CUSTOMER = "customer"
TILL_SIDE = frozenset({"processing"})  # what a till's cash moves through
BANK_SIDE = TILL_SIDE | {"emission", "root"}  # a bank's (or DCM's) own entities

NOT_THROUGH_TILL = "not_through_till"
OTHER_CURRENCY = "other_currency"


@dataclass(frozen=True)
class CashShape:
    """A payment seen as cash: ``kind`` "" when it is none."""

    kind: str  # deposit | withdrawal | ""
    problems: tuple[str, ...] = ()
    customer_guid: str = ""
    branch_guid: str | None = None  # the customer's

    @property
    def takeable(self) -> bool:
        """Cash a till of the customer's branch may take (after the hub's decision)."""
        return bool(self.kind) and not self.problems


NOT_CASH = CashShape("")


def _by_accounts(sender_kind: str, receiver_kind: str) -> str:
    if sender_kind in BANK_SIDE and receiver_kind == CUSTOMER:
        return "deposit"
    if sender_kind == CUSTOMER and receiver_kind in BANK_SIDE:
        return "withdrawal"
    return ""


def might_be_cash(payment: Payment, code: str) -> bool:
    """False only when the payment itself shows it is no cash (no account read needed)."""
    if code and code not in CASH_CODES:  # another operation of the bank's (§3.9)
        return False
    sender = normalise(payment.sender_account_account_kind)
    receiver = normalise(payment.receiver_account_account_kind)
    return code in CASH_CODES or not sender or not receiver or bool(
        _by_accounts(sender, receiver))


async def _accounts(client: PlatformClient, guids: list[str]) -> dict[str, Account]:
    wanted = [g for g in dict.fromkeys(guids) if g]
    if not wanted:
        return {}
    page = await client.list_accounts(wallet_account_guids=wanted, limit=len(wanted))
    return {a.wallet_account_guid: a for a in page.accounts if a.wallet_account_guid in wanted}


async def classify(client: PlatformClient, payment: Payment, code: str,
                   currency: str | None) -> CashShape:
    """The payment as cash, from DCM's own account list (the payment's copy of the kinds
    when an entity is not ours to read). ``code``: its category code; ``currency``: the
    till's (None: not checked)."""
    if not might_be_cash(payment, code):
        return NOT_CASH
    found = await _accounts(client, [payment.sender_id, payment.receiver_id])
    sender, receiver = found.get(payment.sender_id), found.get(payment.receiver_id)
    sender_kind = normalise(sender.account_kind if sender is not None
                            else payment.sender_account_account_kind)
    receiver_kind = normalise(receiver.account_kind if receiver is not None
                              else payment.receiver_account_account_kind)
    by_accounts = _by_accounts(sender_kind, receiver_kind)
    by_code = CASH_CODES.get(code, "")
    kind = by_accounts or by_code
    if not kind:
        return NOT_CASH
    customer, bank = (receiver, sender) if kind == "deposit" else (sender, receiver)
    customer_guid, branch = "", None
    if customer is not None and normalise(customer.account_kind) == CUSTOMER:
        customer_guid, branch = customer.wallet_user_guid, customer.branch_guid
    problems: list[str] = []
    if (by_code and by_accounts != by_code) or bank is None or not customer_guid or (
            normalise(bank.account_kind) not in TILL_SIDE
            or bank.branch_guid not in (None, branch)):
        problems.append(NOT_THROUGH_TILL)
    if currency is not None and normalise(payment.asset_code) != normalise(currency):
        problems.append(OTHER_CURRENCY)
    return CashShape(kind, tuple(problems), customer_guid, branch)
