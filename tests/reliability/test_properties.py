"""Property tests (Hypothesis) for every validator and wire parser: round trips, and no
exception other than the typed ones, whatever the input."""

from __future__ import annotations

import contextlib
import json
import string
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teller_app.platform import Customer, CustomerPage, _json, _sensitive
from teller_app.platform.models import format_timestamp
from teller_app.platform.models._base import _parse_timestamp
from teller_app.secrets.redaction import MASK, redact_text

SETTINGS = settings(max_examples=120, deadline=None, derandomize=True,  # reproducible in CI
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=30) | st.floats()
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                           max_leaves=20)

finite_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=20)


# --- UI validators (Qt translate works without showing anything) ---------------------------
@SETTINGS
@given(st.text(max_size=60), st.booleans(), st.booleans())
def test_check_text_is_total_and_consistent(qapp: Any, text: str, multiline: bool,
                                            name: bool) -> None:
    from teller_app.ui.validators import check_text, isolate, one_line, unsafe_char

    value, error = check_text(text, "Field", multiline=multiline, name=name)
    assert value == text.strip()
    if not error:
        assert unsafe_char(value, multiline=multiline) is None
        assert check_text(value, "Field", multiline=multiline, name=name) == (value, "")
    # shown on one line: only text the form refuses (a control character) is changed
    assert isolate(value)[1:-1] == one_line(value) if value else isolate(value) == ""
    assert one_line(value) == value or unsafe_char(value) is not None


@SETTINGS
@given(st.text(alphabet=string.digits + " +()-", max_size=20) | st.text(max_size=20))
def test_check_phone_round_trips(qapp: Any, text: str) -> None:
    from teller_app.ui.validators import check_phone

    value, error = check_phone(text)
    if not error and value:
        assert value.startswith("+") and check_phone(value) == (value, "")


@SETTINGS
@given(st.text(alphabet=string.ascii_uppercase + string.digits + " ", max_size=34)
       | st.text(max_size=34))
def test_check_iban_round_trips(qapp: Any, text: str) -> None:
    from teller_app.ui.validators import check_iban

    value, error = check_iban(text)
    if not error and value:
        assert " " not in value and check_iban(value) == (value, "")


@SETTINGS
@given(st.text(max_size=140))
def test_check_login_is_idempotent(qapp: Any, text: str) -> None:
    from teller_app.ui.validators import check_login

    value, error = check_login(text)
    if not error:
        assert check_login(value) == (value, "")


@SETTINGS
@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2,
                   allow_nan=False, allow_infinity=False))
def test_amounts_round_trip_through_the_display_format(qapp: Any, amount: Decimal) -> None:
    from teller_app.ui.money import format_number, parse_amount

    assert parse_amount(format_number(amount, 2), 2) == amount


@SETTINGS
@given(st.text(max_size=30), st.integers(min_value=0, max_value=6))
def test_parse_amount_never_raises(qapp: Any, text: str, minor: int) -> None:
    from teller_app.ui.money import parse_amount

    value = parse_amount(text, minor)
    assert value is None or value.is_finite()


# --- wire parsers -----------------------------------------------------------------------------
@SETTINGS
@given(st.dictionaries(st.sampled_from(list(Customer.model_fields)) | st.text(max_size=8),
                       json_values, max_size=12))
def test_customer_parser_raises_only_validation_errors(data: dict[str, Any]) -> None:
    try:
        customer = Customer.model_validate(data)
    except pydantic.ValidationError:
        return
    again = Customer.model_validate(json.loads(customer.model_dump_json()))
    assert again == customer


@SETTINGS
@given(json_values)
def test_customer_page_parser_raises_only_validation_errors(data: Any) -> None:
    with contextlib.suppress(pydantic.ValidationError):
        CustomerPage.model_validate(data)


customers = st.builds(
    Customer,
    wallet_user_guid=st.uuids().map(str),
    login=st.text(max_size=20),
    kyc_level=st.integers(0, 5),
    is_disabled=st.booleans(),
    balance_allowed=st.decimals(min_value=0, max_value=Decimal("1e9"), places=2,
                                allow_nan=False),
    name=st.text(max_size=20),
    surname=st.text(max_size=20),
    status=st.text(max_size=20),
    branch_guid=st.none() | st.uuids().map(str),
    created_at=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                            timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0)),
)


@SETTINGS
@given(customers)
def test_customers_round_trip_through_the_wire_format(customer: Customer) -> None:
    text = _json.dumps(customer.model_dump(mode="json"))
    assert Customer.model_validate(_json.loads(text)) == customer


@SETTINGS
@given(st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_json_loads_raises_only_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        _json.loads(text)


@SETTINGS
@given(finite_json_values)
def test_json_round_trip(value: Any) -> None:
    assert _json.loads(_json.dumps(value)) == json.loads(json.dumps(value),
                                                        parse_float=Decimal)


@SETTINGS
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                    timezones=st.just(UTC)))
def test_timestamps_round_trip(moment: Any) -> None:
    assert _parse_timestamp(format_timestamp(moment)) == moment


@SETTINGS
@given(st.text(max_size=40) | st.integers() | st.none())
def test_timestamp_parser_never_raises(value: Any) -> None:
    with contextlib.suppress(ValueError):
        _parse_timestamp(value)


# --- redaction ----------------------------------------------------------------------------------
@pytest.fixture()
def clean_registry() -> Any:
    _sensitive.forget_all_secrets()
    yield
    _sensitive.forget_all_secrets()


secret_text = st.text(alphabet=string.ascii_letters + string.digits + "_-+/=:.@",
                      min_size=8, max_size=40)
separators = st.sampled_from([" ", "=", ":", "/", "?", "&", ",", "\"", "'", "\n", "(", "[", "@"])


@SETTINGS
@given(secret_text, st.text(max_size=20), separators, separators, st.text(max_size=20))
def test_a_registered_secret_never_survives_redaction(clean_registry: Any, secret: str,
                                                      before: str, left: str, right: str,
                                                      after: str) -> None:
    _sensitive.register_secret(secret)
    masked = redact_text(f"{before}{left}{secret}{right}{after}")
    assert secret not in masked or secret in f"{before}{after}"  # (only where typed twice)
    assert MASK in masked or secret in MASK
