"""SecretStore: keyring use off-thread, fallback to session memory, refused backends."""

from __future__ import annotations

import logging
import os
import shutil

import pytest
from keyring.backends import fail
from keyring_fakes import (
    BrokenKeyring,
    FakeChainer,
    HangingKeyring,
    MemoryKeyring,
    PlaintextFileKeyring,
)

from teller_app.secrets import PASSWORD, SESSION_TOKEN, SecretStore

pytestmark = pytest.mark.asyncio
SECRET = "Секрет-value-for-tests-9000"


async def test_roundtrip_in_a_working_backend() -> None:
    backend = MemoryKeyring()
    store = await SecretStore.open("Kyiv test", backend=backend)
    assert store.persistent and store.unavailable_reason is None
    assert "MemoryKeyring" in store.backend_name
    await store.set(PASSWORD, SECRET)
    assert backend.data[("Teller/Kyiv test", PASSWORD)] == SECRET
    assert await store.get(PASSWORD) == SECRET
    await store.delete(PASSWORD)
    await store.delete(PASSWORD)  # deleting twice is fine
    assert await store.get(PASSWORD) is None


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), FakeChainer([]), FakeChainer([fail.Keyring(), PlaintextFileKeyring()]),
     PlaintextFileKeyring()],
    ids=["fail", "empty-chainer", "chainer-of-refused", "keyrings.alt-file"],
)
async def test_unusable_backends_fall_back_to_memory(
    backend: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    store = await SecretStore.open("p", backend=backend)
    assert not store.persistent and store.unavailable_reason
    await store.set(SESSION_TOKEN, SECRET)
    assert await store.get(SESSION_TOKEN) == SECRET
    if isinstance(backend, PlaintextFileKeyring):
        assert backend.data == {}  # nothing reached the file backend
    assert "session only" in caplog.text and SECRET not in caplog.text


async def test_chainer_skips_refused_members() -> None:
    good = MemoryKeyring()
    chain = FakeChainer([PlaintextFileKeyring(), good])
    store = await SecretStore.open("p", backend=chain)
    await store.set(PASSWORD, SECRET)
    assert store.persistent and good.data[("Teller/p", PASSWORD)] == SECRET


async def test_write_failure_keeps_secret_in_memory(caplog: pytest.LogCaptureFixture) -> None:
    store = await SecretStore.open("p", backend=BrokenKeyring())
    assert store.persistent
    await store.set(PASSWORD, SECRET)
    assert not store.persistent and "KeyringError" in (store.unavailable_reason or "")
    assert await store.get(PASSWORD) == SECRET
    assert SECRET not in caplog.text


async def test_hanging_keyring_times_out() -> None:
    backend = HangingKeyring()
    try:
        store = await SecretStore.open("p", backend=backend, timeout=0.05)
        assert not store.persistent and "in time" in (store.unavailable_reason or "")
        await store.set(PASSWORD, SECRET)
        assert await store.get(PASSWORD) == SECRET
    finally:
        backend.release.set()


async def test_default_backend_without_dbus_never_writes_files(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever keyring picks on this machine, nothing lands in a plain file."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    store = await SecretStore.open("nofile")
    await store.set(PASSWORD, SECRET)
    assert await store.get(PASSWORD) == SECRET
    for root, _dirs, files in os.walk(str(tmp_path)):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                assert SECRET.encode() not in fh.read()
    await store.delete(PASSWORD)


def _real_keyring_available() -> bool:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") or not shutil.which("gnome-keyring-daemon"):
        return False
    try:
        from keyring.backends import SecretService

        backend = SecretService.Keyring()
        backend.set_password("Teller/__probe__", "probe", "x")
        backend.delete_password("Teller/__probe__", "probe")
    except Exception:
        return False
    return True


@pytest.mark.keyring
@pytest.mark.skipif(not _real_keyring_available(),
                    reason="no unlocked Secret Service (run under dbus-run-session)")
async def test_real_secret_service_roundtrip() -> None:
    from keyring.backends import SecretService

    store = await SecretStore.open("real-keyring-test")
    assert store.persistent, store.unavailable_reason
    assert isinstance(store._backend, SecretService.Keyring)
    value = SECRET + "-ünïcødé-🔑"
    await store.set(PASSWORD, value)
    fresh = await SecretStore.open("real-keyring-test")
    assert await fresh.get(PASSWORD) == value
    await fresh.delete(PASSWORD)
    assert await store.get(PASSWORD) is None
