"""Request bodies of the four-eyes API (extra fields refused: a body cannot name a maker,
a checker or a state)."""

from __future__ import annotations

import unicodedata
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

import pydantic
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    field_validator,
)

from teller_app.platform.text_rules import unsafe_char

from .audit import DeskAction
from .canon import canonical, sha256_hex
from .errors import HubError, validation_text
from .json_decimal import ExactDecimal
from .models import GUID_RE


def readable_as_typed(text: str) -> str:
    """A reason or comment a supervisor will read: refused when it holds what could disguise
    it (control characters but the line break, direction marks, invisible format
    characters), by the rule of the desk's own form. ``<`` and ``>`` stay ("<5000"): the
    desks show this text as plain text."""
    ch = unsafe_char(text, multiline=True)
    if ch is not None:
        raise ValueError(f"must not contain control characters or text-direction marks "
                         f"(U+{ord(ch):04X})")
    return text


def one_line_as_typed(text: str) -> str:
    """A customer's name, status or segment (a change request's text): the desk form's rule
    for these fields (``ui/validators.check_text``), so no line break either. The letter
    apostrophe (U+02BC), ' and hyphens stay, as in Ukrainian names."""
    ch = unsafe_char(text)
    if ch is not None:
        raise ValueError(f"must not contain control characters, line breaks or "
                         f"text-direction marks (U+{ord(ch):04X})")
    return text


def reason_as_typed(reason: str) -> str:
    """``readable_as_typed`` for code that files a request with a reason no request body
    checked (a query parameter): 422 in the shape of a body's refusal."""
    try:
        return readable_as_typed(reason)
    except ValueError as exc:
        raise HubError(422, f"invalid request: reason: {exc}") from None


Guid = Annotated[str, StringConstraints(strip_whitespace=True, pattern=GUID_RE)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300),
                   AfterValidator(readable_as_typed)]
DESK_ID_MAX = 64  # audit_log.desk_id
DeskId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=DESK_ID_MAX)]
Sha256 = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True,
                                          pattern=r"^[0-9a-fA-F]{64}$")]
# a customer's field as a change request sets it (not ``till_bodies.Note``: free text)
CustomerText = Annotated[str, StringConstraints(max_length=300),
                         AfterValidator(one_line_as_typed)]
Kind = Literal["customer_update", "cash_confirm"]
# An audit entry's detail as canonical JSON (UTF-8): a desk's entries are GUIDs, field names
# and amounts (well under 1 KB); the cap keeps the log and every page of it small.
AUDIT_DETAIL_MAX_BYTES = 8 * 1024
# Entries per POST /audit: the desk's outbox sends batches of core/audit.BATCH (200).
AUDIT_BATCH_MAX = 200


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=4096)


class CustomerChange(_In):
    """The fields of ``CustomerUpdate`` a request may change (at least one)."""

    balance_allowed: ExactDecimal | None = Field(default=None, ge=0, max_digits=30,
                                            decimal_places=7)
    balance_asset_code: Annotated[str, StringConstraints(max_length=12)] | None = None
    balance_asset_issuer: Annotated[str, StringConstraints(max_length=64)] | None = None
    branch_guid: Guid | None = None
    is_disabled: bool | None = None
    kyc_level: int | None = Field(default=None, ge=0, le=10)
    name: CustomerText | None = None
    paternal_name: CustomerText | None = None
    phone_number: Annotated[str, StringConstraints(max_length=32)] | None = None
    segment: CustomerText | None = None
    status: CustomerText | None = None
    surname: CustomerText | None = None

    def canonical_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in sorted(self.model_fields_set):
            value = getattr(self, name)
            if value is None:
                continue
            data[name] = format(value, "f") if isinstance(value, Decimal) else value
        return data


class CashChange(_In):
    payment_guid: Guid
    amount: ExactDecimal = Field(gt=0, max_digits=30, decimal_places=7)
    currency: Annotated[str, StringConstraints(min_length=3, max_length=12)] = "UAH"
    branch_guid: Guid | None = None

    def canonical_dict(self) -> dict[str, Any]:
        data = {"payment_guid": self.payment_guid, "amount": format(self.amount, "f"),
                "currency": self.currency}
        if self.branch_guid:
            data["branch_guid"] = self.branch_guid
        return data


