"""Routes for tills, vault transfers, cash authorization and voids (issue 15).

Till calls that change something carry ``X-Desk-ID`` (the desk holding the till's lease).
Amounts travel as decimal strings; the hub computes in integer kopiyky. The bodies are in
``till_bodies``; what a till counts from DCM before it is shown or closed, ``till_reconcile``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request

from teller_app.platform import NotFound, PlatformError
from teller_app.platform.models import PaymentStatus

from . import (
    bank_settings,
    cash_limits,
    till_authorized,
    till_close,
    till_position,
    till_vault_counts,
    till_vault_transfers,
    tills,
    voids,
)
from .authn import CurrentEmployee, Operator, hub_state, require_head_office_admin
from .cash_limits import CashLimits, Draft, read_draft, read_payment
from .contract import errors
from .db import now
from .dcm_unreadable import dcm_unreadable
from .errors import HubError
from .events import is_checker
from .fe_runtime import runtime
from .models import HubEmployee
from .routes_requests import SettingsReason
from .till_bodies import (
    AuthorizeIn,
    CloseCosignIn,
    CloseIn,
    DecideIn,
    OpenIn,
    PaymentIn,
    PreviewIn,
    RejectDraftIn,
    TransferIn,
    VaultIn,
    VoidIn,
)
from .till_money import app_cash_zone, count_total, to_minor
from .till_reconcile import reconcile, set_aside_read, till_currency

# 404 (no such draft, customer or till) and 409 (state: in use, closed) on every route.
router = APIRouter(prefix="/api/v1", tags=["tills"], responses=errors(404, 409))

DeskId = Annotated[str, Header(alias="X-Desk-ID", min_length=1, max_length=64)]


async def _draft(request: Request, payment_guid: str, *, as_cash: bool = False) -> Draft:
    """The draft on DCM; ``as_cash``: in the tills' currency or no cash (kind ""), with
    its customer's status (a decision: ``cash_customer``)."""
    currency = await till_currency(request) if as_cash else None
    client = await runtime(request).reader.client()
    return await read_draft(client, payment_guid, currency=currency, with_status=as_cash)


# -- cash: limits, authorize, voids -------------------------------------------------------
@router.get("/cash/limits", summary="The cumulative cash limits")
async def get_limits(request: Request, emp: CurrentEmployee) -> dict[str, str]:
    return (await cash_limits.load_limits(hub_state(request).engine)).public()


@router.put("/cash/limits", summary="Change the cash limits (a head-office Administrator: "
            "every branch's); a raise or removal waits for another one's approval (202)",
            responses={202: {"description": "Filed as a cash_limits_update request"}})
async def put_limits(body: CashLimits, request: Request,
                     emp: Annotated[HubEmployee | None, Depends(bank_settings.settings_writer)],
                     reason: SettingsReason = "") -> Any:
    if emp is not None:
        require_head_office_admin(emp, "the cash limits")
    done = await bank_settings.put(hub_state(request).engine, bank_settings.LIMITS, body, emp,
                                   reason)
    if done.request is not None:
        await runtime(request).bus.poke()
        return bank_settings.filed(done)
    return body.public()


@router.post("/cash/authorize", summary="May this draft be confirmed now (allow / "
             "needs_approval / refuse); the hub reads the draft on DCM")
async def authorize(body: AuthorizeIn, request: Request, emp: Operator,
                    desk_id: DeskId) -> dict[str, Any]:
    """422 ``cash_amount_step``: the amount is not a whole multiple of the till's smallest
    coin (0.10); the body names ``step``, ``below`` and ``above``. Nothing is recorded."""
    draft = await _draft(request, body.payment_guid, as_cash=True)  # the till's desk asks
    return await cash_limits.authorize(hub_state(request).engine, emp, draft,
                                       zone=app_cash_zone(request.app.state), desk_id=desk_id,
                                       confirming=body.purpose == "confirm")


UNKNOWN_BRANCH = "(unknown customer)"  # no employee's branch: refused as another branch's


