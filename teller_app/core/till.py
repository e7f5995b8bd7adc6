"""The teller's till at the Teller Hub (issue 15 item 6): open with a count by denomination,
vault transfers, close with over/short, the branch's cash position and the end-of-day report.

The hub holds the till (its lease binds it to this desk: ``desk_id``); amounts travel as
decimal strings and are computed here in integer kopiyky, never floats.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Protocol  # Any: the hub's JSON bodies and answers only

from teller_app.platform.errors import Conflict, HubUnavailable, PlatformError

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


class HubCalls(Protocol):
    """What the till needs of ``platform.hub_client.HubClient``."""

    async def call(self, method: str, path: str, *, json_body: Any = None,
                   params: Any = None, desk_id: str | None = None,
                   idempotent: bool | None = None) -> Any: ...


@dataclass(frozen=True)
class Till:
    id: str
    till_code: str
    state: str  # cosign | open | closed
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
            voided_at_close=tuple(str(g) for g in data.get("voided_at_close") or ()))

    @property
    def needs_cosign(self) -> bool:
        return self.state == "cosign"


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

    @classmethod
    def of(cls, data: dict[str, Any]) -> EndOfDay:
        ops = tuple(TillOperation(str(o["kind"]), str(o.get("category") or ""),
                                  Decimal(str(o["amount"])), o.get("payment_guid"),
                                  str(o.get("customer_guid") or ""), int(o.get("at") or 0))
                    for o in data.get("operations", []))
        totals = {str(k): (int(v["count"]), Decimal(str(v["amount"])))
                  for k, v in dict(data.get("totals", {})).items()}
        return cls(Till.of(data), ops, totals, str(data.get("cosigned_by_name") or ""))

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

    @classmethod
    def of(cls, data: dict[str, Any]) -> Transfer:
        return cls(str(data["id"]), str(data["direction"]), Decimal(str(data["amount"])),
                   str(data["state"]), str(data["requested_by"]), data.get("decided_by"))


@dataclass(frozen=True)
class BranchPosition:
    branch_guid: str | None
    vault: Decimal
    total: Decimal
    tills: tuple[Till, ...]
    pending_transfers: tuple[Transfer, ...]

    @classmethod
    def of(cls, data: dict[str, Any]) -> BranchPosition:
        return cls(data.get("branch_guid"), Decimal(str(data["vault"])),
                   Decimal(str(data["total"])), tuple(Till.of(t) for t in data["tills"]),
                   tuple(Transfer.of(t) for t in data.get("pending_transfers", [])))


VAULT_PATH = "/api/v1/vault"
TRANSFERS_PATH = "/api/v1/tills/current/transfers"


class VaultCountUnknown(HubUnavailable):
    """The vault count's answer was lost and reading did not settle it: the vault does not
    hold what was counted (the count never arrived, or a transfer moved the vault after
    it), or the position could not be read (``position`` None). Nothing was sent again."""

    def __init__(self, counted: Decimal, position: BranchPosition | None) -> None:
        self.counted = counted
        self.position = position
        now = "unread" if position is None else f"{position.vault:.2f}"
        super().__init__(f"the vault count ({counted:.2f}) may not be recorded: the vault "
                         f"now holds {now}", method="PUT", path=VAULT_PATH)


class TillService:
    """One desk's calls about its teller's till (``desk_id`` holds the lease)."""

    def __init__(self, hub: HubCalls, desk_id: str) -> None:
        self.hub = hub
        self.desk_id = desk_id

    async def _post(self, path: str, body: dict[str, Any] | None = None,
                    desk: bool = True) -> Any:
        return await self.hub.call("POST", path, json_body=body or {},
                                   desk_id=self.desk_id if desk else None, idempotent=False)

    async def current(self) -> Till | None:
        try:
            return Till.of(await self.hub.call("GET", "/api/v1/tills/current"))
        except Conflict:
            return None  # no open till

    async def open(self, till_code: str, counts: dict[str, int]) -> Till:
        return Till.of(await self._post("/api/v1/tills/open",
                                        {"till_code": till_code, "counts": _clean(counts)}))

    async def heartbeat(self) -> Till:
        return Till.of(await self._post("/api/v1/tills/current/heartbeat"))

    async def cosign(self, till_id: str) -> Till:
        return Till.of(await self._post(f"/api/v1/tills/{till_id}/cosign", desk=False))

    async def count_operation(self, payment_guid: str) -> Till:
        """Tell the hub a payment was confirmed; it checks DCM before the till moves."""
        data = await self._post("/api/v1/tills/current/operations",
                                {"payment_guid": payment_guid})
        return Till.of(data["till"])

    async def request_transfer(self, direction: str, amount: Decimal,
                               transfer_id: str | None = None) -> Transfer:
        """Ask for a vault transfer. ``transfer_id`` (a UUID made once per intended transfer)
        lets the hub answer a re-send with the transfer it filed first, so a lost answer is
        sent again, never filed twice; without it the request is sent once."""
        body: dict[str, Any] = {"direction": direction, "amount": f"{amount:.2f}"}
        if transfer_id:
            body["id"] = transfer_id
        return Transfer.of(await self.hub.call(
            "POST", TRANSFERS_PATH, json_body=body, desk_id=self.desk_id,
            idempotent=transfer_id is not None))

    async def decide_transfer(self, transfer_id: str, approve: bool, comment: str = "") -> Transfer:
        verb = "approve" if approve else "reject"
        return Transfer.of(await self._post(f"/api/v1/transfers/{transfer_id}/{verb}",
                                            {"comment": comment}, desk=False))

    async def close(self, counts: dict[str, int], reason: str = "") -> Till:
        return Till.of(await self._post("/api/v1/tills/current/close",
                                        {"counts": _clean(counts), "reason": reason.strip()}))

    async def end_of_day(self, till_id: str, names: NameLookup | None = None) -> EndOfDay:
        """The report's data; with ``names``, the co-signer named too (``name_cosigner``)."""
        report = EndOfDay.of(await self.hub.call("GET", f"/api/v1/tills/{till_id}/report"))
        return await name_cosigner(report, names) if names is not None else report

    async def count_vault(self, counts: dict[str, int],
                          branch_guid: str | None = None) -> BranchPosition:
        """A supervisor records the vault's count (the hub keeps its balance).

        The count sets an absolute balance, so it is sent once: a re-send could erase a
        transfer approved in between (and audit the count twice). A lost answer is settled by
        reading the position: a vault holding what was counted is settled (that balance is
        all a count sets); anything else raises ``VaultCountUnknown`` with what was read."""
        body: dict[str, Any] = {"counts": _clean(counts)}
        if branch_guid:
            body["branch_guid"] = branch_guid
        try:
            return BranchPosition.of(await self.hub.call("PUT", VAULT_PATH, json_body=body,
                                                         idempotent=False))
        except HubUnavailable as lost:
            if lost.not_sent:
                raise  # it never left this desk: nothing was recorded
            return await self._settle_vault_count(count_total(body["counts"]), branch_guid,
                                                  lost)

    async def _settle_vault_count(self, counted: Decimal, branch_guid: str | None,
                                  lost: Exception) -> BranchPosition:
        try:
            position = await self.position(branch_guid)
        except PlatformError:
            raise VaultCountUnknown(counted, None) from lost
        if position.vault == counted:
            return position
        raise VaultCountUnknown(counted, position) from lost

    async def position(self, branch_guid: str | None = None) -> BranchPosition:
        params = {"branch_guid": branch_guid} if branch_guid else None
        return BranchPosition.of(await self.hub.call("GET", "/api/v1/cash/position",
                                                     params=params))


def _clean(counts: dict[str, int]) -> dict[str, int]:
    return {k: int(v) for k, v in counts.items() if k in VALUES and int(v)}


async def name_cosigner(report: EndOfDay, names: NameLookup) -> EndOfDay:
    """The report with its co-signer's name when ``names`` knows their e-mail. A name is
    decoration: a directory that cannot be read leaves the e-mail alone, as before."""
    email = (report.till.cosigned_by or "").strip()
    if not email or report.cosigner_name:  # none, or the hub named them already
        return report
    try:
        found = await names([email])
    except PlatformError:
        return report
    name = found.get(email.lower(), "") or found.get(email, "")
    return replace(report, cosigner_name=name) if name else report
