"""The secret registry keeps no plain text of a token-like secret, and a ``secret_scope``
forgets what was first registered inside it (a supervisor's credentials typed at a teller's
desk), unless it keeps it; a value held before the scope, or registered for good meanwhile,
stays masked."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator

import pytest

from teller_app.platform import _sensitive
from teller_app.platform._sensitive import (
    MASK,
    forget_secrets,
    redact,
    register_secret,
    secret_scope,
)


@pytest.fixture(autouse=True)
def clean_registry() -> Iterator[None]:
    _sensitive.forget_all_secrets()
    yield
    _sensitive.forget_all_secrets()


def masked(value: str) -> bool:
    return value not in redact(f"seen {value} here")


def test_the_registry_holds_digests_not_the_values() -> None:
    value = "Pw-" + secrets.token_urlsafe(18)
    register_secret(value)
    assert masked(value)
    stored = list(vars(_sensitive)["_secrets"])
    assert stored and all(isinstance(k, bytes) and value.encode() not in k for k in stored)
    assert value not in repr(vars(_sensitive)["_secrets"])


def test_a_scope_forgets_what_it_registered_first() -> None:
    held_before = "teller-" + secrets.token_urlsafe(12)
    register_secret(held_before)
    password, token = "sup-" + secrets.token_urlsafe(12), "tok-" + secrets.token_urlsafe(20)
    with secret_scope():
        register_secret(password)
        register_secret(token)
        register_secret(held_before)
        assert masked(password) and masked(token)
    assert not masked(password) and not masked(token)
    assert masked(held_before)  # it was not the scope's to forget


def test_keep_hands_a_value_to_the_enclosing_scope_or_for_good() -> None:
    kept, dropped = "keep-" + secrets.token_urlsafe(12), "csrf-" + secrets.token_urlsafe(12)
    with secret_scope():
        with secret_scope() as attempt:
            register_secret(kept)
            register_secret(dropped)
            attempt.keep(kept)
        assert masked(kept) and not masked(dropped)
    assert not masked(kept)  # the outer scope ended: gone too
    with secret_scope() as attempt:
        register_secret(kept)
        attempt.keep(kept)
    assert masked(kept)  # no enclosing scope: registered for good


def test_registered_for_good_meanwhile_survives_the_scope() -> None:
    shared = "shared-" + secrets.token_urlsafe(12)

    async def scenario() -> None:
        with secret_scope():
            register_secret(shared)
            # a plain executor thread does not carry the scope: this is the desk's own
            await asyncio.get_running_loop().run_in_executor(None, register_secret, shared)
        assert masked(shared)

    asyncio.run(scenario())


def test_tasks_started_inside_a_scope_register_into_it() -> None:
    token = "child-" + secrets.token_urlsafe(12)

    async def scenario() -> None:
        with secret_scope():
            await asyncio.create_task(asyncio.to_thread(register_secret, token))
            assert masked(token)
        assert not masked(token)

    asyncio.run(scenario())


def test_forget_secrets_and_odd_values() -> None:
    odd = "correct horse, " + secrets.token_hex(4)  # spaces and a comma: substring search
    plain = "plain-" + secrets.token_urlsafe(12)
    with secret_scope():
        register_secret(odd)
        assert redact(f"pw={odd}!") == f"pw={MASK}!"
    assert odd in redact(f"pw={odd}!")
    register_secret(plain)
    forget_secrets(plain, None)
    assert not masked(plain) and _sensitive.registered_count() == 0
