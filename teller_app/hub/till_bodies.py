"""Request bodies of the till and cash routes: strict (no extra field), every string bounded.

Amounts travel as decimal strings (``Amount``); the routes turn them into integer kopiyky.
A JSON number with a fraction is refused (422): the body's parser made it a float before
any check, so ``1234567890123456.78`` would arrive as ``1234567890123456.8`` (more precision
is refused, never rounded); a whole number is exact. Every desk sends strings.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from .fe_models import readable_as_typed
from .json_decimal import ExactDecimal

Guid = Annotated[str, StringConstraints(min_length=1, max_length=64,
                                        pattern=r"^[A-Za-z0-9._:-]+$")]
# read by a supervisor: the four-eyes reason's rule (no control or direction characters)
Reason = Annotated[str, StringConstraints(max_length=300), AfterValidator(readable_as_typed)]
# free text read by a supervisor or a teller, line breaks kept (a customer's name is
# ``fe_models.CustomerText``: one line)
Note = Annotated[str, StringConstraints(min_length=1, max_length=300),
                 AfterValidator(readable_as_typed)]
Counts = Annotated[dict[Annotated[str, StringConstraints(max_length=20)], int],
                   Field(max_length=32)]


# what the OpenAPI document promises: a decimal string, at most 2 decimal places
AMOUNT_SCHEMA = {"type": "string", "pattern": r"^[0-9]{1,16}(\.[0-9]{1,2})?$",
                 "examples": ["100.00"]}
# ``Decimal``, never a JSON number with a fraction (``json_decimal``), documented as a string;
# ``ge=0`` where 0 is allowed
StrictMoney = Annotated[ExactDecimal, WithJsonSchema(AMOUNT_SCHEMA)]
Amount = Annotated[StrictMoney, Field(gt=0, max_digits=18, decimal_places=2)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OpenIn(_In):
    till_code: Annotated[str, StringConstraints(min_length=1, max_length=32,
                                                pattern=r"^[\w.-]+$")]
    counts: Counts


class CloseIn(_In):
    counts: Counts
    reason: Reason = ""


class CloseCosignIn(_In):
    # the count the supervisor saw: a recount since then is refused (``count_changed``)
    counted: Annotated[StrictMoney, Field(ge=0, max_digits=18, decimal_places=2)]


class PaymentIn(_In):
    payment_guid: Guid


class AuthorizeIn(PaymentIn):
    # "confirm": the desk asks right before it confirms on DCM; absent: a check (at create)
    purpose: Literal["check", "confirm"] | None = None


class PreviewIn(_In):
    kind: Literal["deposit", "withdrawal"]
    amount: Amount
    customer_guid: Guid | None = None


class VoidIn(_In):
    payment_guid: Guid
    reason: Note
    desk_id: Annotated[str, StringConstraints(max_length=64)] = ""


class RejectDraftIn(_In):
    payment_guid: Guid
    comment: Note
    desk_id: Annotated[str, StringConstraints(max_length=64)] = ""


class TransferIn(_In):
    # optional, made by the desk: a re-send with the same id answers the stored transfer
    id: uuid.UUID | None = None
    direction: Literal["to_till", "to_vault"]
    amount: Amount


class DecideIn(_In):
    comment: Reason = ""


class VaultIn(_In):
    # optional, made by the desk per save: a re-send with the same id answers the stored count
    count_id: uuid.UUID | None = None
    branch_guid: Guid | None = None
    counts: Counts
    reason: Reason = ""  # needed when the count differs from the vault's book balance