@router.post("/cash/preview", summary="The decision for an amount before the draft exists "
             "(nothing recorded)")
async def preview(body: PreviewIn, request: Request, emp: CurrentEmployee) -> dict[str, Any]:
    """422 ``cash_amount_step`` as ``/cash/authorize``: cash goes in steps of 0.10."""
    branch: str | None = emp.branch_guid
    status = ""  # the customer's: a blocked one gets no cash (``cash_customer``)
    if body.customer_guid:
        try:
            customer = await (await runtime(request).reader.client()).get_customer(
                body.customer_guid)
        except NotFound:  # answered as another branch's customer: existence is not told
            customer = None
        except PlatformError as exc:
            raise dcm_unreadable(f"DCM cannot be read: {exc.message}") from None
        branch = (customer.branch_guid or None) if customer is not None else UNKNOWN_BRANCH
        status = customer.status or "" if customer is not None else ""
    draft = Draft("", PaymentStatus.CREATED, body.kind, "", to_minor(body.amount),
                  body.customer_guid or "", branch, status)
    return await cash_limits.authorize(hub_state(request).engine, emp, draft,
                                       zone=app_cash_zone(request.app.state), record=False)


@router.post("/cash/void", summary="The teller voids their own unconfirmed draft")
async def void(body: VoidIn, request: Request, emp: Operator) -> dict[str, Any]:
    read_at = now()  # the draft is read after this: a confirm asked before may still land
    draft = await _draft(request, body.payment_guid)
    out = await voids.record(hub_state(request).engine, emp, draft, body.reason, reject=False,
                             desk_id=body.desk_id, read_at=read_at)
    await runtime(request).bus.poke()  # the cash.voided event reaches streams at once
    return out


@router.post("/cash/reject", summary="A supervisor rejects a draft waiting for them")
async def reject(body: RejectDraftIn, request: Request, emp: Operator) -> dict[str, Any]:
    if not is_checker(emp):
        raise HubError(403, "only a Supervisor or Administrator rejects a draft")
    read_at = now()
    draft = await _draft(request, body.payment_guid)
    out = await voids.record(hub_state(request).engine, emp, draft, body.comment, reject=True,
                             desk_id=body.desk_id, read_at=read_at)
    await runtime(request).bus.poke()
    return out


