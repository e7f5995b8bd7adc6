"""The first full sync into an empty cache loads in bulk (cache/bulk_load.py): secondary
indexes dropped and built once at the end, the FTS index built once; a kill at any point
leaves a cache that finishes the job and answers exactly as a row-by-row sync would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from teller_app.cache import BranchCache, bulk_load, fts_build
from teller_app.cache import connect as connect_module
from teller_app.cache.connect import HMAC, LEGACY_HMAC, connect, page_hmac
from teller_app.cache.rows import SyncState
from teller_app.cache.search import build_match
from tests.cache.conftest import cust

SURNAMES = ["Шевченко", "Бойко", "Мороз", "Shevchenko", "Яковенко", "Ющенко", "Zozulia"]
NAMES = ["Андрій", "Andrii", "Марія", "Олена", "Яна"]


def pages(n_pages: int = 6, per: int = 50) -> list[list[dict[str, Any]]]:
    out = []
    for p in range(n_pages):
        out.append([
            cust(f"g{p:02d}-{i:03d}", SURNAMES[(p * per + i) % len(SURNAMES)],
                 NAMES[(p + i) % len(NAMES)], paternal_name="Андрійович" if i % 3 else "",
                 login=f"user{p}.{i}@bank.ua", phone_number=f"+38067{p:02d}{i:05d}",
                 is_disabled=i % 7 == 0,
                 updated_at=f"2024-01-01T00:{p:02d}:{i % 60:02d}.{i:06d}Z")
            for i in range(per)
        ])
    return out


def indexes(c: BranchCache) -> set[str]:
    return {r[0] for r in c._conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers' "
        "AND sql IS NOT NULL")}


QUERIES = ["андрій", "andrii", "шевч", "ю", "z", "Бойко Олена", "38067", "user3", "андрійович"]


def answers(c: BranchCache) -> list[Any]:
    def guids(rows: list[Any]) -> list[str]:
        return [r.wallet_user_guid for r in rows]

    out: list[Any] = [guids(c.customers_page(0, 1000))]
    for q in QUERIES:
        out += [guids(c.search(q, 0, 1000)), c.count(q), guids(c.search(q, 5, 7))]
    return out


def sync(c: BranchCache, data: list[list[dict[str, Any]]], upto: int | None = None) -> None:
    for n, rows in enumerate(data[:upto]):
        last = n == len(data) - 1
        c.store_page(rows, SyncState(cursor=rows[-1]["updated_at"], full_sync_done=last),
                     commit=n % 2 == 1 or last)


def reference(tmp_path: Path) -> tuple[set[str], list[Any]]:
    """The same rows synced row by row (a cache that was not empty when the sync began)."""
    with BranchCache.open(tmp_path / "ref.db", bytes(32)) as ref:
        ref.upsert_customers([cust("zz", "Тимчасовий")])
        ref.delete_customers(["zz"])
        ref.upsert_customers([cust("zz2", "Тимчасовий")])  # not empty: no bulk load
        sync(ref, pages())
        ref.delete_customers(["zz2"])
        assert not bulk_load.pending(ref._conn)
        return indexes(ref), answers(ref)


def test_a_full_sync_into_an_empty_cache_builds_the_same_cache(tmp_path: Path) -> None:
    want_indexes, want = reference(tmp_path)
    with BranchCache.open(tmp_path / "c.db", bytes(32)) as c:
        data = pages()
        sync(c, data, 2)
        assert bulk_load.pending(c._conn)
        assert indexes(c) == set()  # dropped while loading
        for n, rows in enumerate(data[2:], start=2):
            last = n == len(data) - 1
            c.store_page(rows, SyncState(cursor=rows[-1]["updated_at"], full_sync_done=last))
        assert not bulk_load.pending(c._conn)
        assert indexes(c) == want_indexes
        assert answers(c) == want
        assert c.integrity_check() == "ok"
        hashsize = c._conn.execute(
            "SELECT v FROM customers_fts_config WHERE k = 'hashsize'").fetchone()
        assert hashsize == (bulk_load.FTS_HASHSIZE,)  # fewer segments to merge


def test_killed_after_the_index_drop_the_cache_rebuilds_and_answers(tmp_path: Path) -> None:
    want_indexes, want = reference(tmp_path)
    path = tmp_path / "c.db"
    data = pages()
    c = BranchCache.open(path, bytes(32))
    sync(c, data, 3)  # pages 0-1 committed, page 2 in the open batch
    c._conn.close()  # kill -9: the open batch is lost, no close(), no flush()
    with BranchCache.open(path, bytes(32)) as c:
        assert bulk_load.pending(c._conn)  # marker and drop committed together
        assert indexes(c) == set()
        assert c.stats().count == 100 and c.integrity_check() == "ok"
        assert len(c.customers_page(0, 1000)) == 100  # reads work without the indexes
        # A teller's own write meanwhile (indexed for search at once, row by row).
        c.upsert_customers([data[1][0]])
        # The resumed full sync re-reads from the stored cursor and finishes the bulk load.
        for n, rows in enumerate(data[2:], start=2):
            last = n == len(data) - 1
            c.store_page(rows, SyncState(cursor=rows[-1]["updated_at"], full_sync_done=last))
        assert not bulk_load.pending(c._conn)
        assert indexes(c) == want_indexes
        assert answers(c) == want


def test_open_repairs_a_done_sync_whose_indexes_are_missing(tmp_path: Path) -> None:
    want_indexes, want = reference(tmp_path)
    path = tmp_path / "c.db"
    data = pages()
    with BranchCache.open(path, bytes(32)) as c:
        for rows in data:  # every page stored, the sync's end not recorded yet
            c.store_page(rows, SyncState(cursor=rows[-1]["updated_at"]))
        # e.g. an older app version (no bulk_load) finished the sync: state says done
        c.set_sync_state(SyncState(cursor="x", full_sync_done=True))
        assert bulk_load.pending(c._conn)
    with BranchCache.open(path, bytes(32)) as c:
        assert not bulk_load.pending(c._conn)
        assert indexes(c) == want_indexes
        assert answers(c) == want
        assert c.integrity_check() == "ok"


def test_a_full_sync_over_kept_rows_is_not_a_bulk_load(cache: BranchCache) -> None:
    cache.upsert_customers([cust("g1", "Бойко")])
    before = indexes(cache)
    cache.store_page([cust("g2", "Мороз")], SyncState(cursor="a"), commit=False)
    assert not bulk_load.pending(cache._conn)
    assert indexes(cache) == before
    cache.flush()
    assert [r.surname for r in cache.search("мороз")] == ["Мороз"]


def test_the_reference_answers_are_not_trivial(tmp_path: Path) -> None:
    _, want = reference(tmp_path)
    assert len(want[0]) == 300
    assert all(len(want[1 + 3 * i]) > 0 for i in range(len(QUERIES)))


def fts_ok(c: BranchCache) -> bool:
    """FTS5's own check of its index against its structure (raises when corrupt)."""
    c._conn.execute("INSERT INTO customers_fts(customers_fts, rank) VALUES ('integrity-check', 0)")
    return True


