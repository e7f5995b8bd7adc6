"""A damaged page (not page 1) of a real SQLCipher cache after a real sync from the real
sandbox: the file opens (page 1 is sound) and says it is warm, and only the first statement
that reads the page fails ("database disk image is malformed"), every later one with a bare
MemoryError (SQLCipher's sticky codec error). It is classified as ``CacheCorruptError`` (not
"Unexpected error: "), the cache answers nothing more, and it is replaced by an empty file
and synced in full: by the next sync, or at the next open when the desk was closed first."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from cache_damage import customers_root_page, damage_page
from reliability_helpers import TELLER, new_customer, password_of, unique

from teller_app.cache import CacheCorruptError
from teller_app.core.session import open_session
from teller_app.platform import PasswordLogin
from teller_app.ui.sign_in import sandbox_target
from tests.secrets.keyring_fakes import MemoryKeyring


async def synced_and_damaged(session: Any) -> tuple[Path, int, list[str]]:
    """A full sync, closed cleanly; then a page of the customers table damaged. Returns the
    path, the number of customers synced and a few of their surnames."""
    from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache

    bundle = await open_branch_cache(session)
    try:
        await bundle.sync.sync_now()
        count = (await bundle.worker.stats()).count
        rows = await bundle.worker.customers_page(0, 500)
        page = await customers_root_page(bundle)
    finally:
        await close_branch_cache(bundle)
    assert page > 1 and count > 0
    damage_page(bundle.path, page)
    return bundle.path, count, sorted({r.surname for r in rows if r.surname})[:5]


@pytest.fixture()
def keyring_kept() -> None:
    """The cache key outlives an open (with no keyring every open makes a new key, and the
    file would be wiped as one with a lost key); the autouse fixture restores the backend."""
    import keyring

    keyring.set_keyring(MemoryKeyring())


def test_a_damaged_page_is_classified_and_the_next_sync_rebuilds_the_cache(
        qapp: Any, sandbox: Any, keyring_kept: None) -> None:
    from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache

    async def scenario() -> None:
        session = await open_session(sandbox_target(sandbox.manifest).profile,
                                     PasswordLogin(TELLER, password_of(sandbox, TELLER)))
        try:
            path, count, surnames = await synced_and_damaged(session)
            bundle = await open_branch_cache(session)
            try:
                assert bundle.warm and bundle.path == path  # nothing read the page yet
                with pytest.raises(CacheCorruptError):  # was: "malformed", a raw DatabaseError
                    await bundle.worker.search(surnames[0])
                assert bundle.worker.damaged
                for surname in surnames:  # was: a bare MemoryError, for good
                    with pytest.raises(CacheCorruptError):
                        await bundle.worker.search(surname)
                    with pytest.raises(CacheCorruptError):
                        await bundle.worker.count(surname)
                told: list[bool] = []
                bundle.sync.on_rebuild = lambda: told.append(True)
                received = await bundle.sync.sync_now()  # was: a MemoryError, at every start
                assert told == [True] and not bundle.worker.damaged
                assert received >= count and (await bundle.worker.stats()).count >= count
                assert not await bundle.worker.is_cold()
                for surname in surnames:
                    found = await bundle.worker.search(surname)
                    assert surname in {r.surname for r in found}
                    assert (await bundle.worker.count(surname)).n >= 1
                assert await bundle.worker.call(
                    lambda: bundle.worker.cache.integrity_check()) == "ok"
            finally:
                await close_branch_cache(bundle)
            again = await open_branch_cache(session)  # the next start: warm and sound
            try:
                assert again.warm and not again.rebuilt_damaged
                found = await again.worker.search(surnames[0])
                assert surnames[0] in {r.surname for r in found}
            finally:
                await close_branch_cache(again)
        finally:
            await session.close()

    asyncio.run(scenario())


def test_a_damaged_cache_closed_before_its_rebuild_opens_empty_next_time(
        qapp: Any, sandbox: Any, keyring_kept: None) -> None:
    """Found damaged, and the desk closes before a sync could rebuild it: the next start
    opens an empty cache (cold: the platform is searched) instead of the damaged one again."""
    from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache

    async def scenario() -> None:
        session = await open_session(sandbox_target(sandbox.manifest).profile,
                                     PasswordLogin(TELLER, password_of(sandbox, TELLER)))
        try:
            _, count, surnames = await synced_and_damaged(session)
            bundle = await open_branch_cache(session)
            with pytest.raises(CacheCorruptError):
                await bundle.worker.search(surnames[0])
            await close_branch_cache(bundle)
            again = await open_branch_cache(session)
            try:
                assert not again.warm and (await again.worker.stats()).count == 0
                await again.sync.sync_now()
                assert (await again.worker.stats()).count >= count
                assert surnames[0] in {r.surname for r in
                                       await again.worker.search(surnames[0])}
            finally:
                await close_branch_cache(again)
        finally:
            await session.close()

    asyncio.run(scenario())


def test_a_sync_that_meets_the_damaged_page_rebuilds_and_syncs_in_full(
        qapp: Any, sandbox: Any, keyring_kept: None) -> None:
    """No search found it: the incremental sync's own upsert reads the page. The run starts
    again, once, on an empty file, as a full sync."""
    from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache

    async def scenario() -> None:
        session = await open_session(sandbox_target(sandbox.manifest).profile,
                                     PasswordLogin(TELLER, password_of(sandbox, TELLER)))
        try:
            _, count, _ = await synced_and_damaged(session)
            surname = unique("Пошкоджений")
            await session.client.create_customer(new_customer(sandbox, session.branch_guid,
                                                              surname=surname))
            bundle = await open_branch_cache(session)
            try:
                told: list[bool] = []
                bundle.sync.on_rebuild = lambda: told.append(True)
                await bundle.sync.sync_now()
                assert told == [True]
                assert (await bundle.worker.stats()).count >= count + 1
                assert [r.surname for r in await bundle.worker.search(surname)] == [surname]
            finally:
                await close_branch_cache(bundle)
        finally:
            await session.close()

    asyncio.run(scenario())
