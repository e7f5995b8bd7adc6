"""Plain row types returned by the cache (frozen dataclasses; safe to pass between threads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """One cached customer. Field names follow the platform's wire names."""

    wallet_user_guid: str
    login: str = ""
    name: str = ""
    surname: str = ""
    paternal_name: str = ""
    phone_number: str = ""
    kyc_level: int = 0
    is_disabled: bool = False
    balance_allowed: Decimal = Decimal(0)
    segment: str = ""
    status: str = ""
    branch_guid: str = ""
    branch_name: str = ""
    created_at: str = ""
    updated_at: str = ""
    fetched_at: float = 0.0

    @property
    def guid(self) -> str:
        return self.wallet_user_guid

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.name, self.paternal_name) if p)


@dataclass(frozen=True, slots=True)
class AssetRow:
    code: str
    name: str = ""
    balance: Decimal = Decimal(0)
    minor_unit: int = 2
    stellar_code: str = ""
    stellar_issuer: str = ""


@dataclass(frozen=True, slots=True)
class AccountRow:
    guid: str
    customer_guid: str
    iban: str = ""
    name: str = ""
    type: str = ""
    assets: tuple[AssetRow, ...] = field(default_factory=tuple)
    fetched_at: float = 0.0


@dataclass(frozen=True, slots=True)
class SearchCount:
    """``n`` matches; ``capped`` means "at least n" (show "10 000+")."""

    n: int
    capped: bool = False


@dataclass(frozen=True, slots=True)
class CacheStats:
    count: int
    last_sync_at: float | None
    full_sync_done: bool


@dataclass(frozen=True, slots=True)
class SyncState:
    """Where sync stands. ``cursor`` is the greatest ``updated_at`` stored (canonical RFC 3339,
    microseconds, Z); ``tie_skip`` how many rows with exactly that ``updated_at`` are stored
    (keyset paging: the next page asks ``min_updated_at=cursor`` with ``offset=tie_skip``).
    ``full_sync_done`` False with a cursor means a full sync was interrupted and resumes.
    ``read_at``: the platform's clock (its HTTP ``Date``, canonical like ``cursor``) when the
    last completed sync (or the interrupted full sync) began reading; every row stamped
    ``overlap`` seconds before it was visible to that sync (see ``core.sync``).
    ``reconciled_at``: local epoch seconds when the last completed reconcile pass (or a full
    sync into an empty cache) began; the next one is due ``reconcile_hours`` later."""

    cursor: str | None = None
    tie_skip: int = 0
    full_sync_done: bool = False
    full_sync_started_at: float | None = None
    last_sync_at: float | None = None
    read_at: str | None = None
    reconciled_at: float | None = None
