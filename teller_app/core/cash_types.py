"""The cash desk's value types: the kind of operation, the draft, what the dialog shows before
submit (``CashContext``, in the view types the UI sees), the receipt, the errors and the amount
rule. ``core.cash`` re-exports every name here (its import path stays the one to use)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from teller_app.core.cash_checks import CashFacts, SupervisorNeed
from teller_app.core.cash_step import CASH_AMOUNT_STEP, CASH_STEP, on_step
from teller_app.core.views import AccountView, AssetBalance, CustomerView
from teller_app.platform.models import Payment, exact_amount


class CashKind(StrEnum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"

    @property
    def category_code(self) -> str:
        return "04" if self is CashKind.DEPOSIT else "02"


CASH_CATEGORY_CODES = frozenset({"02", "04"})


def new_cash_nonce() -> str:
    """A client reference for one draft (kept across retries of the same create)."""
    return secrets.token_hex(4)


def ref_tag(nonce: str) -> str:
    return f"[ref:{nonce}]"


def purpose_with_ref(purpose: str, nonce: str) -> str:
    return f"{purpose.strip()} {ref_tag(nonce)}".strip()


class CashError(Exception):
    """A cash operation cannot go ahead. ``reason`` is a code the desk words in the teller's
    language (``no_account``, ``no_category``, ``no_processing_account``,
    ``void_needs_hub``, ``not_a_checker``); the message is English, for the log."""

    def __init__(self, message: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class AmountError(CashError, ValueError):
    pass


class SupervisorRequired(CashError):
    """The hub says a supervisor must confirm this draft (not the teller)."""

    def __init__(self, payment_guid: str, need: SupervisorNeed) -> None:
        super().__init__("a supervisor must confirm this payment")
        self.payment_guid = payment_guid
        self.need = need


class DraftNotChecked(CashError):
    """The draft exists on the platform, but the policy's check of it (the hub) failed. A
    create with the same nonce and ``retry=True`` finds this draft and checks it again: it is
    never forgotten and no second one is made. ``cause``: the check's error."""

    def __init__(self, payment_guid: str, cause: BaseException) -> None:
        super().__init__("the draft exists but its check failed")
        self.payment_guid = payment_guid
        self.cause = cause


class ConfirmNotDone(CashError):
    """After a lost or refused confirm the payment is still CREATED: it did not go through."""

    def __init__(self, payment_guid: str, cause: BaseException) -> None:
        super().__init__("the payment is not confirmed")
        self.payment_guid = payment_guid
        self.cause = cause


class ConfirmInDoubt(ConfirmNotDone):
    """A confirm's answer was lost (timeout, connection) and the payment still reads CREATED
    (or could not be read): the platform may still apply it late, so this is "not known yet",
    never "not done". Settled only by reading again (``cash_settle.recheck``); a second
    confirm is safe (the platform refuses one of a confirmed payment, which is read back).
    A ``ConfirmNotDone`` for callers that only knew that name.

    ``draft_read_at``: ``time.monotonic()`` of the latest read that actually returned the
    payment as CREATED; None when no read did (the platform did not answer any): then
    nothing at all is known of the payment, not even that it is still a draft.
    ``status_raw``: the last read returned the payment in a status the desk does not know
    (neither a draft, nor confirmed, nor failed: a platform's in-between state); "" when the
    last read answered nothing or CREATED. Either way not known: no void, no cash handed."""

    def __init__(self, payment_guid: str, cause: BaseException, *,
                 draft_read_at: float | None = None, status_raw: str = "") -> None:
        super().__init__(payment_guid, cause)
        self.args = ("the payment's confirmation is not known yet",)
        self.draft_read_at = draft_read_at
        self.status_raw = status_raw

    @property
    def read_as_draft(self) -> bool:
        """A read returned the payment as CREATED (not only errors)."""
        return self.draft_read_at is not None


def parse_cash_amount(value: str | Decimal, minor_unit: int = 2, *,
                      till: bool = False) -> Decimal:
    """A positive Decimal with at most ``minor_unit`` places; more precision is refused,
    never rounded. ``till``: the cash goes through the hub's till, so it is also a whole
    number of the till's smallest coin (``cash_step``; reason ``cash_amount_step``): the hub
    refuses any other amount, and a draft of it would only wait to be voided."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise AmountError("not a number") from exc
    if not amount.is_finite() or amount <= 0:
        raise AmountError("amount must be a positive number")
    try:
        exact = exact_amount(amount, minor_unit)
    except InvalidOperation as exc:  # more digits than Decimal's precision holds
        raise AmountError("the amount has too many digits") from exc
    except ValueError as exc:
        raise AmountError(f"at most {minor_unit} decimal places") from exc
    if till and not on_step(exact):
        raise AmountError(f"cash goes in steps of {CASH_STEP} through the till",
                          CASH_AMOUNT_STEP)
    return exact


def needs_supervisor(amount: Decimal, threshold: Decimal, can_confirm_any_amount: bool) -> bool:
    return not can_confirm_any_amount and amount > threshold


@dataclass(frozen=True)
class CashDraft:
    payment_guid: str
    kind: CashKind
    amount: Decimal
    asset_code: str
    customer_guid: str
    customer_account_guid: str
    needs_supervisor: bool


@dataclass(frozen=True)
class CashContext:
    """What the cash dialog shows before submit: the customer's account, its asset and
    balance, and the facts a pre-check needs (limits, disabled, balance cap)."""

    kind: CashKind
    customer: CustomerView
    account: AccountView
    asset: AssetBalance
    facts: CashFacts

    @property
    def minor_unit(self) -> int:
        return self.asset.minor_unit

    @property
    def asset_code(self) -> str:
        return self.asset.code


@dataclass(frozen=True)
class CashReceipt:
    payment_guid: str
    stellar_hash: str
    status: str
    amount: Decimal
    kind: CashKind | None
    confirmed_by: str = ""  # employee guid, when a supervisor confirmed in place
    reconciled: bool = False  # the confirm's answer was lost; the status said CONFIRMED
    # The hub's till did not count it yet; the hub counts it itself on its next read.
    till_count_pending: bool = False
    # None: confirmed, but the payment could not be read back yet (``CashService.receipt``).
    payment: Payment | None = field(default=None, compare=False, repr=False)

    @property
    def reference(self) -> str:
        return self.stellar_hash or self.payment_guid


def confirmed_receipt(payment_guid: str, amount: Decimal | None = None,
                      kind: CashKind | None = None) -> CashReceipt:
    """A payment the platform confirmed whose body could not be read back (yet): no hash,
    the amount the desk knows (the draft's), ``payment`` None."""
    return CashReceipt(payment_guid=payment_guid, stellar_hash="", status="CONFIRMED",
                       amount=amount if amount is not None else Decimal(0), kind=kind)


def receipt_of(payment: Payment, kind: CashKind | None = None) -> CashReceipt:
    return CashReceipt(
        payment_guid=payment.guid,
        stellar_hash=payment.stellar_hash,
        status=str(payment.status_raw or payment.status),
        amount=payment.amount,
        kind=kind,
        payment=payment,
    )
