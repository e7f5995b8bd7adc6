"""The settings the hub stores stay readable across a rolling upgrade: a process of the
previous release (its model forbids unknown fields) reads the body this release writes, and
this release reads a body a newer one wrote (unknown keys dropped on read; a request's input
stays strict). A review found a policy saved on a new process broke every older one (500 on
cash decisions, filings, the proxy)."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from teller_app.hub import policy
from teller_app.hub.cash_limits import CashLimits


def _previous_release() -> type[pydantic.BaseModel]:
    """The previous release's policy model: the same fields but this release's new ones."""
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in policy.Policy.model_fields.items()
        if name not in policy.NEWER_FIELDS}
    return pydantic.create_model(  # type: ignore[call-overload,no-any-return]
        "PreviousPolicy", __config__=pydantic.ConfigDict(extra="forbid"), **fields)


def test_the_stored_policy_is_readable_by_the_previous_release() -> None:
    previous = _previous_release()
    stored = policy.Policy(cash_threshold="5000.00", segment=True).stored()
    assert "unique_phone" not in stored
    assert previous.model_validate(stored).model_dump()["cash_threshold"] == 5000
    with pytest.raises(pydantic.ValidationError):  # what the old body did to it
        previous.model_validate(policy.Policy().public())


def test_a_field_away_from_its_default_is_kept() -> None:
    assert policy.Policy(unique_phone=False).stored()["unique_phone"] is False


def test_a_newer_releases_body_is_read_and_input_stays_strict() -> None:
    body = {**policy.Policy().stored(), "from_the_future": True}
    assert policy.stored_model(policy.Policy, body).unique_phone is True
    limits = {**CashLimits().public(), "from_the_future": 1}
    assert policy.stored_model(CashLimits, limits) == CashLimits()
    with pytest.raises(pydantic.ValidationError):
        policy.Policy.model_validate(body)
