"""The synthetic-customer generator: the demo bank's customers, and the 1 000 000 of a
head-office benchmark (drawn in bulk, generated once per data dir and reused)."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from typing import Any

from . import ledger, names
from .db import Store

ASSET_CODE = "UAH"
ASSET_ISSUER = "GC63UKIHPPR4F74IZ6BU24ZCJXHO4Y4C2KAUATDAQQFXKRW5FT6AJKYS"
DEFAULT_CUSTOMERS = 40
GENERATE_CHUNK = 100_000  # synthetic customers generated per executemany


def generate_customers(
    store: Store,
    cp: str,
    branch_guids: list[str | None],
    count: int,
    rng: random.Random,
    *,
    fund_from: dict[str | None, str] | None = None,
) -> list[dict[str, str]]:
    """Insert ``count`` synthetic customers with one account each (executemany; caller holds
    the transaction). With ``fund_from`` {branch_guid: processing account}, each gets a cash
    deposit. Returns [{wallet_user_guid, wallet_account_guid, iban}] (only when funded)."""
    if count <= 0:
        return []
    mfo = str(store.scalar("SELECT mfo FROM counterparties WHERE guid = ?", (cp,)))
    type_guid = ledger.account_type_guid(store, cp, "customer")
    start = int(store.scalar("SELECT COALESCE(MAX(seq), 0) FROM customers") or 0) + 1
    customers = []
    accounts = []
    out = []
    base = store.now_dt()
    base_us = int(base.timestamp()) * 1_000_000 + base.microsecond
    # Everything random is drawn in bulk (one urandom call, rng.choices): per-row calls
    # were half of a 1 000 000-customer generation (issue 12).
    people = names.draw_people(rng, count)
    domains = rng.choices(names.MAIL_DOMAINS, k=count)
    operators = rng.choices(names.OPERATOR_CODES, k=count)
    kycs = rng.choices((0, 1, 1, 2), k=count)
    if len(branch_guids) == 2:
        branches = rng.choices(branch_guids, weights=(0.6, 0.4), k=count)
    else:
        branches = [branch_guids[0]] * count
    # ascending: each unique index on a guid then grows at its end instead of at random
    customer_guids = sorted(names.uuid4s(count))
    account_guids = sorted(names.uuid4s(count))
    stellar = names.stellar_addresses(count)
    randbits = rng.getrandbits
    prefixes: dict[int, str] = {}
    for i in range(count):
        name, surname, paternal, key, lat = people[i]
        login = f"{lat}.{start + i}@{domains[i]}"
        cguid = customer_guids[i]
        aguid = account_guids[i]
        sec, frac = divmod(base_us + i, 1_000_000)
        prefix = prefixes.get(sec)
        if prefix is None:
            prefix = datetime.fromtimestamp(sec, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            prefixes[sec] = prefix
        ts = f"{prefix}.{frac:06d}Z"
        branch = branches[i]
        customers.append((
            cguid, cp, login, login, name, surname, paternal,
            f"+380{operators[i]}{randbits(24) % 10_000_000:07d}", branch, "retail", kycs[i],
            f"{key}\x1f{login}", ts, ts,
        ))
        iban = names.ua_iban(mfo, randbits(60) % 10**18)
        accounts.append((
            aguid, cp, cguid, iban, stellar[i],
            None, ASSET_CODE, ASSET_ISSUER, type_guid, ts, ts,
        ))
        if fund_from is not None:
            out.append({"wallet_user_guid": cguid, "wallet_account_guid": aguid, "iban": iban,
                        "branch_guid": branch})
    store.advance_clock(datetime.fromtimestamp((base_us + count) / 1_000_000, UTC))
    inserted = store.conn.executemany(
        "INSERT OR IGNORE INTO customers (guid, counterparty_guid, login, external_id, name, "
        "surname, paternal_name, phone_number, branch_guid, segment, kyc_level, search, "
        "synthetic, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,1,?,?)",
        customers,
    ).rowcount
    store.index_customer_search(since_seq=start - 1)
    sql = ("INSERT INTO accounts (guid, counterparty_guid, wallet_user_guid, account_kind, iban, "
           "stellar_address, branch_guid, asset_code, asset_issuer, balance, account_type_guid, "
           "created_at, updated_at) ")
    if inserted == count:
        store.conn.executemany(sql + "VALUES (?,?,?,'customer',?,?,?,?,?,0,?,?,?)", accounts)
    else:  # a login collided with a hand-made customer: skip the accounts of skipped rows
        store.conn.executemany(
            sql + "SELECT ?,?,?,'customer',?,?,?,?,?,0,?,?,? "
            "WHERE EXISTS (SELECT 1 FROM customers WHERE guid = ?3)", accounts)
    if fund_from is not None:
        for item in out:
            source = fund_from.get(item["branch_guid"])
            if source:
                amount = rng.randrange(100, 20_000) * 100 + rng.choice((0, 50, 25, 99))
                ledger.transfer(store, cp, source, item["wallet_account_guid"], amount,
                                category="04", purpose="Поповнення готівкою")
    return out


def top_up_customers(store: Store, world: dict[str, Any], wanted: int) -> int:
    """Ensure at least ``wanted`` synthetic customers in the demo bank. Returns how many were
    created. The first start funds its customers (cash deposits) so the demo has balances."""
    cp = world["counterparty_guid"]
    have = int(store.scalar(
        "SELECT COUNT(*) FROM customers WHERE counterparty_guid = ? AND synthetic = 1", (cp,)
    ))
    missing = wanted - have
    if missing <= 0:
        return 0
    rng = random.Random()
    branches = world["branches"]
    fund = have == 0
    store.conn.execute("PRAGMA cache_size=-262144")  # 256 MB while bulk-inserting
    bulk_journal = missing > 5000
    if bulk_journal:
        # Written once into the database file instead of into the WAL and again by its
        # checkpoint; a new database's pages need no rollback copy (issue 12: 1 000 000
        # customers). The sandbox holds the only connection while it starts.
        store.conn.execute("PRAGMA journal_mode=DELETE")
        store.conn.execute("PRAGMA synchronous=OFF")
    t0 = time.perf_counter()
    with store.tx():
        funded = min(missing, DEFAULT_CUSTOMERS) if fund else 0
        if funded:
            generate_customers(
                store, cp, [b["guid"] for b in branches], funded, rng,
                fund_from={b["guid"]: b["processing_account_guid"] for b in branches},
            )
        bulk = missing - funded > 5000
        if bulk:  # building indexes once after the insert beats maintaining them per row
            dropped = store.drop_secondary_indexes(("customers", "accounts"))
        rest = missing - funded
        while rest > 0:  # in chunks: 1 000 000 rows of tuples at once would need ~1 GB
            chunk = min(rest, GENERATE_CHUNK)
            generate_customers(store, cp, [b["guid"] for b in branches], chunk, rng)
            rest -= chunk
        if bulk:
            for sql in dropped:
                store.conn.execute(sql)
    store.conn.execute("PRAGMA cache_size=-32000")
    if bulk_journal:
        store.conn.execute("PRAGMA synchronous=NORMAL")
        store.conn.execute("PRAGMA journal_mode=WAL")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with store.tx():  # the whole generation, its commit and checkpoint included
        store.set_meta("last_generation_seconds", f"{time.perf_counter() - t0:.3f}")
    return missing
