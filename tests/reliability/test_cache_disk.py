"""Read-only or full cache disk, through the app's own cache wiring: the session goes on
(searching the platform), the message says what is wrong, and the existing cache file is not
deleted."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from fs_faults import fill, make_read_only, small_fs
from keyring.backend import KeyringBackend
from keyring.compat import properties
from reliability_helpers import TELLER, password_of

from teller_app.cache import CacheIOError
from teller_app.core.session import open_session
from teller_app.platform import PasswordLogin
from teller_app.ui.sign_in import sandbox_target


class MemoryKeyring(KeyringBackend):
    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    @properties.classproperty
    def priority(cls) -> float:  # type: ignore[override]
        raise RuntimeError("test-only backend")

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.data.pop((service, username), None)


@pytest.mark.parametrize("fault", ["disk_full", "read_only"])
def test_cache_disk_faults_keep_the_session_and_the_file(
        qapp: Any, sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        fault: str) -> None:
    import keyring

    from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache
    from teller_app.ui.error_text import cache_message

    keyring.set_keyring(MemoryKeyring())  # the key survives between the two opens
    with small_fs(tmp_path) as fs:
        monkeypatch.setenv("TELLER_DATA_DIR", str(fs))
        profile = sandbox_target(sandbox.manifest).profile

        async def scenario() -> tuple[Path, int, BaseException | None, int]:
            session = await open_session(profile, PasswordLogin(TELLER,
                                                                password_of(sandbox, TELLER)))
            try:
                bundle = await open_branch_cache(session)  # a healthy first run
                await bundle.sync.sync_now()
                path = bundle.path
                await close_branch_cache(bundle)
                size = path.stat().st_size
                if fault == "disk_full":
                    fill(fs)
                else:
                    make_read_only(fs)
                error: BaseException | None = None
                try:
                    await close_branch_cache(await open_branch_cache(session))
                except CacheIOError as exc:
                    error = exc
                found = (await session.client.list_customers(limit=5)).total  # still works
                return path, size, error, found
            finally:
                await session.close()

        path, size, error, found = asyncio.run(scenario())
        assert isinstance(error, CacheIOError) and error.kind == fault
        text = cache_message(error)
        assert ("disk is full" in text) if fault == "disk_full" else ("read-only" in text)
        assert "Nothing was deleted" in text
        assert path.exists() and path.stat().st_size == size
        assert found > 0