@router.get("/cash/voids", summary="Voided drafts (your branch; head office: all)")
async def list_voids(request: Request, emp: CurrentEmployee,
                     payment_guid: Annotated[list[str] | None, Query()] = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict[str, Any]:
    found = await voids.listing(hub_state(request).engine, emp, payment_guid or [], limit)
    return {"voids": found}


@router.get("/cash/authorizations", summary="Who authorized these drafts (teller, customer, "
            "amount): the supervisor's inbox names them")
async def list_authorizations(request: Request, emp: CurrentEmployee,
                              payment_guid: Annotated[list[str], Query(max_length=200)]
                              ) -> dict[str, Any]:
    from .cash_commands import authorizations

    state = hub_state(request)
    found = await authorizations(state.engine, emp, payment_guid)
    names: dict[str, str] = {}
    for email in {str(a["teller"]) for a in found}:
        who = await state.directory.lookup(email)  # hub store, then DCM's employees
        names[email] = who.name if who is not None else ""
    return {"authorizations": [{**a, "teller_name": names.get(str(a["teller"]), "")}
                               for a in found]}


@router.get("/cash/position", summary="A branch's cash: the vault, every live till, the "
            "cash left in closed tills, and what waits for a supervisor")
async def position(request: Request, emp: CurrentEmployee,
                   branch_guid: str | None = None) -> dict[str, Any]:
    """A till waiting in ``close_cosign`` carries ``set_aside``: the payments its co-sign
    closes it without, entries as ``GET /tills/current`` says them, with what DCM confirmed
    as the close recorded it (DCM is not read for the position); empty when none."""
    branch = branch_guid if branch_guid is not None else emp.branch_guid
    return await till_position.position(hub_state(request).engine, emp, branch or None)


@router.put("/vault", summary="Record the vault's count (Supervisor): equal to the book it "
            "applies at once; a difference needs a reason and waits for a second supervisor "
            "(``count``). A re-send with the same ``count_id`` answers the stored count")
async def put_vault(body: VaultIn, request: Request, emp: Operator) -> dict[str, Any]:
    if not is_checker(emp):
        raise HubError(403, "only a Supervisor or Administrator counts the vault")
    branch = body.branch_guid if body.branch_guid is not None else emp.branch_guid
    if not emp.may_act_in(branch):
        raise HubError(403, "you may count only your own branch's vault")
    engine = hub_state(request).engine
    count = await till_vault_counts.count_vault(
        engine, emp, branch, body.counts, count_total(body.counts), body.reason,
        count_id=str(body.count_id) if body.count_id is not None else None)
    return {**await till_position.position(engine, emp, branch), "count": count}


@router.get("/vault/counts/{count_id}", summary="A vault count and its state")
async def get_vault_count(count_id: str, request: Request,
                          emp: CurrentEmployee) -> dict[str, Any]:
    if not is_checker(emp):
        raise HubError(403, "only a Supervisor or Administrator reads vault counts")
    return await till_vault_counts.get_count(hub_state(request).engine, emp, count_id)


@router.post("/vault/counts/{count_id}/cosign", summary="A second supervisor co-signs a "
             "vault count that differs from the book: the vault moves by the difference")
async def cosign_vault_count(count_id: str, request: Request, emp: Operator) -> dict[str, Any]:
    if not is_checker(emp):
        raise HubError(403, "only a Supervisor or Administrator co-signs a vault count")
    engine = hub_state(request).engine
    count = await till_vault_counts.cosign_count(engine, emp, count_id)
    return {**await till_position.position(engine, emp, count["branch_guid"]), "count": count}


# -- tills --------------------------------------------------------------------------------
@router.post("/tills/open", summary="Open a till with the cash counted by denomination")
async def open_till(body: OpenIn, request: Request, emp: Operator,
                    desk_id: DeskId) -> dict[str, Any]:
    return await tills.open_till(hub_state(request).engine, emp, till_code=body.till_code,
                                 desk_id=desk_id, counts=body.counts,
                                 total=count_total(body.counts))


@router.get("/tills/current", summary="Your live till (confirmed operations counted first) "
            "and its vault transfers waiting for a supervisor (``pending_transfers``: the "
            "till does not close while one waits; ``set_aside``: payments DCM confirmed "
            "unlike their authorization, which a close sets aside with a reason and a "
            "supervisor's co-sign)")
async def current(request: Request, emp: CurrentEmployee) -> dict[str, Any]:
    """Each ``set_aside`` entry (here, in a close's answer, in its co-sign's and on a till
    of the branch position waiting for the co-sign): ``payment_guid``, ``kind``,
    ``authorized`` (the hub's authorization, a decimal string in the tills' currency) and,
    each when known, what DCM confirmed: ``confirmed`` (in words, for desks that read
    nothing else), ``confirmed_amount`` (DCM's amount, a decimal string),
    ``confirmed_asset`` (DCM's asset code), ``tills_currency`` (only when that asset is not
    the tills' currency: the currency it is not) and ``confirmed_payment_guid`` (only when
    DCM showed another payment: its GUID)."""
    done = await reconcile(request, emp)  # ``set_aside``: what a close would set aside
    return {**await tills.current_till(hub_state(request).engine, emp),  # one moment's
            "set_aside": [m.out() for m in done.mismatched]}


@router.post("/tills/current/heartbeat", summary="Keep this desk's lease on the till: "
             "renews only the desk holding it (lapsed or not); another desk is refused "
             "(``till_elsewhere``) and never takes the till by a heartbeat")
async def heartbeat(request: Request, emp: CurrentEmployee, desk_id: DeskId) -> dict[str, Any]:
    async with hub_state(request).engine.begin() as conn:
        row = await tills.live_till(conn, emp, desk_id, take=False)
        return await tills.till_out(conn, row)


@router.post("/tills/current/operations", summary="Count a confirmed cash payment the hub "
             "authorized on this till session (the hub verifies it on DCM)")
async def operation(body: PaymentIn, request: Request, emp: Operator,
                    desk_id: DeskId) -> dict[str, Any]:
    """Counted by the hub's authorization, checked against DCM's payment (``till_authorized``),
    never by what DCM shows of its customer now. Refused: a payment this teller did not
    authorize here, one voided (``voided``), one authorized on another till session
    (``other_till_session``: the cash watcher and a supervisor see to it), one DCM confirmed
    for another amount or in another asset than the tills' (``confirmed_mismatch``)."""
    client = await runtime(request).reader.client()
    payment = await read_payment(client, body.payment_guid)
    if payment.status is not PaymentStatus.CONFIRMED:
        raise HubError(409, f"the payment is {payment.status.value} on DCM, not CONFIRMED")
    category = await till_authorized.category_of(client, payment)
    currency = await till_currency(request)
    engine = hub_state(request).engine
    async with engine.begin() as conn:
        till = await tills.live_till(conn, emp, desk_id)
        auth = await till_authorized.authorization(conn, body.payment_guid)
        if auth is None or auth.teller != emp.email:
            raise HubError(409, "this payment was not authorized by you at this hub")
        if await till_authorized.is_voided(conn, body.payment_guid):
            raise HubError(409, "the draft was voided: no till counts it (a supervisor looks "
                           "at its confirm)", "voided")
        if auth.till_id != till.id:
            raise HubError(409, "the payment was authorized on another till session: this "
                           "till does not count it (a supervisor looks at it)",
                           "other_till_session")
        wrong = till_authorized.mismatch(auth, payment, currency)
        if wrong is not None:
            till_authorized.refuse_mismatched([wrong])
        added = await till_authorized.count_authorized(conn, till, auth, category)
        out = await tills.till_out(conn, till)
    return {"counted": added, "till": out}


@router.post("/tills/current/transfers", summary="Ask for cash from / to the vault (a re-send "
             "with the same id answers the transfer filed first)")
async def transfer(body: TransferIn, request: Request, emp: Operator,
                   desk_id: DeskId) -> dict[str, Any]:
    return await till_vault_transfers.request_transfer(
        hub_state(request).engine, emp, desk_id, body.direction, to_minor(body.amount),
        transfer_id=str(body.id) if body.id else None)


@router.post("/tills/current/close", summary="Close: counted vs expected → over/short "
             "(past the close tolerance the till waits for a supervisor: ``close_cosign``, "
             "and every recount after that waits too)")
async def close(body: CloseIn, request: Request, emp: Operator,
                desk_id: DeskId) -> dict[str, Any]:
    """Drafts left behind (CREATED on DCM, nothing may still confirm them) are voided;
    refused (``drafts_outstanding``) while a draft authorized on the till may still be
    confirmed: confirmed after the close, no till would count it. A refusal the voids
    cannot change (``awaiting_cosign``, ``transfer_pending``, ``reason_required``) comes
    before any void: the till stays open with its drafts still confirmable. So does a
    payment confirmed on DCM for another amount than the hub authorized on the till
    (``confirmed_mismatch``, named) without a reason: never counted, never skipped; with a
    reason the close waits for a supervisor's co-sign naming it (``set_aside``, entries as
    ``GET /tills/current`` says them)."""
    engine = hub_state(request).engine
    total = count_total(body.counts)
    tolerance = to_minor((await cash_limits.load_limits(engine)).close_tolerance)
    voided: list[str] = []

    async def attempt() -> dict[str, Any]:
        read_at = now()
        done = await reconcile(request, emp)
        # a confirmed payment the till cannot count as authorized is never skipped: without
        # a reason the close is refused naming it; with one a supervisor co-signs it aside
        mismatched = till_authorized.set_aside_for_close(done.mismatched, body.reason)
        # refused before anything is voided when the voids could not change the answer
        voided.extend(await till_close.void_left_behind_on_till(
            engine, emp, desk_id, done.created, read_at, total=total, reason=body.reason))
        return await till_close.close_till(engine, emp, desk_id, body.counts, total,
                                           body.reason, tolerance=tolerance,
                                           never_confirmed=done.failed,
                                           set_aside=mismatched)

    # (a draft's requests leave the supervisors' queue in its void's transaction)
    try:
        out = await attempt()
    except HubError as exc:
        if exc.code != "drafts_outstanding":
            raise
        out = await attempt()  # a confirm may have landed between the reading and the close
    return {**out, "voided_at_close": voided}


@router.post("/tills/{till_id}/cosign", summary="A supervisor co-signs an opening count")
async def cosign(till_id: str, request: Request, emp: Operator) -> dict[str, Any]:
    if not is_checker(emp):
        raise HubError(403, "only a Supervisor or Administrator co-signs")
    return await tills.cosign(hub_state(request).engine, emp, till_id)


@router.post("/tills/{till_id}/close-cosign", summary="A supervisor co-signs a close whose "
             "over/short passes the tolerance or that sets payments aside (``counted``: the "
             "count they saw)")
async def cosign_close(till_id: str, body: CloseCosignIn, request: Request,
                       emp: Operator) -> dict[str, Any]:
    """The payments the close set aside are read on DCM first (503 ``dcm_unreadable`` while
    it cannot be read): each one's audit row says what DCM confirmed, and so does the
    answer's ``set_aside`` (entries as ``GET /tills/current`` says them)."""
    if not is_checker(emp):
        raise HubError(403, "only a Supervisor or Administrator co-signs a close")
    confirmed = await set_aside_read(request, emp, till_id)  # outside the co-sign's transaction
    return await till_close.cosign_close(hub_state(request).engine, emp, till_id,
                                         to_minor(body.counted), confirmed)


@router.get("/tills/{till_id}/report", summary="The end-of-day report's data (with "
            "``teller_name``, ``cosigned_by_name``, ``close_cosigned_by_name`` when known)")
async def report(till_id: str, request: Request, emp: CurrentEmployee) -> dict[str, Any]:
    state = hub_state(request)
    out = await tills.report(state.engine, emp, till_id)
    # the till's teller and its co-signers by name as the hub knows them (its own store,
    # then DCM's employees): someone only the hub knows has no name the desk could read
    # anywhere else. Each name is the one of that key's own e-mail (``teller_name``:
    # ``teller``'s), never the viewer's
    for key in ("teller", "cosigned_by", "close_cosigned_by"):
        person = out.get(key)
        if isinstance(person, str) and person:
            found = await state.directory.lookup(person)
            if found is not None and found.name and found.name.lower() != person.lower():
                out[f"{key}_name"] = found.name
    return out


@router.post("/transfers/{transfer_id}/approve", summary="A supervisor approves a transfer")
async def approve_transfer(transfer_id: str, request: Request, emp: Operator,
                           body: DecideIn | None = None) -> dict[str, Any]:
    if not is_checker(emp):
        raise HubError(403, "only a Supervisor or Administrator approves transfers")
    return await till_vault_transfers.decide_transfer(
        hub_state(request).engine, emp, transfer_id, approve=True,
        comment=body.comment if body else "")


@router.post("/transfers/{transfer_id}/reject", summary="A supervisor rejects a transfer")
async def reject_transfer(transfer_id: str, body: DecideIn, request: Request,
                          emp: Operator) -> dict[str, Any]:
    if not is_checker(emp):
        raise HubError(403, "only a Supervisor or Administrator rejects transfers")
    return await till_vault_transfers.decide_transfer(
        hub_state(request).engine, emp, transfer_id, approve=False, comment=body.comment)
