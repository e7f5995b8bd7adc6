"""Four-eyes requests and the approval policy (issue 10 items 1-2).

Maker = the authenticated employee, never the body. Only Supervisor/Administrator decide,
in their own branch unless head office, never on their own request. Approve carries the
SHA-256 of the change the approver was shown: any difference is refused (409), never
applied. The decision is one conditional UPDATE: of two racing approvers exactly one wins.
Requests on the bank's own settings (``bank_settings``) are decided by another head-office
Administrator only, and need no platform session. Its checks: ``request_checks``; the
policy's routes: ``routes_policy`` (included here).
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from . import bank_settings, commands, customer_drift, phone_holders, phone_probe_limit, policy
from .authn import CurrentEmployee, Operator, hub_state
from .cash_commands import check_approval, check_filing
from .contract import QueryInt, errors
from .customer_serial import APPROVE_409_DOC
from .errors import HubError
from .execute import CRASH_AFTER_DECISION, Resumer, crash_point
from .fe_models import ApproveIn, RejectIn, RequestIn, ResumeIn, WithdrawIn, canonical_change
from .fe_runtime import runtime
from .request_checks import (
    DecisionRefused,
    approvers_token,
    customer_now,
    moved_since_filing,
    own_customer,
    refusals_audited,
    require_checker,
    visible,
)
from .routes_policy import SettingsReason as SettingsReason
from .routes_policy import router as policy_router
from .till_money import app_cash_zone
from .watcher import fields_of

router = APIRouter(prefix="/api/v1", tags=["four-eyes"])
log = logging.getLogger("teller_hub.four_eyes")


@router.post("/requests", status_code=201, summary="File a request (maker = you)",
             responses={200: {"description": "Filed before with this id (idempotent retry)"},
                        **errors(404, 409), 429: phone_probe_limit.THROTTLED_DOC})
async def file_request(body: RequestIn, request: Request, emp: Operator) -> Any:
    fe = runtime(request)
    change, text, digest = canonical_change(body.kind, body.change)
    customer = await own_customer(fe, emp, body.customer_guid)  # unknown = another branch's
    branch = customer.branch_guid or None
    again = bool(body.id) and await commands.get(fe.state.engine, str(body.id)) is not None
    if body.kind == "cash_confirm" and not again:  # a retry of a filed id: compared below
        await check_filing(await fe.reader.client(), fe.state.engine, emp,
                           body.customer_guid, branch, change,
                           zone=app_cash_zone(request.app.state))
    elif body.kind == "customer_update" and not again:  # one customer per phone number
        await phone_holders.refuse_change(fe.state, fe.reader, emp, customer, change,
                                          attempt="file", desk_id=body.desk_id)
    current = {**fields_of(customer), **policy.customer_fields(customer)}
    # a limit is kept with its currency: "1 000 UAH → 500 USD", and judged again if it moves
    kept = set(change) | ({commands.LIMIT_ASSET} if commands.LIMIT in change else set())
    before = {"login": customer.login, "name": customer.name, "surname": customer.surname,
              **{k: v for k, v in customer.model_dump(mode="json").items() if k in kept},
              **{k: current[k] for k in kept if k in current}}
    if body.kind == "customer_update":  # a freeze after filing stops it (customer_drift)
        before = {**customer_drift.filing_extra(customer), **before}
    cmd, created = await commands.file(
        fe.state.engine, command_id=str(body.id) if body.id else None, kind=body.kind,
        customer_guid=body.customer_guid, branch_guid=branch, change_json=text, sha256=digest,
        before=before, maker=emp, reason=body.reason, desk_id=body.desk_id)
    if not created and (cmd.maker != emp.email or cmd.sha256 != digest
                        or cmd.customer_guid != body.customer_guid or cmd.kind != body.kind):
        raise HubError(409, "this request id is taken: a filed request never changes")
    await fe.bus.poke()  # streams of this process see it at once (others: next poll)
    pol = (await policy.load(fe.state.engine))[0]
    reasons = policy.evaluate(pol, body.kind, change, current)
    log.info("request filed", extra={"request_id": cmd.id, "new": created})
    return JSONResponse(cmd.out(reasons), 201 if created else 200)


@router.get("/requests", summary="Requests you may see (checkers: branch; head office: all)")
async def list_requests(
    request: Request, emp: CurrentEmployee,
    state: Annotated[list[str] | None, Query()] = None,
    mine: bool = False, customer_guid: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: QueryInt | None = None,
    before_id: Annotated[str | None, Query(max_length=36)] = None,
) -> dict[str, Any]:
    # the next page: ``before`` = the last row's created_at, ``before_id`` = its id
    states = [s for s in state or [] if s]
    if any(s not in commands.STATES for s in states):
        raise HubError(422, f"state must be one of {', '.join(commands.STATES)}")
    if before_id is not None and before is None:
        raise HubError(422, "before_id needs before (the same row's created_at)")
    found = await commands.listing(hub_state(request).engine, emp, states=states, mine=mine,
                                   customer_guid=customer_guid, limit=limit, before=before,
                                   before_id=before_id)
    return {"requests": [c.out() for c in found]}


@router.get("/requests/{command_id}", summary="One request; ``current=true`` adds ``current``: "
            "the fields changed on DCM since it was filed, as they are now (one DCM read)")
async def get_request(command_id: str, request: Request, emp: CurrentEmployee,
                      current: bool = False) -> Any:
    cmd = await visible(request, emp, command_id)
    data = cmd.out()
    if current:
        moved = await moved_since_filing(runtime(request), cmd, emp)
        if moved is not None:
            data["current"] = customer_drift.current_of(moved)
    return data


@router.post("/requests/{command_id}/approve", summary="Approve what you were shown; the hub "
             "executes it on DCM", responses={**errors(409), 409: APPROVE_409_DOC})
async def approve(command_id: str, body: ApproveIn, request: Request,
                  emp: Operator) -> Any:
    fe = runtime(request)
    async with refusals_audited(request, emp, command_id, "approve", body.desk_id):
        cmd = await visible(request, emp, command_id)
        require_checker(emp, cmd)
        if cmd.state != commands.PENDING:
            raise DecisionRefused(409, f"the request is already {cmd.state}"
                                  + (f" by {cmd.checker}" if cmd.checker else ""),
                                  "already_decided")
        if not hmac.compare_digest(body.sha256, cmd.sha256):
            raise DecisionRefused(409, "the request differs from what you were shown: "
                                  "refused, nothing applied", "hash_mismatch")
        if cmd.kind == "cash_confirm":  # tills (issue 15): still controlled, not the approver's
            await check_approval(fe.state.engine, emp, cmd)
        token = body.session_token.get_secret_value() if body.session_token else None
        if bank_settings.is_local(cmd.kind):
            token = None  # applied on the hub itself: no platform session is used or checked
        elif emp.source == "dcm":
            if not token:
                raise HubError(422, "give your platform session_token: the hub executes the "
                               "change with it for this call only")
            await approvers_token(fe.state, emp, token)
        elif fe.state.settings.bank_key_file is None:
            raise HubError(503, "the hub has no bank key: it cannot execute in Mode B")
        # changed by another desk since filing: ended unapplied now, never approved. Unmoved,
        # the executor reads it again after the decision (a sibling change approved on this
        # customer meanwhile: the decision is refused while it runs, drift once it applied)
        judged = await customer_now(fe, cmd, emp)
        moved = customer_drift.drift(cmd, judged) if judged is not None else None
        if judged is not None and not moved:  # its number another's: it stays pending
            await phone_holders.refuse_approval(fe.state.engine, fe.reader, emp, cmd, judged)
        if moved:
            new = await customer_drift.end_unapplied(fe.state.engine, cmd, emp, moved,
                                                     comment=body.comment,
                                                     desk_id=body.desk_id)
        else:  # another change to this customer still applying: 409, still pending
            new = await commands.decide(fe.state.engine, cmd, emp, approve=True,
                                        sha256=body.sha256, comment=body.comment,
                                        desk_id=body.desk_id)
        if new is None:
            again = await commands.get(fe.state.engine, cmd.id)
            state = again.state if again else "gone"
            by = f" by {again.checker}" if again and again.checker else ""
            raise DecisionRefused(409, f"the request is already {state}{by}",
                                  "already_decided")
    if new.state == commands.FAILED:  # customer_drift: nothing was decided or written
        log.info("request not applied: customer changed", extra={"request_id": new.id})
        await fe.bus.poke()
        return new.out()
    crash_point(CRASH_AFTER_DECISION)
    await fe.bus.poke()
    done = await fe.executor.execute(new, token)
    await fe.bus.poke()
    return done.out()


@router.post("/requests/{command_id}/reject", summary="Reject with a comment",
             responses=errors(409))
async def reject(command_id: str, body: RejectIn, request: Request,
                 emp: Operator) -> Any:
    engine = hub_state(request).engine
    async with refusals_audited(request, emp, command_id, "reject", body.desk_id):
        cmd = await visible(request, emp, command_id)
        require_checker(emp, cmd)
        if body.sha256 is not None and not hmac.compare_digest(body.sha256, cmd.sha256):
            raise DecisionRefused(409, "the request differs from what you were shown",
                                  "hash_mismatch")
        new = await commands.decide(engine, cmd, emp, approve=False, sha256=None,
                                    comment=body.comment, desk_id=body.desk_id)
        if new is None:
            again = await commands.get(engine, cmd.id)
            raise DecisionRefused(
                409, f"the request is already {again.state if again else 'gone'}",
                "already_decided")
    if new.kind == "cash_confirm":  # tills (issue 15): a rejected draft is voided too
        from .voids import record_rejected_request

        await record_rejected_request(engine, emp, new)
    await runtime(request).bus.poke()
    return new.out()


@router.post("/requests/{command_id}/withdraw", summary="The maker withdraws a pending request",
             responses=errors(409))
async def withdraw(command_id: str, request: Request, emp: Operator,
                   body: WithdrawIn | None = None) -> Any:
    cmd = await visible(request, emp, command_id)
    if cmd.maker != emp.email:
        raise HubError(403, "only the maker may withdraw a request")
    new = await commands.withdraw(hub_state(request).engine, cmd, emp,
                                  body.desk_id if body else "")
    if new is None:
        raise HubError(409, f"the request is already {cmd.state}")
    await runtime(request).bus.poke()
    return new.out()


@router.post("/requests/{command_id}/resume", summary="Resume an interrupted execution")
async def resume(command_id: str, request: Request, emp: Operator,
                 body: ResumeIn | None = None) -> Any:
    fe = runtime(request)
    desk_id = body.desk_id if body else ""
    async with refusals_audited(request, emp, command_id, "resume", desk_id):
        cmd = await visible(request, emp, command_id)
        require_checker(emp, cmd)
        if cmd.state != commands.APPROVED:
            return cmd.out()
        token = body.session_token.get_secret_value() if body and body.session_token else None
        if cmd.checker_source == "dcm" and token:
            await approvers_token(fe.state, emp, token)
    # who resumed is the execution's actor: DCM writes under their session (or token)
    return (await fe.executor.resume(cmd, token, by=Resumer(emp.email, desk_id))).out()


router.include_router(policy_router)  # after the requests' routes, as they were listed
