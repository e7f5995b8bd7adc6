"""Local branch cache: encrypted SQLite (SQLCipher) + FTS5 search. No Qt, no core imports.

CONTRACT (stable; the UI's lazy table model and core/sync.py code against it)
===========================================================================

Everything here is *synchronous* and bound to ONE thread (SQLite connections are
thread-bound). The app never calls it from the UI thread: ``teller_app.core.cache_worker.
CacheWorker`` owns the ``BranchCache`` on a dedicated thread and exposes ``await
worker.call(fn, *args)`` plus typed wrappers with the same names as below.

Paths and privacy (``teller_app.cache.paths``)
    cache_path(data_dir, profile_name, scope) -> Path
        ``data_dir/caches/<profile>/<scope>.db``; scope = branch guid or "head-office".
    prepare_cache_for(data_dir, profile_name, scope) -> Path
        Deletes caches of *other* scopes of that profile (another employee signed in),
        creates the dir 0700, returns cache_path(...). Call before opening.
    wipe_profile(data_dir, profile_name) -> None   (all caches of the profile, incl. -wal/-shm)
    HEAD_OFFICE = "head-office"

Opening
    cache = BranchCache.open(path, key: bytes | None)   # key: 32 raw bytes -> SQLCipher
        Creates/migrates the schema (PRAGMA user_version + ordered migrations), WAL mode,
        files 0600. Wrong/lost key -> raises CacheKeyError (caller: wipe_cache_file(path)
        or wipe_profile(...), then open again and full-sync). key=None -> unencrypted
        (tests / dev only). cache.close().

Search (for the lazy QAbstractTableModel)
    cache.search(query, offset=0, limit=100, branch_guid=None) -> list[CustomerRow]
        Ranked: surname exact > surname prefix > other fields (bm25 with column weights).
        Empty/blank query -> same as customers_page(offset, limit).
        Multi-word queries are AND-ed; every word is a prefix; case-, accent- and
        script-insensitive (Ukrainian KMU-2010 transliteration both ways); digits match
        phone prefix/suffix ("067123", "380671234567", "+380 67 123 45 67", "4567");
        IBAN with or without spaces.
        ``branch_guid``: only that branch's customers (head office with a chosen branch;
        same for count and customers_page).
    cache.count(query, cap=10_000, branch_guid=None) -> SearchCount(n: int, capped: bool)
        ``capped`` True means "n+" (at least n); display "10 000+".
    cache.customers_page(offset=0, limit=100, branch_guid=None) -> list[CustomerRow]
        all, by surname, name
    cache.get_customer(guid) -> CustomerRow | None
    cache.get_accounts(guid) -> list[AccountRow]   (each with .assets: list[AssetRow],
        .fetched_at); [] if never fetched -> the caller fetches lazily from the platform
    cache.accounts_fetched_at(guid) -> float | None   (epoch seconds)
    cache.stats() -> CacheStats(count, last_sync_at: float | None, full_sync_done: bool)
    cache.is_cold() -> bool   True until the first full sync has completed (its search index
        built: an end of sync that failed, e.g. on a full disk, leaves it cold)
    looks_like_guid(q) -> bool   (module function) caller goes to the platform for GUIDs

Writes (the use-case layer calls these after a successful platform write, so the teller
sees their own change at once)
    cache.upsert_customers(customers) -> int     Customer models or wire dicts; by guid
    cache.upsert_accounts(customer_guid, accounts, fetched_at=None) -> None
        replaces that customer's accounts (Account models or wire dicts)

Sync state (used by core/sync.py; one transaction per page)
    cache.sync_state() -> SyncState(cursor, tie_skip, full_sync_done, last_sync_at, ...)
    cache.store_page(customers, state) -> None   upsert page + new state atomically
    cache.set_sync_state(state) / cache.mark_synced(at)
    cache.store_reconcile_page(customers) -> list[str]   reconcile pass: upsert new/changed
        rows, return the GUIDs seen; cache.reconcile_candidates(seen, fetched_before);
        cache.finish_reconcile(guids, fetched_before, at) deletes (+ accounts) the ones not
        stored since ``fetched_before`` and sets ``SyncState.reconciled_at``, atomically

Rows are frozen dataclasses (``teller_app.cache.rows``): CustomerRow (wire field names:
wallet_user_guid, login, name, surname, paternal_name, phone_number, kyc_level,
is_disabled, balance_allowed: Decimal, segment, status, branch_guid, branch_name,
created_at, updated_at (RFC 3339 str), fetched_at (epoch float); properties ``guid``,
``full_name``), AccountRow(guid, iban, assets, fetched_at), AssetRow(code, name, balance:
Decimal, minor_unit, stellar_code, stellar_issuer).

Errors: CacheError (base), CacheKeyError (wrong/lost key or not a database: wipe + re-sync),
CacheCorruptError (a CacheKeyError: a damaged page, found at open or by any later statement;
the cache is then ``damaged``: every later call fails at once, ``close()`` removes the file
and ``rebuilt()`` opens it again empty, for a full sync),
CacheSchemaNewer (made by a newer Teller after a rollback: wipe + re-sync, as for a lost key),
CacheLockedError (another connection holds it: wait or tell the user; never wipe),
CacheIOError (read-only, disk full, I/O: a clear error; never wipe). ``BranchCache.open``
raises only these; ``cache.guarded(fn, ...)`` (how ``CacheWorker`` runs every call) turns a
later SQLite/SQLCipher failure into them too.
"""

from typing import TYPE_CHECKING

from teller_app.lazy_exports import exports, lazy_dir, lazy_getattr

if TYPE_CHECKING:
    from teller_app.cache.errors import (
        CacheCorruptError,
        CacheError,
        CacheIOError,
        CacheKeyError,
        CacheLockedError,
    )
    from teller_app.cache.paths import (
        HEAD_OFFICE,
        cache_path,
        prepare_cache_for,
        wipe_cache_file,
        wipe_profile,
    )
    from teller_app.cache.rows import (
        AccountRow,
        AssetRow,
        CacheStats,
        CustomerRow,
        SearchCount,
        SyncState,
    )
    from teller_app.cache.schema import CacheSchemaNewer
    from teller_app.cache.search import looks_like_guid
    from teller_app.cache.store import BranchCache

# Names load on first use (PEP 562): the error classes are needed before the sign-in window is
# painted; the store (SQLCipher, the platform's pydantic models) and the rest are not.
# Each name once, by module; ``_EXPORTS`` and ``__all__`` follow. The TYPE_CHECKING imports
# above say the same for mypy (``implicit_reexport`` here); tests/test_lazy_exports.py keeps
# the two equal.
_MODULES: dict[str, tuple[str, ...]] = {
    "errors": ("CacheCorruptError", "CacheError", "CacheIOError", "CacheKeyError",
               "CacheLockedError"),
    "paths": ("HEAD_OFFICE", "cache_path", "prepare_cache_for", "wipe_cache_file", "wipe_profile"),
    "rows": ("AccountRow", "AssetRow", "CacheStats", "CustomerRow", "SearchCount", "SyncState"),
    "schema": ("CacheSchemaNewer",),
    "search": ("looks_like_guid",),
    "store": ("BranchCache",),
}
_EXPORTS = exports(_MODULES)
__getattr__ = lazy_getattr(__name__, globals(), _EXPORTS)
__dir__ = lazy_dir(globals(), _EXPORTS)


__all__ = sorted(_EXPORTS)