def fts_matches(c: BranchCache, query: str) -> int:
    return int(c._conn.execute("SELECT count(*) FROM customers_fts WHERE customers_fts MATCH ?",
                               (build_match(query),)).fetchone()[0])


def test_the_cache_connection_reads_and_writes_the_search_index_built_beside_it(
        tmp_path: Path) -> None:
    """The FTS index is built by a second connection (cache/fts_build.py). FTS5 caches its
    index structure per connection: had the cache's own connection kept the structure it read
    before the copy, it would answer from it and, on its next write, corrupt the index."""
    with BranchCache.open(tmp_path / "c.db", bytes(32)) as c:
        data = pages()
        sync(c, data, 5)
        assert fts_matches(c, "шевч") == 0  # read (and cached) while the index was empty
        c.store_page(data[5], SyncState(cursor=data[5][-1]["updated_at"], full_sync_done=True))
        assert not bulk_load.pending(c._conn)
        assert fts_matches(c, "шевч") == 86
        c.upsert_customers([cust("new-1", "Шевчук", "Олена")])
        c.delete_customers([data[0][0]["wallet_user_guid"]])  # a Шевченко
        assert fts_ok(c)
        assert fts_matches(c, "шевч") == 86
        assert [r.wallet_user_guid for r in c.search("шевчук олена")] == ["new-1"]
    assert not fts_build.scratch_path(tmp_path / "c.db").exists()  # removed after the copy


