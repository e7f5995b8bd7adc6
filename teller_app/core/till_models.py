"""What the Teller Hub answers about tills, transfers, vault counts and a branch's cash, as
the desk reads it (``core/till.py`` re-exports these). Amounts are exact ``Decimal``s from
the hub's decimal strings, never floats."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any  # Any: the hub's JSON bodies and answers only

from teller_app.platform.amount_text import plain_amount

# (key, value in kopiyky, is a note) in the order of the count grid: UAH notes then coins.
DENOMINATIONS: tuple[tuple[str, int, bool], ...] = (
    ("note_1000", 100000, True), ("note_500", 50000, True), ("note_200", 20000, True),
    ("note_100", 10000, True), ("note_50", 5000, True), ("note_20", 2000, True),
    ("note_10", 1000, True), ("note_5", 500, True), ("note_2", 200, True),
    ("note_1", 100, True), ("coin_10", 1000, False), ("coin_5", 500, False),
    ("coin_2", 200, False), ("coin_1", 100, False), ("coin_0.50", 50, False),
    ("coin_0.10", 10, False),
)
VALUES = {key: value for key, value, _note in DENOMINATIONS}
# e-mails -> names from a directory the desk reads (the platform's employees list)
NameLookup = Callable[[list[str]], Awaitable[dict[str, str]]]


def count_total(counts: dict[str, int]) -> Decimal:
    """The sum of a count, exact (kopiyky)."""
    minor = sum(VALUES[k] * int(n) for k, n in counts.items() if k in VALUES)
    return Decimal(minor) / 100


def face_value(key: str) -> Decimal:
    return Decimal(VALUES[key]) / 100


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _amount_or_none(value: Any) -> Decimal | None:
    """A finite amount from a string or an integer, written within the hub's bounds
    (``platform/amount_text``); anything else (a float, a word, "1E+200000": a label of
    200 000 digits made on the UI thread) None."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return amount if plain_amount(amount) is not None else None


