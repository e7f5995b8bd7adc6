"""The bulk customer generator (issue 12: 1 000 000 customers in minutes): what it draws in
bulk must still look like the customers ``names.person`` makes, one account each."""

from __future__ import annotations

import uuid
from pathlib import Path

from teller_app.sandbox import names
from teller_app.sandbox.db import Store
from teller_app.sandbox.generator import top_up_customers
from teller_app.sandbox.world import ensure_world

N = 6_000  # above the bulk threshold (indexes rebuilt, one journal write)


def test_bulk_generation_makes_consistent_customers(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        world = ensure_world(store, tmp_path)
        cp = world["counterparty_guid"]
        assert top_up_customers(store, world, N) == N
        assert top_up_customers(store, world, N) == 0  # reused, never generated twice
        rows = store.all(
            "SELECT seq, guid, login, name, surname, paternal_name, phone_number, branch_guid, "
            "search, created_at, updated_at FROM customers WHERE counterparty_guid = ? "
            "ORDER BY seq", (cp,))
        assert len(rows) == N
        assert len({r["guid"] for r in rows}) == N and len({r["login"] for r in rows}) == N
        assert all(uuid.UUID(r["guid"]).version == 4 for r in rows)
        women = {n for n in names.FEMALE_NAMES}
        share = sum(r["name"] in women for r in rows) / N
        assert 0.45 < share < 0.55
        kyiv = world["branches"][0]["guid"]
        assert 0.55 < sum(r["branch_guid"] == kyiv for r in rows) / N < 0.65
        for r in rows[:: N // 50]:
            assert r["search"] == names.search_key(r["name"], r["surname"], r["paternal_name"],
                                                   r["login"])
            assert r["login"].startswith(
                f"{names.translit(r['name'])}.{names.translit(r['surname'])}.")
            assert r["phone_number"].startswith("+380") and len(r["phone_number"]) == 13
        stamps = [r["updated_at"] for r in rows]
        assert stamps == sorted(stamps) and len(set(stamps)) == N
        accounts = store.all(
            "SELECT a.wallet_user_guid, a.iban, a.stellar_address FROM accounts a "
            "JOIN customers c ON c.guid = a.wallet_user_guid WHERE c.counterparty_guid = ?",
            (cp,))
        assert len({a["wallet_user_guid"] for a in accounts}) == N
        assert all(names.iban_is_valid(a["iban"]) for a in accounts[:: N // 50])
        assert all(len(a["stellar_address"]) == 56 for a in accounts)
        # search finds them (trigram index filled), the database is back in WAL mode, every
        # index is back and the generation time is recorded
        hits = store.scalar("SELECT count(*) FROM customer_search WHERE search LIKE ?",
                            (f"%{rows[0]['surname'].casefold()}%",))
        assert hits and int(hits) > 0
        assert store.scalar("PRAGMA journal_mode") == "wal"
        indexes = {r[0] for r in store.all("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"ix_customers_updated", "ix_customers_disabled", "ix_accounts_iban"} <= indexes
        assert float(store.meta("last_generation_seconds") or "0") > 0
    finally:
        store.close()


def test_bulk_draws() -> None:
    guids = names.uuid4s(1000)
    assert len(set(guids)) == 1000
    assert all(str(uuid.UUID(g)) == g and uuid.UUID(g).version == 4 for g in guids)
    assert {g[19] for g in guids} <= set("89ab")  # RFC 4122 variant
    addresses = names.stellar_addresses(100)
    assert len(set(addresses)) == 100 and all(a[0] == "G" and len(a) == 56 for a in addresses)
    assert all(set(a[1:]) <= set("ABCDEFGQRST234567") for a in addresses)


def test_few_people_are_drawn_as_from_the_full_tables() -> None:
    """The demo world's few draws skip building the tables: same RNG use, same people."""
    import random

    for count in (1, 40, 500):
        few, bulk = random.Random(count), random.Random(count)
        drawn = names.draw_people(few, count)
        women = bulk.choices(names.people(True), k=count)
        men = bulk.choices(names.people(False), k=count)
        assert drawn == [w if bulk.random() < 0.5 else m for w, m in zip(women, men, strict=True)]
        assert few.random() == bulk.random()  # the same numbers were drawn
    assert names._person_at(False, len(names.people(False)) - 1) == names.people(False)[-1]
