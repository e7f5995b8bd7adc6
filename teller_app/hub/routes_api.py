"""Desk-facing API: hub sessions, ``/me``, issuing secrets, and admin onboarding."""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from teller_app.platform import PlatformError

from . import audit, phone_holders, phone_probe_limit, policy, secret_reissue, sessions, vault
from .authn import (
    HUB_TOKEN,
    CurrentEmployee,
    Operator,
    bearer_token,
    hub_state,
    require_admin,
)
from .contract import Error, errors
from .db import now
from .dcm_reader import app_reader
from .errors import HubError, unauthorized
from .models import (
    EmployeeIn,
    EmployeeOut,
    HubEmployee,
    PasswordSessionIn,
    PlatformSessionIn,
    SecretImportIn,
    SecretIn,
    SecretOut,
    SessionIn,
    SessionOut,
)
from .platform_liveness import PlatformSession, whoami
from .signin_audit import FailedSignInRows
from .signin_throttle import DCM_SCOPE, Attempt, SignInThrottle, Throttled, client_address
from .state import HubState

router = APIRouter(prefix="/api/v1", tags=["desk api"])
log = logging.getLogger("teller_hub.api")
ADMIN_ACTOR = "admin"  # the audit's actor for what the admin token does
# sign_in_throttled rows a minute per client address (repeats of one are not added at all)
THROTTLED_ROWS_PER_MINUTE = 10
# failed sign-ins naming nobody (an unknown e-mail, a refused platform token), the same way
UNKNOWN_ROWS_PER_MINUTE = 30
# both kinds across addresses: ``signin_audit.ROWS_PER_MINUTE`` a minute per process
# a Mode A session's shortest life when DCM's expires_at is (by the hub's clock) about now
MIN_PLATFORM_SESSION_S = 60
THROTTLED = {"model": Error, "description": "Too many failed sign-ins for this e-mail or "
             "client address: wait Retry-After seconds (code sign_in_throttled)",
             "headers": {"Retry-After": {"description": "Seconds until the next attempt is "
                                         "heard", "schema": {"type": "integer"}}}}


@router.post("/sessions", summary="Sign in (mode password: hub store; platform: DCM Kratos)",
             response_model=SessionOut, responses={**errors(400, 401), 429: THROTTLED})
async def create_session(body: SessionIn, request: Request) -> SessionOut | JSONResponse:
    state = hub_state(request)
    throttle = _throttle(request)
    rows = _failed_rows(request)
    host = request.client.host if request.client else ""
    address = client_address(host)
    if isinstance(body, PlatformSessionIn) and not state.settings.dcm_url:
        raise HubError(400, "platform sign-in is not configured on this hub (no dcm_url)")
    email = body.email if isinstance(body, PasswordSessionIn) else None
    seen = {"mode": body.mode, "address": host}
    try:  # counted before argon2 or DCM's whoami runs
        attempt = await throttle.attempt(email=email, address=address)
    except Throttled as exc:
        return await _throttled(state, rows, email, host, seen, exc)
    platform: PlatformSession | None = None
    if isinstance(body, PasswordSessionIn):
        emp = await state.store.authenticate(body.email, body.password)
        if emp is None:
            log.info("sign-in refused", extra={"mode": "password"})
            await _refused_password(state, rows, body.email, seen)
            raise unauthorized("wrong e-mail or password, or the employee is disabled")
    else:
        try:
            emp, platform, by_email = await _platform_employee(state, body, throttle)
        except Throttled as exc:  # the e-mail DCM named is locked; the token itself was good
            await throttle.forgive(attempt)
            return await _throttled(state, rows, None, host, seen, exc)
        except HubError as exc:
            if exc.status != 401:  # DCM could not answer, or the hub's set-up: not a guess
                await throttle.forgive(attempt)
            else:  # a token names nobody: limited per address, as unknown e-mails are
                await rows.record(state.engine, audit.Entry(
                    actor="", action="sign_in_failed", entity=f"address:{host}",
                    detail={**seen, "refusal": "platform_refused"}),
                    cap=UNKNOWN_ROWS_PER_MINUTE)
            raise
        await throttle.succeeded(by_email)
    await throttle.succeeded(attempt)
    if platform is None:
        token, expires = await sessions.create(state.engine, emp, state.settings.session_ttl)
    else:  # Mode A: no longer than the DCM session; its token kept sealed for liveness checks
        not_after = None if platform.expires_at is None else \
            max(platform.expires_at, now() + MIN_PLATFORM_SESSION_S)
        token, expires = await sessions.create(
            state.engine, emp, state.settings.session_ttl, not_after=not_after,
            platform_token=platform.token, master=state.master)
    # after the session's commit: should this fail, the token is never handed out
    await audit.record(state.engine, audit.Entry(
        actor=emp.email, action="sign_in", entity=f"address:{host}",
        branch_guid=emp.branch_guid, detail={**seen, "source": emp.source}))
    log.info("sign-in", extra={"mode": body.mode, "source": emp.source})
    return SessionOut(token=token, expires_at=sessions.iso(expires), employee=emp.public())


