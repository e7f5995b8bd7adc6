"""The secret registry: per-request JWTs are not registered (the JWT pattern masks them),
registration never rebuilds a pattern, the registry is bounded, and masking still finds a
registered value wherever a log line or an error text puts it."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from teller_app.platform import BankJwtLogin, Operation, _sensitive
from teller_app.secrets.redaction import MASK, redact_text, register_secret


@pytest.fixture(autouse=True)
def clean_registry() -> Iterator[None]:
    _sensitive.forget_all_secrets()
    yield
    _sensitive.forget_all_secrets()


def test_per_request_jwts_are_masked_but_not_registered() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    auth = BankJwtLogin("teller@bank.ua", pem, "kid-1")
    before = _sensitive.registered_count()
    tokens = [auth.headers(Operation(), "cp")["CX-Authorization"] for _ in range(200)]
    assert _sensitive.registered_count() == before  # no growth per request
    for token in tokens[:5]:
        assert token not in redact_text(f"sent CX-Authorization {token} to /x")
        assert token not in redact_text(f"jwt={token}")


def test_registering_never_compiles_a_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real = re.compile

    def counting(pattern: str, flags: int = 0) -> re.Pattern[str]:
        compiled.append(pattern)
        return real(pattern, flags)

    monkeypatch.setattr(_sensitive.re, "compile", counting)
    for _ in range(500):
        register_secret(secrets.token_urlsafe(16))
    assert compiled == []
    assert _sensitive.registered_count() == 500


def test_the_registry_is_bounded_oldest_first() -> None:
    values = [f"secret-{i:06d}-{secrets.token_hex(4)}" for i in range(_sensitive.MAX_SECRETS + 50)]
    for value in values:
        register_secret(value)
    assert _sensitive.registered_count() == _sensitive.MAX_SECRETS
    assert values[0] in redact_text(f"x {values[0]} y")  # forgotten (the oldest)
    assert values[-1] not in redact_text(f"x {values[-1]} y")


@pytest.mark.parametrize("template", [
    "{s}", "password={s}&next=1", "user:{s}@host", "GET /a/{s}/b", '{{"token": "{s}"}}',
    "({s})", "[{s}]", "k={s}.", "'{s}'", "a,{s},b", "Bearer {s}", "x={s}\ny",
])
def test_a_registered_value_is_masked_wherever_it_sits(template: str) -> None:
    value = "Zx9-" + secrets.token_urlsafe(18)
    register_secret(value)
    text = redact_text(template.format(s=value))
    assert value not in text and MASK in text


def test_values_with_separators_or_delimiters_inside() -> None:
    odd = "correct horse, battery"  # spaces and a comma: a substring search
    inner = "ab/cd+ef==:gh"  # base64-ish with inner delimiters: found as a whole
    register_secret(odd)
    register_secret(inner)
    assert redact_text(f"pw={odd}!") == f"pw={MASK}!"
    assert redact_text(f"csrf {inner} end") == f"csrf {MASK} end"
    assert redact_text(f"q=x&t={inner}") == f"q=x&t={MASK}"


def test_ordinary_text_is_left_alone() -> None:
    register_secret("s3cr3t-value")
    text = "customer Іваненко updated in 12 ms (GET /api/v1/customers -> 200)"
    assert redact_text(text) == text


def test_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    value = secrets.token_urlsafe(20)
    register_secret(value)
    from teller_app.secrets.redaction import RedactionFilter

    record = logging.LogRecord("t", logging.INFO, __file__, 1, "login with %s", (value,), None)
    RedactionFilter().filter(record)
    assert value not in record.getMessage()
