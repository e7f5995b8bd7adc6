"""Which changes need a second person (issue 10 item 2), stored on the hub.

Defaults: any ``is_disabled`` change, status to/from blocked or closed (compared by
``canon.status_key``: "Заблокована", "CLOSED" and "bl\\u043ecked" are those too: DCM's
status is free text and the desk's form is no control), KYC level down, ``balance_allowed``
up, a new phone number (the one one-time codes go to: an account-takeover route; the same
number written otherwise is not new, ``same_phone``), a move to another branch, and cash
over 10 000.00 UAH. Off by default: KYC level up, a segment change. ``all_customer_updates`` makes
every customer change a request (Mode A without customers PUT).

``unique_phone`` (on by default) is the bank's rule at a create, not an approval: one
customer per phone number (``phone_holders``); a bank that allows a shared family phone
turns it off.

A new policy that relaxes the one in force (``relaxed``) is itself a four-eyes request
(``bank_settings``); one that only tightens applies at once.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.platform.phones import same_number_written

from .canon import normalise, status_key, status_keys
from .fe_tables import policy as policy_table
from .json_decimal import ExactDecimal

Kind = Literal["customer_update", "cash_confirm"]
M = TypeVar("M", bound=BaseModel)
Word = Annotated[str, StringConstraints(min_length=1, max_length=64)]


# Fields a release added, with their defaults: left out of the stored body while at them
# (``Policy.stored``). unique_phone: this release; an older process refuses the key.
NEWER_FIELDS: dict[str, Any] = {"unique_phone": True}


def stored_model(model: type[M], data: dict[str, Any]) -> M:
    """A settings document read from the database, its unknown keys dropped: a body a newer
    release wrote must not stop this process (input from a request stays strict)."""
    return model.model_validate({k: v for k, v in data.items() if k in model.model_fields})


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_disabled: bool = True
    sensitive_statuses: list[Word] = Field(default_factory=lambda: ["blocked", "closed"],
                                           max_length=50)
    kyc_down: bool = True
    balance_allowed_up: bool = True
    cash_threshold: ExactDecimal = Field(default=Decimal("10000.00"), ge=0, max_digits=18,
                                         decimal_places=2)  # more places: 422, not rounded
    cash_currency: Annotated[str, StringConstraints(min_length=3, max_length=12)] = "UAH"
    all_customer_updates: bool = False
    phone_number: bool = True
    branch_move: bool = True
    kyc_up: bool = False
    segment: bool = False
    unique_phone: bool = True  # a new customer's phone number held by nobody else

    @field_validator("sensitive_statuses")
    @classmethod
    def _normalised(cls, v: list[str]) -> list[str]:
        return sorted({normalise(s) for s in v if normalise(s)})

    def public(self) -> dict[str, Any]:
        data = self.model_dump()
        data["cash_threshold"] = f"{self.cash_threshold:.2f}"
        return data

    def stored(self) -> dict[str, Any]:
        """The body kept in the database: ``public()`` without the fields newer than the
        previous release while they hold their defaults, so processes of that release (whose
        model forbids unknown fields) still read it during a rolling upgrade."""
        data = self.public()
        for name, default in NEWER_FIELDS.items():
            if data.get(name) == default:
                data.pop(name)
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
        sensitive = status_keys(pol.sensitive_statuses)
        new = status_key(str(change["status"] or ""))
        old = status_key(str(cur.get("status") or "")) if before is not None else None
        if new in sensitive or old is None or (old in sensitive and old != new):
            reasons.append("status")
    if pol.kyc_down and "kyc_level" in change:
        new_k, old_k = _int(change["kyc_level"]), _int(cur.get("kyc_level"))
        if new_k is None or old_k is None or new_k < old_k:
            reasons.append("kyc_down")
    if pol.kyc_up and "kyc_level" in change:
        new_k, old_k = _int(change["kyc_level"]), _int(cur.get("kyc_level"))
        if new_k is None or old_k is None or new_k > old_k:
            reasons.append("kyc_up")
    if pol.balance_allowed_up and "balance_allowed" in change:
        new_b, old_b = _decimal(change["balance_allowed"]), _decimal(cur.get("balance_allowed"))
        if new_b is None or old_b is None or _allowance(new_b) > _allowance(old_b):
            reasons.append("balance_allowed_up")
    for on, field, code in ((pol.phone_number, "phone_number", "phone_number"),
                            (pol.branch_move, "branch_guid", "branch_move"),
                            (pol.segment, "segment", "segment")):
        if on and field in change and (field not in cur or _differs(change[field],
                                                                    cur[field], field)):
            reasons.append(code)  # a value not known before cannot be judged: asked
    return reasons


def _text(value: Any, field: str) -> str:
    text = "" if value is None else str(value).strip()
    return normalise(text) if field == "segment" else text


def _differs(new: Any, old: Any, field: str) -> bool:
    """Whether ``new`` is another value than ``old``: a phone number the same number as
    stored in another written form ("+380671112233" for "+380 67 111 22 33") is not."""
    if _text(new, field) == _text(old, field):
        return False
    return not (field == "phone_number"
                and same_number_written(_text(new, field), _text(old, field)))


def customer_fields(customer: Any) -> dict[str, Any]:
    """The values besides ``watcher.fields_of`` that the policy judges (a ``Customer``)."""
    return {"phone_number": customer.phone_number or "",
            "branch_guid": customer.branch_guid or "", "segment": customer.segment or ""}


CHECKS = ("is_disabled", "kyc_down", "kyc_up", "balance_allowed_up", "all_customer_updates",
          "phone_number", "branch_move", "segment", "unique_phone")


def relaxed(old: Policy, new: Policy) -> list[str]:
    """What ``new`` asks less of than ``old`` (a check off, a status no longer sensitive, a
    higher threshold, another currency: its threshold would be in other money); empty when
    it only tightens or changes nothing."""
    out = [name for name in CHECKS if getattr(old, name) and not getattr(new, name)]
    if status_keys(old.sensitive_statuses) - status_keys(new.sensitive_statuses):
        out.append("sensitive_statuses")
    if new.cash_threshold > old.cash_threshold:
        out.append("cash_threshold")
    if normalise(new.cash_currency) != normalise(old.cash_currency):
        out.append("cash_currency")
    return out


async def load(engine: AsyncEngine) -> tuple[Policy, str, int]:
    """(policy, updated_by, updated_at); the defaults until an administrator saves one."""
    async with engine.connect() as conn:
        row = (await conn.execute(sa.select(policy_table).where(policy_table.c.id == 1))).first()
    if row is None:
        return Policy(), "", 0
    return stored_model(Policy, json.loads(row.body)), row.updated_by, row.updated_at


async def cash_currency(engine: AsyncEngine) -> str:
    """The asset a till holds: cash in another is never a till's."""
    return (await load(engine))[0].cash_currency