async def _throttled(state: HubState, rows: FailedSignInRows, email: str | None, host: str,
                     seen: dict[str, Any], exc: Throttled) -> JSONResponse:
    log.info("sign-in throttled", extra={"mode": seen["mode"]})
    known = await state.store.lookup(email) if email else None
    await rows.record(state.engine, audit.Entry(
        actor=known.email if known else "", action="sign_in_throttled",
        entity=f"address:{host}", branch_guid=known.branch_guid if known else None,
        detail=seen), cap=THROTTLED_ROWS_PER_MINUTE)
    return JSONResponse(
        {"error": f"too many failed sign-ins: try again in {exc.retry_after} s",
         "code": "sign_in_throttled", "retry_after": exc.retry_after}, 429,
        headers={"Retry-After": str(exc.retry_after)})


async def _refused_password(state: HubState, rows: FailedSignInRows, email: str,
                            seen: dict[str, Any]) -> None:
    """A wrong password (or a disabled employee) in the audit under the employee's e-mail and
    in their branch, so their supervisors see it. An e-mail that names nobody is not written
    down (actor ""): it may be a password typed in the wrong field (``P@ssw0rd`` passes for
    one), which never lies readable in the database (as in ``signin_throttle``); and as
    nothing bounds how many made-up e-mails one address tries where addresses are not
    counted, those are limited per address (and across addresses: ``signin_audit``)."""
    known = await state.store.lookup(email)
    entry = audit.Entry(
        actor=known.email if known else "", action="sign_in_failed",
        entity=f"address:{seen['address']}", branch_guid=known.branch_guid if known else None,
        detail={**seen, "refusal": "unknown_employee" if known is None else
                "disabled_employee" if known.disabled else "wrong_password"})
    if known is None:
        await rows.record(state.engine, entry, cap=UNKNOWN_ROWS_PER_MINUTE)
    else:
        await audit.record(state.engine, entry)


def _throttle(request: Request) -> SignInThrottle:
    """One per app (its key is read from the database once)."""
    found = getattr(request.app.state, "signin_throttle", None)
    if not isinstance(found, SignInThrottle):
        state = hub_state(request)
        found = SignInThrottle(state.engine, state.master,
                               per_address=state.settings.signin_per_address_limit)
        request.app.state.signin_throttle = found
    return found


def _failed_rows(request: Request) -> FailedSignInRows:
    """One per app: its failed sign-in audit rows this minute."""
    found = getattr(request.app.state, "failed_signin_rows", None)
    if not isinstance(found, FailedSignInRows):
        found = request.app.state.failed_signin_rows = FailedSignInRows()
    return found


async def _platform_employee(state: HubState, body: PlatformSessionIn, throttle: SignInThrottle
                             ) -> tuple[HubEmployee, PlatformSession, Attempt]:
    """Mode A: DCM's Kratos vouches for the session; DCM's employee list gives roles/branch.
    Once DCM names the e-mail, the attempt is also counted against it (``Throttled`` while
    it is locked, e.g. by refused approver tokens): a refusal from here on stays counted."""
    if not state.settings.dcm_url:
        raise HubError(400, "platform sign-in is not configured on this hub (no dcm_url)")
    seen = await whoami(state, body.session_token)
    if not seen.email:
        raise unauthorized("DCM says the platform session is not active")
    if not state.dcm.enabled:
        raise HubError(400, "the hub has no DCM technical account: cannot read employee roles")
    by_email = await throttle.attempt(email=seen.email, scope=DCM_SCOPE)
    if not seen.active:
        raise unauthorized("DCM says the platform session is not active")
    emp = await state.dcm.lookup(seen.email, wait_s=5.0)
    if emp is None or emp.disabled:
        raise unauthorized("employee is disabled or unknown to DCM")
    return emp, seen, by_email


