"""RFC 3339 §5.6 lets "T" and "Z" be lower case: the platform's times in that spelling are
read (a lower-case "z" made them None, and the desk then showed the current time instead)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from teller_app.platform.models import Payment
from teller_app.platform.models._base import _parse_timestamp

AT = datetime(2023, 7, 14, 11, 31, 14, 137931, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2023-07-14t11:31:14.137931z", "2023-07-14T11:31:14.137931z"])
def test_lower_case_t_and_z(text: str) -> None:
    parsed = _parse_timestamp(text)
    assert parsed == AT and parsed.utcoffset() is not None


def test_models_read_them() -> None:
    payment = Payment.model_validate({"guid": "p", "amount": "1", "status": "CONFIRMED",
                                      "created_at": "2023-07-14t11:31:14.137931z"})
    assert payment.created_at == AT
    assert payment.model_dump(mode="json")["created_at"] == "2023-07-14T11:31:14.137931Z"
