"""The bank-wide settings under four eyes: the approval policy and the cash limits (one
document each, set by a head-office Administrator).

A new document that relaxes a control of the one in force (``policy.relaxed``,
``cash_limits.relaxed_limits``: a check off, a status no longer sensitive, a threshold or limit
raised or removed, a wider close tolerance) is not stored: it is filed through the one request
pipeline as a ``policy_update`` / ``cash_limits_update`` command holding the whole new
document. The hub applies it itself (no DCM call) once another head-office Administrator
approved it, and only onto the document it was filed against (compare-and-swap under the
row's lock): a request approved after the settings moved on fails, never undoing a newer
change. A document that only tightens (or changes nothing) is stored at once, judged and
written in one locked transaction so a concurrent tightening is never relaxed by a stale
judgement.

Break glass: IT's admin token (the hub operator's, not an employee's) still writes a document
directly, with an audit entry saying so (``break_glass``, and what it relaxed).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pydantic
import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import audit, commands, policy
from .authn import Declared, bearer_token, current_employee, hub_state
from .canon import canonical, sha256_hex
from .cash_limits import CashLimits, relaxed_limits
from .commands import Command
from .db import dialect_insert, now
from .fe_tables import policy as policy_table
from .models import HubEmployee
from .till_tables import cash_limits as cash_limits_table

POLICY_UPDATE = "policy_update"
CASH_LIMITS_UPDATE = "cash_limits_update"
ADMIN_ACTOR = "admin"  # the audit's actor for the admin token (as routes_api.ADMIN_ACTOR)
STALE = ("not applied: the {entity} changed after this request was filed (it was judged "
         "against the older one): file it again")


@dataclass(frozen=True)
class Setting:
    kind: str  # the request kind
    entity: str  # the audit entry's entity
    table: sa.Table
    model: type[policy.Policy] | type[CashLimits]
    relaxed: Callable[[Any, Any], list[str]]


POLICY = Setting(POLICY_UPDATE, "policy", policy_table, policy.Policy, policy.relaxed)
LIMITS = Setting(CASH_LIMITS_UPDATE, "cash_limits", cash_limits_table, CashLimits,
                 relaxed_limits)
SETTINGS = {s.kind: s for s in (POLICY, LIMITS)}


def is_local(kind: str) -> bool:
    """A request the hub applies to its own settings (no DCM, no platform session)."""
    return kind in SETTINGS


@dataclass(frozen=True)
class Outcome:
    applied: bool  # stored now; False: filed as ``request`` for a second Administrator
    relaxes: list[str]
    request: Command | None = None


def filed(done: Outcome) -> JSONResponse:
    """A PUT's 202: the change waits for a second head-office Administrator."""
    assert done.request is not None
    return JSONResponse({"request_id": done.request.id, "relaxes": done.relaxes,
                         "request": done.request.out(done.relaxes)}, 202)


async def settings_writer(request: Request, _token: Declared = None) -> HubEmployee | None:
    """The employee changing a setting, or None for IT's admin token (break glass)."""
    token = bearer_token(request)
    if hmac.compare_digest(token.encode(), hub_state(request).admin_token.encode()):
        return None
    return await current_employee(request)


def _stored(doc: Any) -> dict[str, Any]:
    """What the database keeps (``Policy.stored``: an older release reads it too)."""
    return doc.stored() if isinstance(doc, policy.Policy) else dict(doc.public())


async def _locked(conn: AsyncConnection, setting: Setting) -> Any:
    """The document in force, its row locked for this transaction: created with the defaults
    first (on SQLite that write takes the write lock), then read FOR UPDATE (PostgreSQL)."""
    table = setting.table
    await conn.execute(dialect_insert(conn, table).values(
        id=1, body=json.dumps(_stored(setting.model())), updated_by="", updated_at=0
    ).on_conflict_do_nothing(index_elements=["id"]))
    body = (await conn.execute(sa.select(table.c.body).where(table.c.id == 1)
                               .with_for_update())).scalar_one()
    return policy.stored_model(setting.model, json.loads(body))


async def _write(conn: AsyncConnection, setting: Setting, doc: Any, actor: str,
                 branch_guid: str | None, detail: dict[str, Any]) -> None:
    table = setting.table
    await conn.execute(table.update().where(table.c.id == 1).values(
        body=json.dumps(_stored(doc)), updated_by=actor, updated_at=now()))
    await audit.append(conn, audit.Entry(actor=actor, action="policy", entity=setting.entity,
                                         branch_guid=branch_guid,
                                         detail={**doc.public(), **detail}))


async def put(engine: AsyncEngine, setting: Setting, new: Any, emp: HubEmployee | None,
              reason: str = "") -> Outcome:
    """Store ``new`` when it relaxes nothing (or for the admin token), else file it."""
    async with engine.begin() as conn:
        current = await _locked(conn, setting)
        relaxes = setting.relaxed(current, new)
        if emp is None:
            await _write(conn, setting, new, ADMIN_ACTOR, None,
                         {"break_glass": True, "relaxes": relaxes})
            return Outcome(True, relaxes)
        if not relaxes:
            await _write(conn, setting, new, emp.email, emp.branch_guid, {})
            return Outcome(True, relaxes)
    # filed as stored (``_stored``): a process of the previous release compares ``before``
    # with its own document and reads the change with a model that forbids this release's
    # new fields, so neither may hold one of them at its default
    before = _stored(current)
    text = canonical(_stored(new))
    digest = sha256_hex(text)
    twin = await commands.pending_twin(engine, setting.kind, digest, emp.email)
    if twin is not None and twin.before == before:  # a re-sent PUT: the same request
        return Outcome(False, relaxes, twin)
    cmd, _ = await commands.file(
        engine, command_id=None, kind=setting.kind, customer_guid="", branch_guid=None,
        change_json=text, sha256=digest, before=before, maker=emp, reason=reason,
        desk_id="")
    return Outcome(False, relaxes, cmd)


async def execute(engine: AsyncEngine, cmd: Command) -> Command:
    """Apply an approved settings request (its SHA-256 checked by the caller): the document
    and the request's end in one transaction, so a crash leaves it approved and unapplied,
    and the resume loop simply runs this again."""
    setting = SETTINGS[cmd.kind]
    actor = cmd.checker or ADMIN_ACTOR
    # both documents compared as stored: a request the previous release filed lacks this
    # release's new fields (at their defaults then), so it still matches what it was judged on
    try:
        new = setting.model.model_validate(cmd.change)
        judged_on = canonical(_stored(policy.stored_model(setting.model, cmd.before)))
    except pydantic.ValidationError:
        new, judged_on = None, ""
    async with engine.begin() as conn:
        current = await _locked(conn, setting)
        if new is None:
            done = await commands.finish_on(conn, cmd, applied=False, actor=actor,
                                            result="not applied: the stored document is "
                                            "not a valid " + setting.entity)
        elif canonical(_stored(current)) != judged_on:
            done = await commands.finish_on(conn, cmd, applied=False, actor=actor,
                                            result=STALE.format(entity=setting.entity))
        else:
            await _write(conn, setting, new, actor, None,
                         {"request_id": cmd.id, "maker": cmd.maker,
                          "relaxes": setting.relaxed(current, new)})
            done = await commands.finish_on(conn, cmd, applied=True, result="applied",
                                            actor=actor)
    return done or await commands.get(engine, cmd.id) or cmd
