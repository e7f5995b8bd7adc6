"""Which changes need a second person (issue 10 item 2), stored on the hub.

Defaults: any ``is_disabled`` change, status to/from blocked or closed (compared after
``canon.normalise``), KYC level down, ``balance_allowed`` up, and cash over 10 000.00 UAH.
``all_customer_updates`` makes every customer change a request (Mode A without customers PUT).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy.ext.asyncio import AsyncEngine

from . import audit
from .canon import normalise
from .db import now
from .fe_tables import policy as policy_table

Kind = Literal["customer_update", "cash_confirm"]
Word = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_disabled: bool = True
    sensitive_statuses: list[Word] = Field(default_factory=lambda: ["blocked", "closed"],
                                           max_length=50)
    kyc_down: bool = True
    balance_allowed_up: bool = True
    cash_threshold: Decimal = Field(default=Decimal("10000.00"), ge=0)
    cash_currency: Annotated[str, StringConstraints(min_length=3, max_length=12)] = "UAH"
    all_customer_updates: bool = False

    @field_validator("sensitive_statuses")
    @classmethod
    def _normalised(cls, v: list[str]) -> list[str]:
        return sorted({normalise(s) for s in v if normalise(s)})

    def public(self) -> dict[str, Any]:
        data = self.model_dump()
        data["cash_threshold"] = f"{self.cash_threshold:.2f}"
        return data


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _allowance(value: Decimal) -> Decimal:
    """What a ``balance_allowed`` lets a customer hold: 0 is no limit at all (the platform's
    FAQ 12), so 1000 → 0 is the largest raise there is, and 0 → 1000 a cut."""
    return Decimal("Infinity") if value == 0 else value


NEW_CUSTOMER = {"is_disabled": False, "status": "active", "kyc_level": 0,
                "balance_allowed": 0}  # what DCM gives a customer a create leaves unset


def evaluate(pol: Policy, kind: str, change: dict[str, Any],
             before: dict[str, Any] | None) -> list[str]:
    """Reason codes; empty = no second person needed. ``before`` = the customer's current
    values (None when unknown: a change whose direction cannot be judged needs approval)."""
    reasons: list[str] = []
    if kind == "cash_confirm":
        amount = _decimal(change.get("amount"))
        currency = str(change.get("currency") or pol.cash_currency)
        if amount is None or (normalise(currency) == normalise(pol.cash_currency)
                              and amount > pol.cash_threshold):
            reasons.append("cash_over_threshold")
        return reasons
    cur = before or {}
    if pol.all_customer_updates and change:
        reasons.append("all_customer_updates")
    if pol.is_disabled and "is_disabled" in change and (
            before is None or bool(change["is_disabled"]) != bool(cur.get("is_disabled"))):
        reasons.append("is_disabled")
    if "status" in change:
        sensitive = set(pol.sensitive_statuses)
        new = normalise(str(change["status"] or ""))
        old = normalise(str(cur.get("status") or "")) if before is not None else None
        if new in sensitive or old is None or (old in sensitive and old != new):
            reasons.append("status")
    if pol.kyc_down and "kyc_level" in change:
        new_k, old_k = _int(change["kyc_level"]), _int(cur.get("kyc_level"))
        if new_k is None or old_k is None or new_k < old_k:
            reasons.append("kyc_down")
    if pol.balance_allowed_up and "balance_allowed" in change:
        new_b, old_b = _decimal(change["balance_allowed"]), _decimal(cur.get("balance_allowed"))
        if new_b is None or old_b is None or _allowance(new_b) > _allowance(old_b):
            reasons.append("balance_allowed_up")
    return reasons


async def load(engine: AsyncEngine) -> tuple[Policy, str, int]:
    """(policy, updated_by, updated_at); the defaults until an administrator saves one."""
    async with engine.connect() as conn:
        row = (await conn.execute(sa.select(policy_table).where(policy_table.c.id == 1))).first()
    if row is None:
        return Policy(), "", 0
    return Policy.model_validate(json.loads(row.body)), row.updated_by, row.updated_at


async def cash_currency(engine: AsyncEngine) -> str:
    """The asset a till holds: cash in another is never a till's."""
    return (await load(engine))[0].cash_currency


async def save(engine: AsyncEngine, pol: Policy, by: str, branch_guid: str | None) -> None:
    """Store the policy and its audit entry in one transaction."""
    body = json.dumps(pol.public())
    async with engine.begin() as conn:
        done = await conn.execute(policy_table.update().where(policy_table.c.id == 1)
                                  .values(body=body, updated_by=by, updated_at=now()))
        if not done.rowcount:
            await conn.execute(policy_table.insert().values(id=1, body=body, updated_by=by,
                                                            updated_at=now()))
        await audit.append(conn, audit.Entry(actor=by, action="policy", entity="policy",
                                             branch_guid=branch_guid, detail=pol.public()))