@router.delete("/sessions", summary="Sign out", dependencies=[Depends(HUB_TOKEN)])
async def delete_session(request: Request) -> dict[str, bool]:
    engine = hub_state(request).engine
    token = bearer_token(request)
    emp = await sessions.find(engine, token)
    deleted = await sessions.delete(engine, token)
    if not deleted:
        raise unauthorized("hub session is unknown or has expired")
    if emp is not None:  # None: it had just expired (nothing was signed out)
        host = request.client.host if request.client else ""
        await audit.record(engine, audit.Entry(
            actor=emp.email, action="sign_out", entity=f"address:{host}",
            branch_guid=emp.branch_guid, detail={"address": host, "source": emp.source}))
    return {"ok": True}


@router.get("/me", summary="The signed-in employee")
async def me(emp: CurrentEmployee) -> EmployeeOut:
    return emp.public()


@router.post("/secrets", summary="Issue a customer's secret (idempotent per external id)",
             response_model=SecretOut,
             responses={**errors(409), 429: phone_probe_limit.THROTTLED_DOC})
async def issue_secret(body: SecretIn, request: Request,
                       emp: Operator) -> SecretOut | JSONResponse:
    """The first step of every create. A new customer's phone number held by another
    customer (on DCM, or by a create on its way) is refused, 409 ``phone_taken``, while the
    bank's policy keeps ``unique_phone`` on (``phone_holders``); each such check counts
    against the employee's a minute (429 ``phone_checks_throttled``, nothing done), once
    for a create retried (``secret_reissue``)."""
    state = hub_state(request)
    kind, branch = vault.owner_branch(body, state.settings.dcm_counterparty)
    if kind == "customer" and branch is None and not emp.head_office:
        raise HubError(422, "branch_guid is required")
    if not emp.may_act_in(branch):
        raise HubError(403, "you may issue secrets only for your own branch")
    unique_phone = kind == "customer" and bool(body.phone) and \
        (await policy.load(state.engine))[0].unique_phone
    if unique_phone:
        refused = audit.Entry(
            actor=emp.email, action="secret_refused", entity="secret",
            branch_guid=branch or emp.branch_guid,
            detail={"external_id": body.external_id, "refusal": phone_probe_limit.CODE})
        again = await secret_reissue.checked_before(state.engine, state.master, body,
                                                    emp.email)  # a create retried
        async with phone_probe_limit.counted(
                state.engine, state.settings.phone_checks_per_minute, refused, again=again):
            holder = await phone_holders.on_dcm(app_reader(request.app.state), body.phone,
                                                 login=body.external_id)
        if holder is not None:
            return await phone_holders.refusal(state.engine, holder, emp, body)
    try:
        created = await vault.issue(state.engine, state.master, body, created_by=emp.email,
                                    counterparty_guid=state.settings.dcm_counterparty,
                                    unique_phone=unique_phone)
    except vault.CaseClash as exc:
        raise HubError(409, str(exc), "external_id_case_clash") from None
    except phone_holders.PhoneHeld as exc:
        return await phone_holders.refusal(state.engine, exc.holder, emp, body)
    if created:  # the external id only: never the secret nor the customer's details
        await audit.record(state.engine, audit.Entry(
            actor=emp.email, action="secret_issued", entity="secret", branch_guid=branch,
            detail={"external_id": body.external_id, "kind": kind}))
    else:
        existing = await vault.owner(state.engine, body.external_id)
        if existing is not None and not emp.may_act_in(existing.branch_guid):
            raise HubError(403, "this external id belongs to another branch")
        try:
            reused = kind == "customer" and await _reused_for_new_details(
                request, body, emp.email, unique_phone)
        except phone_holders.PhoneHeld as exc:
            return await phone_holders.refusal(state.engine, exc.holder, emp, body)
        except vault.LoginInProgress:
            await _login_in_progress(state, emp, body, branch)
        if reused:
            await audit.record(state.engine, audit.Entry(
                actor=emp.email, action="secret_issued", entity="secret",
                branch_guid=existing.branch_guid if existing else branch,
                detail={"external_id": body.external_id, "kind": kind,
                        "profile": "replaced"}))
    log.info("secret issued" if created else "secret exists", extra={"kind": kind})
    return SecretOut(external_id=body.external_id, created=created)


