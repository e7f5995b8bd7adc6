"""The teller's till at the Teller Hub (issue 15 item 6): open with a count by denomination,
vault transfers, close with over/short, the branch's cash position and the end-of-day report.

The hub holds the till (its lease binds it to this desk: ``desk_id``); amounts travel as
decimal strings and are computed here in integer kopiyky, never floats.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal
from typing import Any, Protocol  # Any: the hub's JSON bodies and answers only

from teller_app.core.till_models import (
    DENOMINATIONS,
    VALUES,
    BranchPosition,
    ClosedTill,
    EndOfDay,
    NameLookup,
    Till,
    TillOperation,
    Transfer,
    VaultCount,
    count_total,
    face_value,
)
from teller_app.platform.errors import Conflict, HubUnavailable, NotFound, PlatformError


class HubCalls(Protocol):
    """What the till needs of ``platform.hub_client.HubClient``."""

    async def call(self, method: str, path: str, *, json_body: Any = None,
                   params: Any = None, desk_id: str | None = None,
                   idempotent: bool | None = None) -> Any: ...


VAULT_PATH = "/api/v1/vault"
POSITION_PATH = "/api/v1/cash/position"
TRANSFERS_PATH = "/api/v1/tills/current/transfers"


class VaultCountUnknown(HubUnavailable):
    """The vault count's answer was lost and reading it by its id did not settle it: not
    found after a re-send of the same id (whose answer was lost too), or the hub could not
    be read. ``position`` is kept for callers of old and is None now: the vault's figure
    says nothing about whether this count was recorded."""

    def __init__(self, counted: Decimal, position: BranchPosition | None = None) -> None:
        self.counted = counted
        self.position = position
        super().__init__(f"the vault count ({counted:.2f}) may not be recorded: the Teller "
                         "Hub did not answer", method="PUT", path=VAULT_PATH)


class VaultCountRecorded(HubUnavailable):
    """The vault count's answer was lost and reading it by its id found it (``count``, as
    the hub holds it: recorded, applied or waiting), but the branch's cash position read
    after it failed: recorded, the vault's figure not known here."""

    def __init__(self, count: VaultCount) -> None:
        self.count = count
        super().__init__(f"the vault count ({count.counted:.2f}) was recorded; the branch "
                         "cash position could not be read", method="GET", path=POSITION_PATH)


ELSEWHERE = "?"  # the till is held at another desk, which one not known
NO_OPEN_TILL = "no_open_till"  # a cash check's refusal: the teller has no open till


