"""The status-field encoding of change requests and decisions (no platform needed)."""

from __future__ import annotations

import pytest

from teller_app.core.approval_codec import (
    STATUS_MAX_CHARS,
    ChangeRequest,
    CodecError,
    Decision,
    decode_decision,
    encode_decision,
    encode_status,
    real_status,
    replace_real_status,
    split_status,
)

REQ = ChangeRequest(
    id="0123456789abcdef0123456789abcdef",
    maker_guid="maker-guid",
    branch_guid="branch-guid",
    created_at="2024-05-01T10:00:00.000000Z",
    reason="Клієнт втратив телефон ]] [[tr1:x]]",
    change={"is_disabled": True},
)


@pytest.mark.parametrize("real", ["active", "", " ", "foo ", "x ]]", "[[tr1:abc]]", "у роботі"])
def test_round_trip_keeps_real_status_byte_for_byte(real: str) -> None:
    status = encode_status(real, REQ)
    back, request = split_status(status, "cust")
    assert back == real
    assert request is not None
    assert request.id == REQ.id and request.change == {"is_disabled": True}
    assert request.reason == REQ.reason and request.customer_guid == "cust"
    assert real_status(status) == real


def test_exact_format() -> None:
    status = encode_status("active", REQ)
    assert status.startswith("active [[tr1:") and status.endswith("]]")
    body = status[len("active [[tr1:") : -2]
    assert set(body) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    "status", ["active", "blocked [[tr1:notbase64!]]", "a [[tr1:e30]]", "[[tr1:]]", None]
)
def test_plain_or_foreign_text_is_not_a_request(status: str | None) -> None:
    assert split_status(status) == (status or "", None)


def test_reason_required_and_bounded() -> None:
    with pytest.raises(CodecError):
        encode_status("active", ChangeRequest(**{**REQ.__dict__, "reason": "  "}))
    with pytest.raises(CodecError):
        encode_status("active", ChangeRequest(**{**REQ.__dict__, "reason": "x" * 301}))


def test_only_allowed_fields_and_total_length() -> None:
    with pytest.raises(CodecError):
        encode_status("a", ChangeRequest(**{**REQ.__dict__, "change": {"name": "X"}}))
    with pytest.raises(CodecError):
        encode_status("a" * STATUS_MAX_CHARS, REQ)


def test_edit_forms_keep_the_pending_request() -> None:
    status = encode_status("active", REQ)
    edited = replace_real_status(status, "VIP")
    assert split_status(edited)[0] == "VIP"
    assert split_status(edited)[1].id == REQ.id
    assert replace_real_status("active", "VIP") == "VIP"


def test_decision_round_trip() -> None:
    decision = Decision(REQ.id, "cust", "rejected", "sup", "2024-05-01T10:00:00Z", "=cmd")
    assert decode_decision(encode_decision(decision)) == decision
    assert decode_decision("active") is None
    with pytest.raises(CodecError):
        encode_decision(Decision(REQ.id, "c", "maybe", "s", "t"))


def test_a_decimal_amount_is_carried_as_exact_text() -> None:
    from decimal import Decimal

    from teller_app.core.approval_codec import validate_change

    change = {"balance_allowed": Decimal("1500.50"), "kyc_level": 1}
    assert validate_change(change) == {"balance_allowed": "1500.50", "kyc_level": 1}
    assert validate_change({"balance_allowed": Decimal("1E+3")}) == {"balance_allowed": "1000"}
    with pytest.raises(CodecError):
        validate_change({"balance_allowed": Decimal("NaN")})
    request = ChangeRequest(id="c" * 32, maker_guid="m", branch_guid="b", created_at="t",
                            reason="limit", change=change)
    _real, back = split_status(encode_status("active", request))
    assert back is not None and back.change == {"balance_allowed": "1500.50", "kyc_level": 1}