LOGIN_IN_PROGRESS = "login_in_progress"


async def _login_in_progress(state: HubState, emp: HubEmployee, body: SecretIn,
                             branch: str | None) -> NoReturn:
    """The 409 a desk words itself, and its audit row (the login only): another employee
    issued this login's secret moments ago, their create is on its way (``vault``)."""
    await audit.record_limited(state.engine, audit.Entry(
        actor=emp.email, action="secret_refused", entity="secret",
        branch_guid=branch or emp.branch_guid,
        detail={"external_id": body.external_id, "refusal": LOGIN_IN_PROGRESS}),
        cap=phone_holders.AUDIT_PER_MINUTE, cap_by="actor")
    log.info("secret refused: another desk is creating a customer with this login")
    raise HubError(409, "another desk is creating a customer with this login now: nothing "
                   "was issued; search for the login in a few minutes, or use another",
                   LOGIN_IN_PROGRESS)


async def _reused_for_new_details(request: Request, body: SecretIn, issuer: str,
                                  unique_phone: bool) -> bool:
    """An earlier attempt's secret (its create refused by DCM, or never sent) is reused
    with what the teller typed this time: the profile DCM reads (name, phone) is replaced,
    the key kept — only while no DCM customer has the login (one that exists keeps its own
    profile) and the secret is ``issuer``'s or no longer fresh (another employee's fresh
    one: their create is on its way, ``LoginInProgress``) — and it counts as issued now (the
    phone check sees the create on its way). True if the profile was replaced;
    ``PhoneHeld`` when its phone is another's."""
    state = hub_state(request)
    reader = app_reader(request.app.state)
    if reader is None or not reader.available:
        return False  # cannot tell whether the customer exists: kept as it is
    try:
        if await (await reader.client()).find_customer_by_login(body.external_id) is not None:
            return False
    except PlatformError as exc:
        log.info("secret profile kept: DCM not read", extra={"error": type(exc).__name__})
        return False
    replaced = await vault.replace_profile(state.engine, state.master, body,
                                           state.sealed_cache, created_by=issuer,
                                           unique_phone=unique_phone)
    if replaced:
        log.info("secret reused with the new attempt's details")
    return replaced


@router.get("/secrets/{external_id:path}", summary="Does a secret exist for this external id "
            "(in a branch you may act in: another branch's reads as none)")
async def secret_exists(external_id: str, request: Request,
                        emp: CurrentEmployee) -> dict[str, bool]:
    if not external_id or len(external_id) > 500:
        raise HubError(422, "external_id must be 1..500 characters")
    owner = await vault.owner(hub_state(request).engine, external_id)
    # another branch's id answers as an unknown one: no existence oracle across branches
    return {"exists": owner is not None and emp.may_act_in(owner.branch_guid)}


@router.post("/admin/secrets/import", summary="Onboarding: issue secrets for existing customers",
             dependencies=[Depends(require_admin)], responses=errors(409))
async def import_secrets(body: SecretImportIn, request: Request) -> dict[str, Any]:
    state = hub_state(request)
    try:
        created = await vault.import_audited(state.engine, state.master, body.items,
                                             actor=ADMIN_ACTOR,
                                             counterparty_guid=state.settings.dcm_counterparty)
    except vault.CaseClash as exc:
        raise HubError(409, str(exc), "external_id_case_clash") from None
    log.info("secrets imported", extra={"n_created": created, "n_items": len(body.items)})
    return {"created": created, "existing": len(body.items) - created}


@router.post("/admin/employees", summary="Add a hub employee (Mode B; idempotent by e-mail)",
             dependencies=[Depends(require_admin)])
async def add_employee(body: EmployeeIn, request: Request) -> dict[str, Any]:
    if not body.head_office and not body.branch_guid:
        raise HubError(422, "give branch_guid or head_office: true")
    created = await hub_state(request).store.add(body.email, body.name, body.password,
                                                 list(body.roles), body.branch_guid,
                                                 body.head_office, by=ADMIN_ACTOR)
    return {"email": body.email, "created": created}