class TillService:
    """One desk's calls about its teller's till (``desk_id`` holds the lease).

    It remembers which desk holds the till's lease as the hub last said (``held_here``):
    the heartbeat keeps this desk's lease and is sent only while this desk holds it. A desk
    the teller is merely signed in at never asks for the till; a teller's step here (opening
    it, a vault transfer, a cash count, the close) takes a lapsed lease, and the heartbeat
    follows from its answer."""

    def __init__(self, hub: HubCalls, desk_id: str) -> None:
        self.hub = hub
        self.desk_id = desk_id
        # the desk holding the lease as the hub last said ("": no till known, ELSEWHERE)
        self.holder = ""
        # calls numbered as sent: an answer to a call sent before the one the holder was
        # learned from is older, and changes nothing
        self._sent = self._learned = 0

    @property
    def held_here(self) -> bool:
        """This desk holds the till's lease, as the hub last said."""
        return bool(self.desk_id) and self.holder == self.desk_id

    def _number(self) -> int:
        self._sent += 1
        return self._sent

    def _learn(self, number: int, holder: str) -> None:
        if number > self._learned:
            self._learned, self.holder = number, holder

    async def _desk_call(self, method: str, path: str, *, till_known: bool = False,
                         conflict_is_no_till: bool = False, **kwargs: Any) -> Any:
        """A call that renews (or takes) this desk's lease: once answered, this desk holds
        the till; refused as held at another desk (``till_elsewhere``), it does not.
        ``till_known``: the call is answered with or without a till (a cash check), so it
        says this desk holds one only while one is known to be open; answered that there
        is no open till, a desk that did not hold one still does not (it held none, or a
        till another desk held is gone). ``conflict_is_no_till``: any other 409 says the
        teller has no till (a heartbeat's), so nothing is held."""
        number = self._number()
        try:
            data = await self.hub.call(method, path, desk_id=self.desk_id, **kwargs)
        except Conflict as exc:
            if exc.reason == "till_elsewhere":
                self._learn(number, ELSEWHERE)
            elif conflict_is_no_till:
                self._learn(number, "")
            raise
        if till_known and _no_open_till(data) and self.holder != self.desk_id:
            self._learn(number, "")
        elif not till_known or self.holder:
            self._learn(number, self.desk_id)
        return data

    async def cash_call(self, method: str, path: str, **kwargs: Any) -> Any:
        """A cash check sent by this desk (``/cash/authorize``): the hub renews, or takes once
        lapsed, this desk's lease on an open till, so the heartbeat follows it."""
        return await self._desk_call(method, path, till_known=True, **kwargs)

    async def _post(self, path: str, body: dict[str, Any] | None = None,
                    desk: bool = True) -> Any:
        if desk:
            return await self._desk_call("POST", path, json_body=body or {}, idempotent=False)
        return await self.hub.call("POST", path, json_body=body or {}, desk_id=None,
                                   idempotent=False)

    async def current(self) -> Till | None:
        number = self._number()
        try:
            data = await self.hub.call("GET", "/api/v1/tills/current")
        except Conflict:
            self._learn(number, "")
            return None  # no open till
        self._learn(number, str(data.get("desk_id") or ""))
        return Till.of(data)

    async def open(self, till_code: str, counts: dict[str, int]) -> Till:
        return Till.of(await self._post("/api/v1/tills/open",
                                        {"till_code": till_code, "counts": _clean(counts)}))

    async def heartbeat(self) -> Till | None:
        """Keep this desk's lease on the till; None (nothing sent) while the hub last said
        the till is not held here (another desk's, or no till). The hub renews only the
        desk holding it and refuses another (``till_elsewhere``): from then on nothing is
        sent until a step at this desk takes the till again."""
        if not self.held_here:
            return None
        # refused otherwise (409: the teller has no till any more), nothing more is sent
        # until a read or a step here finds the till held here again
        return Till.of(await self._desk_call("POST", "/api/v1/tills/current/heartbeat",
                                             conflict_is_no_till=True, json_body={},
                                             idempotent=False))

    async def cosign(self, till_id: str) -> Till:
        return Till.of(await self._post(f"/api/v1/tills/{till_id}/cosign", desk=False))

    async def cosign_close(self, till_id: str, counted: Decimal) -> Till:
        """A supervisor co-signs a close flagged once its over/short passed the bank's
        tolerance (every recount since waits too); ``counted``: the count they saw (the hub
        refuses it after a recount)."""
        return Till.of(await self._post(f"/api/v1/tills/{till_id}/close-cosign",
                                        {"counted": f"{counted:.2f}"}, desk=False))

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
        return Transfer.of(await self._desk_call(
            "POST", TRANSFERS_PATH, json_body=body, idempotent=transfer_id is not None))

    async def decide_transfer(self, transfer_id: str, approve: bool, comment: str = "") -> Transfer:
        verb = "approve" if approve else "reject"
        return Transfer.of(await self._post(f"/api/v1/transfers/{transfer_id}/{verb}",
                                            {"comment": comment}, desk=False))

    async def close(self, counts: dict[str, int], reason: str = "") -> Till:
        """Closed, or (``needs_close_cosign``) waiting for a supervisor's co-sign."""
        return Till.of(await self._post("/api/v1/tills/current/close",
                                        {"counts": _clean(counts), "reason": reason.strip()}))

    async def end_of_day(self, till_id: str, names: NameLookup | None = None) -> EndOfDay:
        """The report's data; with ``names``, the co-signer named too (``name_cosigner``)."""
        report = EndOfDay.of(await self.hub.call("GET", f"/api/v1/tills/{till_id}/report"))
        return await name_cosigner(report, names) if names is not None else report

    async def count_vault(self, counts: dict[str, int], branch_guid: str | None = None,
                          reason: str = "", count_id: str | None = None) -> BranchPosition:
        """A supervisor records the vault's count (the hub keeps its balance): equal to the
        book it applies at once; a difference (``reason`` needed) waits for a second
        supervisor, the position's ``count`` then ``pending``.

        The count carries an id (``count_id``, else one made here: one per save) that the
        hub records once. A lost answer is settled by reading the count by that id, never by
        its figure (another supervisor's count may have the same): found, it is answered;
        not found, the same id is sent once more, which is safe because the hub answers a
        re-send with the count stored first (and the first may still have been on its way:
        "not recorded" could be wrong, a re-send cannot record twice). Still unsettled, it
        raises ``VaultCountUnknown``."""
        # the hub's spelling of the id, which the lost-answer path reads back by
        count_id = str(uuid.UUID(count_id) if count_id else uuid.uuid4())
        body: dict[str, Any] = {"counts": _clean(counts), "count_id": count_id}
        if branch_guid:
            body["branch_guid"] = branch_guid
        if reason.strip():
            body["reason"] = reason.strip()
        counted = count_total(body["counts"])
        for attempt in range(2):
            try:
                return BranchPosition.of(await self.hub.call("PUT", VAULT_PATH, json_body=body,
                                                             idempotent=False))
            except HubUnavailable as lost:
                if lost.not_sent and attempt == 0:
                    raise  # it never left this desk: nothing was recorded
                settled = await self._settle_vault_count(count_id, counted, branch_guid, lost)
                if settled is not None:
                    return settled
        raise VaultCountUnknown(counted)

    async def _settle_vault_count(self, count_id: str, counted: Decimal,
                                  branch_guid: str | None, lost: Exception
                                  ) -> BranchPosition | None:
        """The position with this count when the hub recorded it; None when it did not.
        Found but the position unread: ``VaultCountRecorded`` (never "may not be
        recorded")."""
        try:
            count = await self.vault_count(count_id)
        except NotFound:
            return None
        except PlatformError:
            raise VaultCountUnknown(counted) from lost
        try:
            return replace(await self.position(branch_guid), count=count)
        except PlatformError as unread:
            raise VaultCountRecorded(count) from unread

    async def vault_count(self, count_id: str) -> VaultCount:
        return VaultCount.of(await self.hub.call("GET", f"{VAULT_PATH}/counts/{count_id}"))

    async def cosign_vault_count(self, count_id: str) -> BranchPosition:
        """A second supervisor co-signs a count that differs from the book."""
        return BranchPosition.of(await self._post(f"{VAULT_PATH}/counts/{count_id}/cosign",
                                                  desk=False))

    async def position(self, branch_guid: str | None = None) -> BranchPosition:
        params = {"branch_guid": branch_guid} if branch_guid else None
        return BranchPosition.of(await self.hub.call("GET", POSITION_PATH,
                                                     params=params))


