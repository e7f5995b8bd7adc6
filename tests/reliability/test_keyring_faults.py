"""The OS keyring is locked (writes refused), hangs, or is missing: sign-in still works,
secrets stay in memory for the session (the UI is told why), and the cache opens with a
session-only key. Nothing is written to disk in plain text."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.compat import properties
from keyring.errors import KeyringError
from reliability_helpers import TELLER, password_of

from teller_app.cache import HEAD_OFFICE
from teller_app.core.cache_open import CacheScope, open_scoped_cache
from teller_app.core.cache_worker import CacheWorker
from teller_app.secrets import SecretStore
from teller_app.ui.sign_in import sandbox_target, sign_in


class _TestOnly(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:  # type: ignore[override]
        raise RuntimeError("test-only backend")


class LockedKeyring(_TestOnly):
    """A locked collection: reads find nothing, writes are refused (prompt dismissed)."""

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("Prompt dismissed")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("Prompt dismissed")


class HangingKeyring(_TestOnly):
    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(30)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(30)

    def delete_password(self, service: str, username: str) -> None:
        self.release.wait(30)


@pytest.mark.parametrize("backend", ["locked", "hanging", "missing"])
def test_sign_in_and_cache_work_without_a_usable_keyring(sandbox: Any, tmp_path: Path,
                                                         backend: str) -> None:
    chosen: Any = {"locked": LockedKeyring, "hanging": HangingKeyring,
                   "missing": fail.Keyring}[backend]()

    async def scenario() -> tuple[SecretStore, int]:
        store = await SecretStore.open("sandbox", backend=chosen, timeout=0.5)
        target = sandbox_target(sandbox.manifest)
        session = await sign_in(target, TELLER, password_of(sandbox, TELLER), remember=True,
                                store=store)
        worker = CacheWorker()
        try:
            scope = CacheScope("sandbox", str(session.employee.guid),
                               session.branch_guid or HEAD_OFFICE)
            opened = await open_scoped_cache(worker, tmp_path, scope, store)
            page = await session.client.list_customers(limit=3)
            await worker.call(lambda: worker.cache.upsert_customers(page.customers))
            assert opened.path.exists()
            count = (await worker.stats()).count
            await session.client.whoami()  # the session itself is fine
        finally:
            await worker.close()
            await session.close()
            if isinstance(chosen, HangingKeyring):
                chosen.release.set()  # let the stuck keyring threads end
        return store, count

    store, count = asyncio.run(scenario())
    assert count == 3  # the cache works with a session-only key
    assert not store.persistent and store.unavailable_reason  # the UI says why
    # The remembered token stayed in memory only; no file holds it in plain text.
    token = next(v for k, v in store._memory.items() if k.startswith("session_token:"))
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes()
