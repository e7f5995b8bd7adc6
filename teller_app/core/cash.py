"""Cash at the desk as two-step branch payments (§3.8, §3.12.4, routes §5.1).

* deposit  — category "04": branch processing account → customer account;
* withdrawal — category "02": customer account → branch processing account.

The teller creates the draft. At or below the profile's ``cash_confirm_threshold`` the teller
confirms it; above it a supervisor confirms — in place (their own short-lived client) or from
their inbox, which lists the CREATED drafts (``pending_drafts``). The receipt
reference is the payment guid plus the Stellar transaction hash.

A confirm that times out, or is refused as "not in CREATED status", is never re-sent blindly:
the payment's status is read; CONFIRMED means it went through (receipt, audit). CREATED after a
lost answer is not known yet (``ConfirmInDoubt``: DCM may apply it late; ``cash_settle`` reads
again), after a refusal it did not (``ConfirmNotDone``). A second confirm is safe: the
platform confirms a draft at most once and its refusal is read back. A refused confirm is
read back too: a platform that marks the payment FAILED (§5.2 [A], §7 #9) has made the
refusal final (``ConfirmFailed``: never confirmed, nothing to void or confirm again).
Once confirmed, ``confirm``/``supervised`` never raise: the till's count is best-effort (the
hub counts CONFIRMED payments itself), an unreadable receipt comes without its body. The hub's
"no longer a draft" refusal is settled by reading, too. A create that times out may have made
the draft: each carries a client nonce in its purpose (``… [ref:<8 hex>]``), looked up after
Timeout/Unavailable and before a retry POSTs: one Create makes at most one draft.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from teller_app.core.cash_accounts import find_processing_account
from teller_app.core.cash_checks import (
    CashFacts,
    CashGate,
    CashPolicy,
    CashRefused,
    CustomerLimits,
    PolicyRequest,
    Refusal,
    RefusalKind,
    SupervisorNeed,
    ThresholdPolicy,
    classify_refusal,
    no_longer_draft,
    read_limits,
)
from teller_app.core.cash_confirm_failed import ConfirmFailed, raise_if_failed
from teller_app.core.cash_confirm_in_place import confirm_with_credentials
from teller_app.core.cash_types import (
    CASH_CATEGORY_CODES,
    AmountError,
    CashContext,
    CashDraft,
    CashError,
    CashKind,
    CashReceipt,
    ConfirmInDoubt,
    ConfirmNotDone,
    DraftNotChecked,
    SupervisorRequired,
    confirmed_receipt,
    needs_supervisor,
    new_cash_nonce,
    parse_cash_amount,
    purpose_with_ref,
    receipt_of,
    ref_tag,
)
from teller_app.core.concurrent_reads import read_both
from teller_app.core.views import account_from_platform, customer_from_platform
from teller_app.platform import PlatformClient
from teller_app.platform.errors import (
    AuthError,
    PlatformError,
    Timeout,
    Unavailable,
    ValidationError,
)
from teller_app.platform.models import AccountWithAssets, NewPayment, Payment, PaymentStatus
from teller_app.platform.models.assets import AssetBalance as WireAsset
from teller_app.platform.payment_filters import PaymentFilters, payment_matches

# The value types live in cash_types, the final refusal in cash_confirm_failed, the
# supervisor's in-place confirm in cash_confirm_in_place, the processing account in
# cash_accounts: this stays the one import path for all of cash.
__all__ = [
    "CASH_CATEGORY_CODES", "AmountError", "CashContext", "CashDraft", "CashError", "CashKind",
    "CashReceipt", "CashService", "ConfirmFailed", "ConfirmInDoubt", "ConfirmNotDone",
    "DraftNotChecked", "SupervisorNeed", "SupervisorRequired", "confirm_with_credentials",
    "confirmed_receipt", "find_processing_account", "needs_supervisor", "new_cash_nonce",
    "parse_cash_amount", "purpose_with_ref", "receipt_of",
]

PENDING_DAYS = 2  # an older draft has no customer waiting at the desk any more
log = logging.getLogger(__name__)


class CashService:
    """Cash drafts and confirmations through one employee's ``PlatformClient``."""

    def __init__(
        self,
        client: PlatformClient,
        branch_guid: str,
        processing_account_guid: str,
        threshold: Decimal,
        can_confirm_any_amount: bool = False,
        policy: CashPolicy | None = None,
        gate: CashGate | None = None,
    ) -> None:
        self.client = client
        self.branch_guid = branch_guid or None
        self.processing_account_guid = processing_account_guid
        self.threshold = Decimal(threshold)
        self.can_confirm_any_amount = can_confirm_any_amount
        # The hub's policy replaces the profile threshold when it is there.
        self.policy: CashPolicy = policy or ThresholdPolicy(self.threshold,
                                                            can_confirm_any_amount)
        self.gate = gate  # the hub: voids, cumulative limits, the till
        self._categories: dict[str, str] | None = None
        # customer -> the accounts its last ``prepare`` read, for ``create(accounts=...)``
        self.prepared_accounts: dict[str, tuple[AccountWithAssets, ...]] = {}

    async def prepare(self, kind: CashKind, customer_guid: str) -> CashContext:
        """Fresh customer, account, balance and limits for the dialog (before submit)."""
        customer, items = await read_both(self.client.get_customer(customer_guid),
                                          self.client.get_customer_accounts(customer_guid))
        self.prepared_accounts[customer_guid] = tuple(items)
        account = next((a for a in items if a.assets), None)
        if account is None:
            raise CashError("the customer has no account", "no_account")
        asset = account.assets[0]
        same_asset = [a.wallet_account_guid for a in items
                      if any(x.code == asset.code for x in a.assets)]
        try:
            limits = await read_limits(self.client, customer_guid, customer.segment or "",
                                       same_asset, asset.code, asset.stellar_code)
        except PlatformError:
            # Limits are advice before submit; the platform still enforces them.
            limits = CustomerLimits()
        facts = CashFacts(kind.value, asset.balance, bool(customer.is_disabled),
                          customer.balance_allowed or Decimal(0), limits)
        view = account_from_platform(account)
        return CashContext(kind, customer_from_platform(customer), view, view.assets[0], facts)

    async def assess(self, context: CashContext, amount: Decimal) -> SupervisorNeed:
        return await self.policy.assess(PolicyRequest(
            context.kind.value, amount, context.asset_code,
            context.customer.wallet_user_guid, context.account.guid))

    async def category_guid(self, kind: CashKind) -> str:
        if self._categories is None:
            categories = await self.client.list_categories()
            self._categories = {c.name: c.guid for c in categories}
        try:
            return self._categories[kind.category_code]
        except KeyError:
            raise CashError(f"no payment category {kind.category_code}", "no_category") from None

    async def customer_account(
        self, customer_guid: str, accounts: Sequence[AccountWithAssets] | None = None
    ) -> tuple[str, AccountWithAssets, WireAsset]:
        """(account guid, account, asset): the first of ``accounts`` (read when None)
        holding an asset."""
        if accounts is None:
            accounts = await self.client.get_customer_accounts(customer_guid)
        for account in accounts:
            if account.assets:
                return account.wallet_account_guid, account, account.assets[0]
        raise CashError("the customer has no account", "no_account")

    async def create(
        self,
        kind: CashKind,
        customer_guid: str,
        amount: Decimal | str,
        purpose: str = "",
        *,
        nonce: str | None = None,
        retry: bool = False,
        accounts: Sequence[AccountWithAssets] | None = None,
    ) -> CashDraft:
        """Create a draft tagged with ``nonce`` (a new one when None) on the account the
        dialog showed when given ``prepared_accounts`` (not read again). ``retry``: an earlier
        create with this nonce failed with Timeout/Unavailable, so the draft may exist: it is
        looked up first and only created when absent. A Timeout/Unavailable raised from here
        means "unknown": retry with the same nonce, never a new one. ``DraftNotChecked``: the
        draft exists but the policy's check failed; retry with the same nonce, too."""
        if not self.processing_account_guid:
            raise CashError("the branch has no processing account", "no_processing_account")
        account_guid, _account, asset = await self.customer_account(customer_guid, accounts)
        value = parse_cash_amount(amount, int(asset.minor_unit), till=self.gate is not None)
        if kind is CashKind.DEPOSIT:
            sender, receiver = self.processing_account_guid, account_guid
        else:
            sender, receiver = account_guid, self.processing_account_guid
        nonce = nonce or new_cash_nonce()
        payment = NewPayment(
            amount=value,
            asset_code=asset.code,
            asset_issuer=asset.stellar_issuer,
            category_guid=await self.category_guid(kind),
            purpose=purpose_with_ref(purpose, nonce),
            sender_id=sender,
            receiver_id=receiver,
            minor_unit=int(asset.minor_unit),
        )
        existing = await self.find_draft(nonce, sender, receiver) if retry else None
        if existing is not None:
            guid = existing.guid
        else:
            try:
                guid = await self.client.create_payment(payment, branch_guid=self.branch_guid)
            except (Timeout, Unavailable):
                # The POST may have landed: look before anyone may create again.
                try:
                    existing = await self.find_draft(nonce, sender, receiver)
                except (Timeout, Unavailable):
                    existing = None
                if existing is None:
                    raise
                guid = existing.guid
        try:
            need = await self.policy.assess(PolicyRequest(
                kind.value, value, asset.code, customer_guid, account_guid, guid))
        except Exception as exc:  # the draft exists: whatever failed, it is not forgotten
            raise DraftNotChecked(guid, exc) from exc
        return CashDraft(
            payment_guid=guid,
            kind=kind,
            amount=value,
            asset_code=asset.code,
            customer_guid=customer_guid,
            customer_account_guid=account_guid,
            needs_supervisor=need.needed,
        )

    async def find_draft(self, nonce: str, sender: str, receiver: str) -> Payment | None:
        """The CREATED draft between these accounts tagged with ``nonce``, if any."""
        tag = ref_tag(nonce)
        offset, limit = 0, 100
        while True:
            page = await self.client.list_payments(
                PaymentFilters(statuses=["CREATED"], sender_ids=[sender], receiver_ids=[receiver]),
                offset=offset, limit=limit, branch_guid=self.branch_guid)
            for payment in page.payments:
                if tag in (payment.purpose or ""):
                    return payment
            offset += len(page.payments)
            if len(page.payments) < limit or offset >= page.total:
                return None

    async def confirm(self, payment_guid: str, *, amount: Decimal | None = None,
                      kind: CashKind | None = None) -> CashReceipt:
        """Confirm once. A lost answer or a "not in CREATED status" refusal (the platform's,
        or the hub's before the confirm) is settled by reading the payment: CONFIRMED gives
        the receipt (``reconciled``); CREATED raises ``ConfirmInDoubt`` after a lost answer
        (with ``draft_read_at``; unreadable or a status the desk does not know: without it,
        ``status_raw`` naming that status), ``ConfirmNotDone`` after a refusal; FAILED
        after a refusal (or a lost answer) raises ``ConfirmFailed``: final. With a
        hub ``gate`` the hub is asked first (voided, a passed limit: refused; a supervisor
        must confirm: ``SupervisorRequired``) and told after (the till counts it, best-effort).
        Once confirmed this never raises; ``amount``/``kind`` fill an unread receipt."""
        if self.gate is not None:
            try:
                need = await self.gate.before_confirm(payment_guid)
            except CashRefused as refused:
                if not no_longer_draft(refused.refusal):
                    raise
                return await self.counted(await self._settled(payment_guid, refused))
            if need.needed:
                raise SupervisorRequired(payment_guid, need)
        return await self.counted(await self._confirm(payment_guid, amount, kind))

    async def count(self, payment_guid: str) -> None:
        """The hub's till counts a confirmed payment (idempotent; no hub: nothing)."""
        if self.gate is not None:
            await self.gate.confirmed(payment_guid)

    async def counted(self, receipt: CashReceipt) -> CashReceipt:
        """``count`` for a payment the platform confirmed: never raises. A failure (hub down,
        a refusal, a timeout) is logged and flagged ``till_count_pending``; the hub counts
        CONFIRMED payments itself when the till is next read or closed."""
        try:
            await self.count(receipt.payment_guid)
        except Exception as exc:  # the money moved: never report this payment as failed
            log.warning("payment %s confirmed; the till did not count it yet (%s)",
                        receipt.payment_guid, type(exc).__name__)
            return replace(receipt, till_count_pending=True)
        return receipt

    async def supervised(self, payment_guid: str,
                         confirm: Callable[[], Awaitable[CashReceipt]], *,
                         amount: Decimal | None = None,
                         kind: CashKind | None = None) -> CashReceipt:
        """A supervisor confirms in place (``confirm``): never a voided draft; the teller's
        till then counts the payment (best-effort: once confirmed, this never raises)."""
        if self.gate is not None and payment_guid in await self.gate.voided([payment_guid]):
            raise CashRefused(Refusal(RefusalKind.HUB, period="voided"))
        receipt = await confirm()
        if receipt.payment is None:  # its body was not read: the draft's figures
            receipt = replace(receipt, amount=receipt.amount or amount or Decimal(0),
                              kind=receipt.kind or kind)
        return await self.counted(receipt)

    async def void(self, payment_guid: str, reason: str) -> None:
        """The teller voids their own unconfirmed draft (recorded by the hub)."""
        if self.gate is None:
            raise CashError("voiding a draft needs the Teller Hub", "void_needs_hub")
        await self.gate.void(payment_guid, reason)

    async def _settled(self, payment_guid: str, refused: CashRefused) -> CashReceipt:
        """The hub refused because the draft is no longer CREATED: a confirm whose answer was
        lost may have gone through. CONFIRMED: the reconciled receipt; else the refusal."""
        try:
            payment = await self.client.get_payment(payment_guid, with_stellar_info=True)
        except PlatformError:
            raise refused from None
        if payment.status is PaymentStatus.FAILED:
            raise ConfirmFailed(payment_guid, refused) from refused
        if payment.status is PaymentStatus.UNKNOWN:  # neither a draft nor confirmed: not known
            raise ConfirmInDoubt(payment_guid, refused, status_raw=payment.status_raw)
        if payment.status is not PaymentStatus.CONFIRMED:
            raise refused
        return replace(receipt_of(payment, self.kind_of(payment)), reconciled=True)

    async def _confirm(self, payment_guid: str, amount: Decimal | None = None,
                       kind: CashKind | None = None) -> CashReceipt:
        try:
            await self.client.confirm_payment(payment_guid, branch_guid=self.branch_guid)
        except AuthError as exc:
            refusal = classify_refusal(exc)
            if refusal is not None and refusal.kind is RefusalKind.NO_SECRET:
                await raise_if_failed(self.client, payment_guid, CashRefused(refusal))
                raise CashRefused(refusal) from None
            raise
        except (Timeout, Unavailable, ValidationError) as exc:
            if isinstance(exc, Unavailable) and exc.not_sent:
                raise  # never reached the platform: nothing to settle
            if isinstance(exc, ValidationError):
                refusal = classify_refusal(exc)
                if refusal is None or refusal.kind is not RefusalKind.NOT_CREATED:
                    await raise_if_failed(self.client, payment_guid, exc)
                    raise
            lost, asked = not isinstance(exc, ValidationError), time.monotonic()
            try:
                payment = await self.client.get_payment(payment_guid, with_stellar_info=True)
            except (Timeout, Unavailable):
                if not lost:  # a refusal; below, sent and unread: not even "a draft" known
                    raise exc from None
                raise ConfirmInDoubt(payment_guid, exc, draft_read_at=None) from None
            if payment.status is PaymentStatus.CONFIRMED:
                return replace(receipt_of(payment, self.kind_of(payment)), reconciled=True)
            if payment.status is PaymentStatus.FAILED:  # refused, and final
                raise ConfirmFailed(payment_guid, exc) from exc
            if payment.status is PaymentStatus.CREATED and lost:  # may still land late
                raise ConfirmInDoubt(payment_guid, exc, draft_read_at=asked) from exc
            if payment.status is PaymentStatus.CREATED:  # refused: it did not go through
                raise ConfirmNotDone(payment_guid, exc) from exc
            # a status the desk does not know: neither a draft nor confirmed; not known
            raise ConfirmInDoubt(payment_guid, exc, status_raw=payment.status_raw) from exc
        try:
            return await self.receipt(payment_guid)
        except Exception as exc:  # confirmed: the receipt is read later, never a failure
            log.warning("payment %s confirmed; its receipt could not be read (%s)",
                        payment_guid, type(exc).__name__)
            return confirmed_receipt(payment_guid, amount, kind)

    async def receipt(self, payment_guid: str) -> CashReceipt:
        payment: Payment = await self.client.get_payment(payment_guid, with_stellar_info=True)
        return receipt_of(payment, self.kind_of(payment))

    async def pending_drafts(self) -> list[Payment]:
        """The branch's cash drafts awaiting confirmation (the supervisor's inbox): every page
        of the recent CREATED ones (DCM keeps voided drafts CREATED for ever), each once, each
        row checked (a server may not know a filter's name, §3.8)."""
        await self.category_guid(CashKind.DEPOSIT)
        known = self._categories or {}
        since = datetime.now(UTC) - timedelta(days=PENDING_DAYS)
        found: dict[str, Payment] = {}
        for code in sorted(CASH_CATEGORY_CODES & known.keys()):
            wanted = PaymentFilters(statuses=["CREATED"], category_guid=known[code],
                                    created_at_min=since)
            async for p in self.client.iter_payments(wanted, branch_guid=self.branch_guid):
                if payment_matches(p, wanted):
                    found.setdefault(p.guid, p)
        drafts = list(found.values())
        if self.gate is not None and drafts:  # voided drafts leave every queue
            voided = await self.gate.voided([p.guid for p in drafts])
            drafts = [p for p in drafts if p.guid not in voided]
        return drafts

    def kind_of(self, payment: Payment) -> CashKind | None:
        code = payment.category
        if not code and self._categories:
            code = next((n for n, g in self._categories.items() if g == payment.category_guid), "")
        return {"04": CashKind.DEPOSIT, "02": CashKind.WITHDRAWAL}.get(code)