def vault_shortfall(vault: Decimal, transfer: Transfer) -> Decimal | None:
    """How much ``vault`` (its book balance as read) lacks for ``transfer``: a vault→till
    transfer larger than it; None when it covers it or the cash goes to the vault. The hub
    decides on the vault as it is at the approval (``vault_short``): this only tells."""
    if transfer.direction != "to_till" or transfer.amount <= vault:
        return None
    return transfer.amount - vault


def _no_open_till(answer: Any) -> bool:
    """A cash check's answer refusing for want of an open till (``hub/cash_limits``)."""
    return isinstance(answer, dict) and answer.get("reasons") == [NO_OPEN_TILL]


def _clean(counts: dict[str, int]) -> dict[str, int]:
    return {k: int(v) for k, v in counts.items() if k in VALUES and int(v)}


async def name_cosigner(report: EndOfDay, names: NameLookup) -> EndOfDay:
    """The report with its co-signer's and its till's teller's names when ``names`` knows
    their e-mails (one look-up for both), each only where the hub named nobody. Each name
    is the one of that person's own e-mail: never the viewer's. A name is decoration: a
    directory that cannot be read leaves the e-mails alone, as before."""
    cosigner = "" if report.cosigner_name else (report.till.cosigned_by or "").strip()
    teller = "" if report.teller_name else report.till.teller.strip()
    wanted = [e for e in dict.fromkeys((cosigner, teller)) if e]
    if not wanted:  # none, or the hub named them already
        return report
    try:
        found = await names(wanted)
    except PlatformError:
        return report

    def name_of(email: str) -> str:
        return (found.get(email.lower(), "") or found.get(email, "")) if email else ""

    cosigner_name, teller_name = name_of(cosigner), name_of(teller)
    if not cosigner_name and not teller_name:
        return report
    return replace(report, cosigner_name=cosigner_name or report.cosigner_name,
                   teller_name=teller_name or report.teller_name)


__all__ = ["DENOMINATIONS", "VALUES", "BranchPosition", "ClosedTill", "EndOfDay", "HubCalls",
           "NameLookup", "Till", "TillOperation", "TillService", "Transfer", "VaultCount",
           "VaultCountRecorded", "VaultCountUnknown", "count_total", "face_value", "name_cosigner",
           "vault_shortfall"]