def _str_or_empty(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# What DCM confirmed, as an older hub only words it (``hub/till_authorized.mismatch``):
# "<amount> <asset>", with ", not <currency>" (another asset than the tills'), or "another
# payment (<guid>)". Asset codes and GUIDs are read only as letters and digits.
_CONFIRMED_AMOUNT = re.compile(r"(-?[0-9]{1,20}(?:\.[0-9]{1,20})?)(?: +([A-Za-z0-9]{1,16}))?"
                               r"(?: *, *not +([A-Za-z0-9]{1,16}))?")
_CONFIRMED_OTHER = re.compile(r"another payment \(([0-9A-Za-z-]{1,64})\)")
_ASSET = re.compile(r"[A-Za-z0-9]{1,16}")
_GUID = re.compile(r"[0-9A-Za-z-]{1,64}")
# the fields a newer hub says it in (``hub/till_authorized.SET_ASIDE_FIELDS``)
_CONFIRMED_FIELDS = ("confirmed_amount", "confirmed_asset", "tills_currency",
                     "confirmed_payment_guid")


def _matching(pattern: re.Pattern[str], value: Any) -> str:
    """``value`` when it is a string ``pattern`` reads whole; else empty."""
    text = _str_or_empty(value)
    return text if pattern.fullmatch(text) else ""


@dataclass(frozen=True)
class SetAside:
    """A payment DCM confirmed unlike the hub's authorization on the till
    (``confirmed_mismatch``): no till counts it, so the close sets it aside with a reason and
    a supervisor's co-sign closes the till without it. Each field as the hub said it; one it
    did not say, or said in a way this desk does not read, is left empty (never guessed)."""

    payment_guid: str = ""
    kind: str = ""  # deposit | withdrawal (a newer hub's word as it came)
    authorized: Decimal | None = None  # the hub's authorization, in the tills' currency
    confirmed: str = ""  # what DCM confirmed, in the hub's words
    # what DCM confirmed, as the hub's fields say it (an older hub's words read instead):
    # DCM's amount and asset, the tills' currency its asset is not, or the other payment
    # DCM showed; empty when not said or not read (then ``confirmed`` alone)
    confirmed_amount: Decimal | None = None
    confirmed_asset: str = ""
    tills_currency: str = ""
    other_payment: str = ""

    @classmethod
    def of(cls, data: dict[str, Any]) -> SetAside:
        confirmed = _str_or_empty(data.get("confirmed"))
        if any(k in data for k in _CONFIRMED_FIELDS):
            amount = _amount_or_none(data.get("confirmed_amount"))
            asset = _matching(_ASSET, data.get("confirmed_asset"))
            currency = _matching(_ASSET, data.get("tills_currency"))
            other = _matching(_GUID, data.get("confirmed_payment_guid"))
        else:
            amount, asset, currency, other = _words(confirmed)
        return cls(_str_or_empty(data.get("payment_guid")), _str_or_empty(data.get("kind")),
                   _amount_or_none(data.get("authorized")), confirmed, amount, asset,
                   currency, other)


def _words(confirmed: str) -> tuple[Decimal | None, str, str, str]:
    """An older hub's ``confirmed`` words read: amount, asset, tills' currency, other GUID."""
    if found := _CONFIRMED_OTHER.fullmatch(confirmed):
        return None, "", "", found.group(1)
    if found := _CONFIRMED_AMOUNT.fullmatch(confirmed):
        return _amount_or_none(found.group(1)), found.group(2) or "", found.group(3) or "", ""
    return None, "", "", ""


def set_aside_of(value: Any) -> tuple[SetAside, ...] | None:
    """A till answer's ``set_aside``: None when it says none (an answer that does not carry
    it: the branch position, the report, an older hub's), else its payments; an entry that
    is no object, or names nothing this desk reads, is left out."""
    if not isinstance(value, list | tuple):
        return None
    items = (SetAside.of(v) for v in value if isinstance(v, dict))
    return tuple(i for i in items if i.payment_guid or i.authorized is not None or i.confirmed)


@dataclass(frozen=True)
class Till:
    id: str
    till_code: str
    state: str  # cosign | open | close_cosign | closed
    teller: str
    branch_guid: str | None
    open_total: Decimal
    expected: Decimal
    previous_close: Decimal | None = None
    cosigned_by: str | None = None
    counted: Decimal | None = None
    over_short: Decimal | None = None
    close_reason: str | None = None
    opened_at: int = 0
    closed_at: int | None = None
    open_counts: dict[str, int] = field(default_factory=dict)
    close_counts: dict[str, int] = field(default_factory=dict)
    # drafts the close voided: checked on the till, never confirmed (hub/till_close_voids)
    voided_at_close: tuple[str, ...] = ()
    close_cosigned_by: str | None = None  # who co-signed an over/short past the tolerance
    # its vault transfers waiting for a supervisor, as the hub's current till says them;
    # None when the answer does not say (every other answer, an older hub's): not "none
    # waits". The close is refused while one waits (``transfer_pending``)
    pending_transfers: tuple[Transfer, ...] | None = None
    # payments DCM confirmed unlike their authorization, which the close sets aside
    # (``SetAside``); None when the answer does not say (the branch position, the report)
    set_aside: tuple[SetAside, ...] | None = None

    @classmethod
    def of(cls, data: dict[str, Any]) -> Till:
        return cls(
            id=str(data["id"]), till_code=str(data["till_code"]), state=str(data["state"]),
            teller=str(data["teller"]), branch_guid=data.get("branch_guid"),
            open_total=Decimal(str(data["open_total"])), expected=Decimal(str(data["expected"])),
            previous_close=_dec(data.get("previous_close")), cosigned_by=data.get("cosigned_by"),
            counted=_dec(data.get("counted")), over_short=_dec(data.get("over_short")),
            close_reason=data.get("close_reason"), opened_at=int(data.get("opened_at") or 0),
            closed_at=data.get("closed_at"), open_counts=dict(data.get("open_counts") or {}),
            close_counts=dict(data.get("close_counts") or {}),
            voided_at_close=tuple(str(g) for g in data.get("voided_at_close") or ()),
            close_cosigned_by=data.get("close_cosigned_by"),
            pending_transfers=None if data.get("pending_transfers") is None else tuple(
                Transfer.of(t) for t in data["pending_transfers"]),
            set_aside=set_aside_of(data.get("set_aside")))

    @property
    def needs_cosign(self) -> bool:
        """The opening count waits for a supervisor."""
        return self.state == "cosign"

    @property
    def needs_close_cosign(self) -> bool:
        """The close's over/short waits for a supervisor (the till is not closed yet)."""
        return self.state == "close_cosign"

    @property
    def opening_difference(self) -> Decimal | None:
        """The opening count less the last close (None for a till's first opening)."""
        return None if self.previous_close is None else self.open_total - self.previous_close


@dataclass(frozen=True)
class TillOperation:
    kind: str  # deposit | withdrawal | to_till | to_vault
    category: str
    amount: Decimal
    payment_guid: str | None
    customer_guid: str
    at: int


@dataclass(frozen=True)
class EndOfDay:
    """The end-of-day report's data (the hub's ``/tills/{id}/report``)."""

    till: Till
    operations: tuple[TillOperation, ...]
    totals: dict[str, tuple[int, Decimal]]  # kind → (count, amount)
    cosigner_name: str = ""  # the hub's name for the co-signer, else ``name_cosigner``'s
    close_cosigner_name: str = ""  # the hub's name for the close's co-signer
    # the hub's name for the till's own teller (``till.teller``), else ``name_cosigner``'s;
    # empty from an older hub that sends none (the report then says the e-mail)
    teller_name: str = ""

    @classmethod
    def of(cls, data: dict[str, Any]) -> EndOfDay:
        ops = tuple(TillOperation(str(o["kind"]), str(o.get("category") or ""),
                                  Decimal(str(o["amount"])), o.get("payment_guid"),
                                  str(o.get("customer_guid") or ""), int(o.get("at") or 0))
                    for o in data.get("operations", []))
        totals = {str(k): (int(v["count"]), Decimal(str(v["amount"])))
                  for k, v in dict(data.get("totals", {})).items()}
        return cls(Till.of(data), ops, totals, str(data.get("cosigned_by_name") or ""),
                   str(data.get("close_cosigned_by_name") or ""),
                   str(data.get("teller_name") or ""))

    @property
    def cash_in(self) -> Decimal:
        return sum((self.totals.get(k, (0, Decimal(0)))[1] for k in ("deposit", "to_till")),
                   Decimal(0))

    @property
    def cash_out(self) -> Decimal:
        return sum((self.totals.get(k, (0, Decimal(0)))[1] for k in ("withdrawal", "to_vault")),
                   Decimal(0))


@dataclass(frozen=True)
class Transfer:
    id: str
    direction: str  # to_till | to_vault
    amount: Decimal
    state: str
    requested_by: str
    decided_by: str | None = None
    requested_at: int = 0  # the hub's clock (epoch seconds) when it was filed

    @classmethod
    def of(cls, data: dict[str, Any]) -> Transfer:
        return cls(str(data["id"]), str(data["direction"]), Decimal(str(data["amount"])),
                   str(data["state"]), str(data["requested_by"]), data.get("decided_by"),
                   int(data.get("created_at") or 0))


@dataclass(frozen=True)
class VaultCount:
    """A supervisor's vault count: ``applied`` (it matched the book, or a second supervisor
    co-signed it), ``pending`` (it differs: the vault keeps its book meanwhile) or
    ``superseded`` by a newer count."""

    id: str
    counted: Decimal
    book: Decimal  # the vault's balance when it was counted
    difference: Decimal  # counted - book
    state: str
    counted_by: str
    reason: str = ""
    decided_by: str | None = None

    @classmethod
    def of(cls, data: dict[str, Any]) -> VaultCount:
        return cls(str(data["id"]), Decimal(str(data["counted"])), Decimal(str(data["book"])),
                   Decimal(str(data["difference"])), str(data["state"]),
                   str(data["counted_by"]), str(data.get("reason") or ""),
                   data.get("decided_by"))

    @property
    def pending(self) -> bool:
        return self.state == "pending"


@dataclass(frozen=True)
class ClosedTill:
    """A till whose last close left its counted cash in the drawer (until it opens again)."""

    id: str
    till_code: str
    teller: str
    counted: Decimal
    closed_at: int | None = None

    @classmethod
    def of(cls, data: dict[str, Any]) -> ClosedTill:
        return cls(str(data["id"]), str(data["till_code"]), str(data.get("teller") or ""),
                   Decimal(str(data["counted"])), data.get("closed_at"))


@dataclass(frozen=True)
class BranchPosition:
    branch_guid: str | None
    vault: Decimal
    total: Decimal  # the vault, the live tills' expected cash and the closed tills' cash
    tills: tuple[Till, ...]
    pending_transfers: tuple[Transfer, ...]
    in_closed_tills: Decimal = Decimal(0)
    closed_tills: tuple[ClosedTill, ...] = ()
    pending_vault_counts: tuple[VaultCount, ...] = ()
    count: VaultCount | None = None  # the count a vault count's answer recorded

    @classmethod
    def of(cls, data: dict[str, Any]) -> BranchPosition:
        count = data.get("count")
        return cls(data.get("branch_guid"), Decimal(str(data["vault"])),
                   Decimal(str(data["total"])), tuple(Till.of(t) for t in data["tills"]),
                   tuple(Transfer.of(t) for t in data.get("pending_transfers", [])),
                   Decimal(str(data.get("in_closed_tills") or "0")),
                   tuple(ClosedTill.of(t) for t in data.get("closed_tills", [])),
                   tuple(VaultCount.of(c) for c in data.get("pending_vault_counts", [])),
                   VaultCount.of(count) if count else None)
