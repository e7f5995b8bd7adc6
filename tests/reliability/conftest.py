"""Reliability suite fixtures: private dirs and keyring (the helpers, a fault-injecting
transport among them, are ``reliability_helpers.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def private_dirs(tmp_path, monkeypatch) -> Iterator[None]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TELLER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TELLER_DATA_DIR", str(tmp_path / "data"))
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()  # before the variable: see tests/ui/conftest.py
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)
