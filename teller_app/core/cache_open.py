"""Opening the branch cache for one employee and scope, with classified failures.

* The SQLCipher key is per employee *and* scope (keyring entry
  ``cache_key:<employee guid>:<scope>``) and so is the file: the next employee on the same OS
  account can neither open nor decrypt a head-office cache someone else left.
* Only a wrong or lost key (or a damaged file), or a file a newer Teller made (the desk was
  rolled back: its schema is unknown here) wipes the file, which is then re-synced in full.
  A locked cache (another Teller) or an I/O failure (read-only, full disk) is reported and
  nothing is deleted.
* A head-office scope on a branch desk (``Profile.head_office_desk`` False) is wiped, key
  included, when its session ends; any scope is at an explicit sign-out when the machine
  policy says ``wipe_cache_at_sign_out`` (its pages overwritten before the unlink).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from teller_app.cache import (
    HEAD_OFFICE,
    CacheKeyError,
    CacheSchemaNewer,
    cache_path,
    prepare_cache_for,
    wipe_cache_file,
)
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.private_files import remove_overwritten
from teller_app.secrets import SecretStore

log = logging.getLogger(__name__)
KEY_PREFIX = "cache_key"


@dataclass(frozen=True)
class CacheScope:
    profile_name: str
    employee_guid: str
    scope: str  # a branch guid or HEAD_OFFICE

    @property
    def key_name(self) -> str:
        return f"{KEY_PREFIX}:{self.employee_guid}:{self.scope}"

    @property
    def file_scope(self) -> str:
        return f"{self.scope}.{self.employee_guid}"

    @property
    def is_head_office(self) -> bool:
        return self.scope == HEAD_OFFICE

    def path(self, data_dir: Path) -> Path:
        return cache_path(data_dir, self.profile_name, self.file_scope)


@dataclass
class OpenedCache:
    path: Path
    wiped: bool  # the old file could not be read with the key: it was wiped (full re-sync)
    # the old file was a newer Teller's (a rollback): wiped too, and the desk says so
    newer_schema: bool = False


async def cache_key(store: SecretStore, name: str) -> bytes:
    """The stored 32-byte key, or a new one (stored). Without a keyring it lives in memory
    only, so the next start cannot read the file: it is wiped and synced again."""
    stored = await store.get(name)
    if stored:
        with contextlib.suppress(ValueError):
            key = bytes.fromhex(stored)
            if len(key) == 32:
                return key
    key = secrets.token_bytes(32)
    await store.set(name, key.hex())
    return key


async def open_scoped_cache(
    worker: CacheWorker, data_dir: Path, scope: CacheScope, store: SecretStore,
    *, busy_timeout: float = 5.0,
) -> OpenedCache:
    """Open (or create) the cache of ``scope``; caches of other scopes/employees of the
    profile are deleted first. Raises ``CacheLockedError`` / ``CacheIOError`` untouched.
    A lost key and a newer Teller's file are wiped and opened empty (the caller syncs in
    full): the cache is only a copy, and refusing it would leave the desk without one for
    good (a rolled-back desk said "could not be opened" at every sign-in)."""
    path = await asyncio.to_thread(prepare_cache_for, data_dir, scope.profile_name,
                                   scope.file_scope)
    key = await cache_key(store, scope.key_name)
    newer = False
    try:
        await worker.open(path, key, busy_timeout=busy_timeout)
        return OpenedCache(path, wiped=False)
    except CacheKeyError:
        log.warning("cache key lost or file unreadable: wiping the branch cache")
    except CacheSchemaNewer as exc:
        newer = True
        log.warning("the branch cache was made by a newer Teller (schema %s, this one knows "
                    "%s): wiping it for a full sync", exc.found, exc.known)
    await asyncio.to_thread(wipe_cache_file, path)
    await worker.open(path, key, busy_timeout=busy_timeout)
    return OpenedCache(path, wiped=True, newer_schema=newer)


async def wipe_scoped_cache(data_dir: Path, scope: CacheScope, store: SecretStore) -> None:
    """Remove the cache file of ``scope`` (overwritten first, with its -wal/-shm/-journal)
    and forget its key (the cache must be closed)."""
    await asyncio.to_thread(_remove_cache_files, scope.path(data_dir))
    await store.delete(scope.key_name)


def _remove_cache_files(path: Path) -> None:
    # zeros over the encrypted pages first, so they do not stay readable in freed blocks
    for suffix in ("", "-wal", "-shm", "-journal", "-ftsbuild"):
        part = Path(str(path) + suffix)
        with contextlib.suppress(FileNotFoundError):
            remove_overwritten(part)
    wipe_cache_file(path)  # whatever remove_overwritten could not move aside


def wipe_on_sign_out(scope: CacheScope, head_office_desk: bool) -> bool:
    """A head-office cache (the whole bank) never stays on a branch desk."""
    return scope.is_head_office and not head_office_desk
