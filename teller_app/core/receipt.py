"""The customer's receipt for a cash operation, as typed data (the UI renders and prints it).

Amounts in words follow Ukrainian payment documents: hryvnias in words, kopiyky as two digits
("Одна тисяча двісті тридцять чотири гривні, 56 копійок"). ``num2words`` does Ukrainian;
English has no hryvnia forms there, so the unit words are ours. Always a ``Decimal``:
``num2words`` reads an ``int`` as kopiyky. Both languages read alike: one comma, before the
kopiyky, and the typographic apostrophe "’" the UI uses ("П’ять", as "Ім’я").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from num2words import num2words

# the zone lives apart (standard library only) for the start-up check; named here as before
from teller_app.core.kyiv_zone import KYIV_ZONE as KYIV_ZONE
from teller_app.core.kyiv_zone import KyivZoneMissing as KyivZoneMissing
from teller_app.core.kyiv_zone import kyiv_tz as kyiv_tz
from teller_app.platform.models import Payment, parse_timestamp


def kyiv_now() -> datetime:
    """The current moment in Kyiv: only where "now" is what is meant (a reprint's time)."""
    return datetime.now(UTC).astimezone(kyiv_tz())


def kyiv_time(moment: datetime) -> datetime:
    """``moment`` (aware, or naive UTC) in Kyiv time. Typed without None: a payment's missing
    time is the caller's to show ("—" or "time unknown"), never "now" (``kyiv_now``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(kyiv_tz())


def utc_offset(moment: datetime) -> str:
    """``moment``'s offset from UTC as "+03:00" ("+00:00" when it has none)."""
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def is_ambiguous(local: datetime) -> bool:
    """Whether ``local``'s wall-clock time happens twice (the night summer time ends)."""
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset()


def offset_if_ambiguous(local: datetime) -> str:
    """" (+03:00)" after a time that happens twice, where only the offset tells the two
    apart; "" after any other (printed times say "Kyiv" already)."""
    return f" ({utc_offset(local)})" if is_ambiguous(local) else ""


def kyiv_stamp(moment: datetime) -> str:
    """Kyiv time to the second, "06.12.2026 10:02:13" (the label says "Kyiv"). The night
    summer time ends 03:00–03:59 comes twice: there the offset tells the two apart,
    "25.10.2026 03:30:00 (+03:00)"."""
    local = kyiv_time(moment)
    return f"{local:%d.%m.%Y %H:%M:%S}{offset_if_ambiguous(local)}"


def _plural_en(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _split(amount: Decimal) -> tuple[int, int]:
    cents = int((abs(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    return divmod(cents, 100)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def amount_in_words(amount: Decimal, lang: str = "uk") -> str:
    """A hryvnia amount in words with its kopiyky as digits, first letter capitalised."""
    amount = Decimal(amount)
    if lang == "uk":
        exact = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        words = num2words(abs(exact), lang="uk", to="currency", currency="UAH", cents=False)
        return _capitalised(str(words).replace("'", "\u2019"))
    units, kopiyky = _split(amount)
    # num2words writes "one thousand, two hundred": the only comma is the one before kopiyky
    words = str(num2words(units, lang="en")).replace(",", "")
    hryvnia = _plural_en(units, "hryvnia", "hryvnias")
    kopiyka = _plural_en(kopiyky, "kopiyka", "kopiykas")
    return _capitalised(f"{words} {hryvnia}, {kopiyky:02d} {kopiyka}")


def mask_iban(iban: str) -> str:
    """Country, check digits and the last four: "UA21 •••• 4567" (enough to recognise)."""
    compact = (iban or "").replace(" ", "").upper()
    if len(compact) < 10:
        return compact
    return f"{compact[:4]} •••• {compact[-4:]}"


@dataclass(frozen=True)
class ReceiptContext:
    """Who and where, as the desk knows it (names, not GUIDs)."""

    bank: str
    branch: str
    teller: str
    customer: str
    iban: str


@dataclass(frozen=True)
class Reprint:
    """A receipt printed again later (from the history): a copy, by whom and when."""

    by: str  # the employee printing it now
    at: datetime  # Kyiv time of the reprint


PURPOSE_ON_RECEIPT = 200  # characters: a 1000-character purpose would push the A5 to 3 pages


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked "…"."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Receipt:
    bank: str
    branch: str
    teller: str
    customer: str
    iban_masked: str
    kind: str  # "deposit" | "withdrawal" | "" (not a cash category)
    category: str  # the platform's category code, e.g. "04"
    amount: Decimal
    minor_unit: int
    asset_code: str
    amount_words: str
    payment_guid: str
    stellar_hash: str
    status: str  # the platform's status, e.g. "CONFIRMED" (translated by the UI)
    at: datetime | None  # Kyiv local time of the confirmation; None: unknown (never "now")
    lang: str  # "uk" | "en"
    purpose: str = ""  # as printed: cut to PURPOSE_ON_RECEIPT
    reprint: Reprint | None = None  # None: the original, printed right after the confirm
    # the hub's till that took the cash ("T1"); "": not known (no hub, a reprint from the
    # history), and then no till line at all
    till: str = ""

    @property
    def file_stem(self) -> str:
        copy = "-copy" if self.reprint is not None else ""
        when = f"{self.at:%Y%m%d-%H%M%S}" if self.at is not None else "time-unknown"
        return f"receipt-{when}-{self.payment_guid[:8]}{copy}"


def with_till(receipt: Receipt, till: str) -> Receipt:
    """``receipt`` naming ``till`` (spaces folded); unchanged when it is not known ("")."""
    till = " ".join(till.split())
    return replace(receipt, till=till) if till else receipt


_KINDS = {"04": "deposit", "02": "withdrawal"}


def strip_ref(purpose: str) -> str:
    """The purpose without the desk's client reference tag (``[ref:…]``)."""
    text = purpose or ""
    start = text.rfind("[ref:")
    if start >= 0 and text.endswith("]"):
        text = text[:start]
    return text.strip()


def confirmed_at(payment: Payment) -> datetime | None:
    """When the payment was confirmed, as well as the platform says it (None: unknown)."""
    extra: dict[str, Any] = payment.model_extra or {}
    return (parse_timestamp(extra.get("confirmed_at")) or payment.updated_at
            or payment.created_at)


def _kyiv_or_none(moment: datetime | None) -> datetime | None:
    return kyiv_time(moment) if moment is not None else None


def build_receipt(
    payment: Payment,
    context: ReceiptContext,
    lang: str = "uk",
    *,
    minor_unit: int = 2,
    category_code: str = "",
    reprint: Reprint | None = None,
) -> Receipt:
    lang = "uk" if lang.lower().startswith("uk") else "en"
    code = payment.category or category_code
    return Receipt(
        bank=context.bank,
        branch=context.branch,
        teller=context.teller,
        customer=context.customer,
        iban_masked=mask_iban(context.iban),
        kind=_KINDS.get(code, ""),
        category=code,
        amount=payment.amount,
        minor_unit=minor_unit,
        asset_code=payment.asset_code or "UAH",
        amount_words=amount_in_words(payment.amount, lang),
        payment_guid=payment.guid,
        stellar_hash=payment.stellar_hash,
        status=payment.status_raw or str(payment.status),
        at=_kyiv_or_none(confirmed_at(payment)),
        lang=lang,
        purpose=clip(strip_ref(payment.purpose), PURPOSE_ON_RECEIPT),
        reprint=reprint,
    )