class RequestIn(_In):
    id: uuid.UUID | None = None  # optional, for an idempotent retry of the same filing
    kind: Kind
    customer_guid: Guid
    change: dict[str, Any]
    reason: Reason = ""
    desk_id: DeskId = ""


class ApproveIn(_In):
    sha256: Sha256  # the hash of the change the approver was shown
    comment: Reason = ""
    session_token: SecretStr | None = Field(default=None, max_length=2048)  # Mode A only
    desk_id: DeskId = ""


class RejectIn(_In):
    comment: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=300), AfterValidator(readable_as_typed)]
    sha256: Sha256 | None = None
    desk_id: DeskId = ""


class WithdrawIn(_In):
    desk_id: DeskId = ""


class ResumeIn(_In):
    session_token: SecretStr | None = Field(default=None, max_length=2048)
    desk_id: DeskId = ""


class EvaluateIn(_In):
    kind: Kind
    change: dict[str, Any]
    customer_guid: Guid | None = None  # the hub reads the current values from DCM
    current: dict[str, Any] | None = None  # or the desk's displayed values


class AckIn(_In):
    comment: Reason = ""


class AuditItem(_In):
    # the hub's own actions (alert, policy…) are refused; a legacy desk's copies of requests
    # and decisions are taken as "other" (audit.LEGACY_DESK_ACTIONS, routes_audit)
    action: DeskAction | Literal["request", "decision", "execution"]
    entity: Annotated[str, StringConstraints(max_length=200)] = ""
    detail: dict[str, Any] = Field(default_factory=dict)
    client_id: Annotated[str, StringConstraints(min_length=8, max_length=64,
                                                pattern=r"^[0-9A-Za-z_.:-]+$")] | None = None
    desk_ts: Annotated[str, StringConstraints(max_length=40)] = ""

    @field_validator("detail")
    @classmethod
    def _detail_size(cls, detail: dict[str, Any]) -> dict[str, Any]:
        try:
            size = len(canonical(detail).encode("utf-8"))
        except (TypeError, ValueError, RecursionError):  # NaN/Infinity; nested too deep
            raise ValueError("detail must be plain JSON") from None
        if size > AUDIT_DETAIL_MAX_BYTES:
            raise ValueError(f"detail is too large: {size} bytes as canonical JSON, "
                             f"at most {AUDIT_DETAIL_MAX_BYTES}")
        return detail


class AuditIn(_In):
    desk_id: DeskId = ""
    entries: list[AuditItem] = Field(min_length=1, max_length=AUDIT_BATCH_MAX)

    @field_validator("desk_id")
    @classmethod
    def _desk_id_as_shown(cls, desk_id: str) -> str:
        """Stored in NFKC, so a full-width or compatibility form reads as what it shows;
        invisible characters (zero-width, bidi marks, controls) are refused, not hidden."""
        if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in desk_id):
            raise ValueError("desk_id must not hold control or invisible characters")
        desk_id = unicodedata.normalize("NFKC", desk_id).strip()
        if len(desk_id) > DESK_ID_MAX:  # NFKC may lengthen ("\ufdfa" is 18 characters)
            raise ValueError(f"desk_id is longer than {DESK_ID_MAX} characters")
        return desk_id


def canonical_change(kind: str, change: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """(normalised change, canonical JSON, SHA-256) or 422."""
    model: type[CustomerChange] | type[CashChange] = (
        CustomerChange if kind == "customer_update" else CashChange)
    try:
        parsed = model.model_validate(change)
    except pydantic.ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        raise HubError(422, f"invalid change: {where}: {validation_text(err)}") from None
    data = parsed.canonical_dict()
    if not data:
        raise HubError(422, "invalid change: nothing to change")
    text = canonical(data)
    return data, text, sha256_hex(text)
