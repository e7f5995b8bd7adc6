"""The approval policy's routes: which changes need a second person, changing it (a change
that relaxes a control is itself a request), and asking before a submit. Included by
``routes_requests`` (its prefix and tag)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AfterValidator

from . import bank_settings, phone_holders, phone_probe_limit, policy
from .authn import CurrentEmployee, Operator, hub_state, require_head_office_admin
from .contract import errors
from .fe_models import EvaluateIn, canonical_change, readable_as_typed
from .fe_runtime import runtime
from .models import HubEmployee
from .request_checks import own_customer
from .watcher import fields_of

router = APIRouter()

# A settings change's reason (PUT /policy, PUT /cash/limits: a query parameter, the body is
# the settings): the request rule, declared where it is read (the filing checks it too).
# Stripped before the rule, as it is filed: edge whitespace is dropped, never refused.
SettingsReason = Annotated[str, Query(
    max_length=300, description="Why (filed with a change that waits for approval): what a "
    "supervisor reads, so no control characters but the line break, no direction or "
    "invisible marks"), AfterValidator(str.strip), AfterValidator(readable_as_typed)]


@router.get("/policy", summary="Which changes need a second person")
async def get_policy(request: Request, emp: CurrentEmployee) -> dict[str, Any]:
    pol, by, at = await policy.load(hub_state(request).engine)
    return {"policy": pol.public(), "updated_by": by or None, "updated_at": at or None}


@router.put("/policy", summary="Change the policy (head-office Administrator): a change "
            "that relaxes a control is filed for another one's approval (202)",
            responses={202: {"description": "Filed as a policy_update request"}})
async def put_policy(body: policy.Policy, request: Request,
                     emp: Annotated[HubEmployee | None, Depends(bank_settings.settings_writer)],
                     reason: SettingsReason = "") -> Any:
    if emp is not None:
        require_head_office_admin(emp, "the approval policy")
    done = await bank_settings.put(hub_state(request).engine, bank_settings.POLICY, body, emp,
                                   reason)
    if done.request is not None:
        await runtime(request).bus.poke()
        return bank_settings.filed(done)
    pol, by, at = await policy.load(hub_state(request).engine)
    return {"policy": pol.public(), "updated_by": by or None, "updated_at": at or None}


@router.post("/policy/evaluate", summary="Does this change need approval (before submit); "
             "409 ``phone_taken``: the bank's rule refuses it anyway",
             responses={**errors(403, 409), 429: phone_probe_limit.THROTTLED_DOC})
async def evaluate(body: EvaluateIn, request: Request, emp: Operator) -> dict[str, Any]:
    change, text, digest = canonical_change(body.kind, body.change)
    current = body.current
    if body.customer_guid and body.kind == "customer_update":
        fe = runtime(request)
        customer = await own_customer(fe, emp, body.customer_guid)
        current = {**fields_of(customer), **policy.customer_fields(customer)}
        await phone_holders.refuse_change(fe.state, fe.reader, emp, customer, change,
                                          attempt="evaluate")  # the phone marked before Save
    pol = (await policy.load(hub_state(request).engine))[0]
    reasons = policy.evaluate(pol, body.kind, change, current)
    return {"needs_approval": bool(reasons), "reasons": reasons, "change": change,
            "change_json": text, "sha256": digest}