def test_a_failed_search_index_build_leaves_the_marker_and_open_builds_it(
        tmp_path: Path) -> None:
    want_indexes, want = reference(tmp_path)
    path = tmp_path / "c.db"
    fts_build.scratch_path(path).mkdir(parents=True)  # the scratch file cannot be created
    data = pages()
    with BranchCache.open(path, bytes(32)) as c:
        with pytest.raises(OSError):
            sync(c, data)
        assert bulk_load.pending(c._conn)  # the rows and the end of the sync are committed
        assert c.sync_state().full_sync_done and c.stats().count == 300
        assert indexes(c) == want_indexes  # (the B-tree indexes were committed first)
    fts_build.scratch_path(path).rmdir()
    with BranchCache.open(path, bytes(32)) as c:
        assert not bulk_load.pending(c._conn)
        assert answers(c) == want and fts_ok(c)


def test_open_removes_a_killed_builds_scratch_file(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    BranchCache.open(path, bytes(32)).close()
    scratch = fts_build.scratch_path(path)
    scratch.write_bytes(b"left by a build killed mid-way")
    BranchCache.open(path, bytes(32)).close()
    assert not scratch.exists()


def test_an_unencrypted_cache_builds_its_search_index_beside_it_too(tmp_path: Path) -> None:
    """Tests and dev caches have no key: the scratch file and its ATTACH have none either."""
    _, want = reference(tmp_path)
    with BranchCache.open(tmp_path / "plain.db", None) as c:
        sync(c, pages())
        assert not bulk_load.pending(c._conn)
        assert answers(c) == want and fts_ok(c)


def test_a_new_cache_authenticates_its_pages_with_hmac_sha256(tmp_path: Path) -> None:
    """SHA-256 runs in hardware (SHA-NI, ARMv8): cheaper page checks than SQLCipher 4's
    default HMAC-SHA512 (cache/connect.py)."""
    path, key = tmp_path / "c.db", bytes(range(32))
    with BranchCache.open(path, key) as c:
        sync(c, pages())
        assert page_hmac(c._conn) == HMAC == "HMAC_SHA256"
    with pytest.raises(sqlcipher3.DatabaseError):  # the old default cannot read it
        connect(path, key, hmac=LEGACY_HMAC)
    assert not fts_build.scratch_path(path).exists()


def test_a_cache_written_with_the_old_hmac_opens_and_bulk_loads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, want = reference(tmp_path)
    path, key = tmp_path / "old.db", bytes(range(32))
    with monkeypatch.context() as m:
        m.setattr(connect_module, "HMAC", LEGACY_HMAC)  # as written before HMAC_SHA256
        BranchCache.open(path, key).close()
    connect(path, key, hmac=LEGACY_HMAC).close()  # really the old format
    with BranchCache.open(path, key) as c:
        assert page_hmac(c._conn) == LEGACY_HMAC
        sync(c, pages())  # the search index built by a second connection to this file
        assert not bulk_load.pending(c._conn)
        assert answers(c) == want and fts_ok(c)
    with BranchCache.open(path, key) as c:
        assert page_hmac(c._conn) == LEGACY_HMAC and answers(c) == want


def test_opening_an_old_hmac_cache_writes_nothing_to_stderr(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """SQLCipher logs the expected first-attempt failure on page 1 to stderr unless told not
    to; IT staff would read "hmac check failed" on every start as a damaged cache."""
    path, key = tmp_path / "old.db", bytes(range(32))
    with monkeypatch.context() as m:
        m.setattr(connect_module, "HMAC", LEGACY_HMAC)
        BranchCache.open(path, key).close()
    probe = sqlcipher3.connect(":memory:")
    level = probe.execute("PRAGMA cipher_log_level").fetchone()[0]
    capfd.readouterr()
    with BranchCache.open(path, key) as c:
        assert page_hmac(c._conn) == LEGACY_HMAC
    assert "hmac check failed" not in capfd.readouterr().err
    assert level != "NONE"  # SQLCipher logs by default: the case above could fail
    assert probe.execute("PRAGMA cipher_log_level").fetchone()[0] == level  # restored
    probe.close()
