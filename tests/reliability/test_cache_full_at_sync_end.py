"""The disk fills up at the very end of a first full sync, while its indexes and search index
are built (a real tmpfs, really full; the real sandbox): the sync fails as
``CacheIOError("disk_full")`` with the desk's disk-full text (was a raw OperationalError,
"Unexpected error: ..."), the cache is cold and counts nothing rather than 0, and reopening it
while the disk is still full says the disk is full (was "could not be opened"); once there is
space again, opening it builds what was missing."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from typing import Any

import pytest
from fs_faults import small_fs
from reliability_helpers import TELLER, password_of

from teller_app.cache import CacheError, CacheIOError, bulk_load
from teller_app.core.session import open_session
from teller_app.platform import PasswordLogin
from teller_app.ui.sign_in import sandbox_target
from tests.secrets.keyring_fakes import MemoryKeyring


def fill_to_the_last_block(fs: Path) -> Path:
    """Fill ``fs`` until not one more byte fits; returns the filler (delete it to free)."""
    filler = fs / ".filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (1 << 16, 1 << 12, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    return filler


def test_a_disk_full_at_the_end_of_the_first_sync_is_worded_and_repaired(
        qapp: Any, sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache
    from teller_app.ui.error_text import cache_message, friendly_message

    keyring.set_keyring(MemoryKeyring())  # the key outlives an open (the fixture restores)
    fillers: list[Path] = []
    build = bulk_load.finish

    def finish_on_a_full_disk(conn: Any, fts: Any) -> None:
        if not fillers:  # the rows are committed; the disk fills before the build
            fillers.append(fill_to_the_last_block(fs))
        build(conn, fts)

    monkeypatch.setattr(bulk_load, "finish", finish_on_a_full_disk)
    with small_fs(tmp_path) as fs:
        monkeypatch.setenv("TELLER_DATA_DIR", str(fs))
        profile = sandbox_target(sandbox.manifest).profile

        async def scenario() -> None:
            session = await open_session(profile, PasswordLogin(TELLER,
                                                                password_of(sandbox, TELLER)))
            try:
                bundle = await open_branch_cache(session)
                bundle.sync.page_size = 5  # a bulk load: several pages, its build at the end
                try:
                    with pytest.raises(CacheIOError) as failed:
                        await bundle.sync.sync_now()
                    assert failed.value.kind == "disk_full" and fillers
                    assert "disk is full" in friendly_message(failed.value)
                    stats = await bundle.worker.stats()
                    assert stats.full_sync_done and stats.count > 5  # the rows are kept
                    assert await bundle.worker.is_cold()  # not searchable: the desk asks
                    rows = await bundle.worker.customers_page(0, 100)  # the platform
                    surname = next(r.surname for r in rows if r.surname)
                    with pytest.raises(CacheError):  # no count rather than a wrong 0
                        await bundle.worker.count(surname)
                finally:
                    await close_branch_cache(bundle)
                with pytest.raises(CacheIOError) as reopened:  # still full
                    await open_branch_cache(session)
                assert reopened.value.kind == "disk_full"
                assert "disk is full" in cache_message(reopened.value)
                fillers[0].unlink()  # space again: the open builds what was missing
                again = await open_branch_cache(session)
                try:
                    assert again.warm
                    assert (await again.worker.stats()).count == stats.count
                    found = await again.worker.search(surname)
                    assert surname in {r.surname for r in found}
                    assert (await again.worker.count(surname)).n == len(found)
                finally:
                    await close_branch_cache(again)
            finally:
                await session.close()

        asyncio.run(scenario())
