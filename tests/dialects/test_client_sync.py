"""Client + full and incremental sync into a real SQLCipher cache, for every dialect; the
cache is checked against the sandbox's own database by counts."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

from teller_app.cache import cache_path
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.sync import SyncEngine
from teller_app.platform import CustomerUpdate
from tests.platform.sandbox_helpers import admin_client, new_customer, password_client

from .conftest import DISABLED, scope_count


def test_client_and_sync_match_the_server(dialect_sb: SandboxProcess, tmp_path: Path) -> None:
    kyiv = dialect_sb.manifest["branches"][0]["guid"]
    expected, disabled = scope_count(dialect_sb, kyiv)
    assert disabled >= DISABLED

    async def scenario() -> None:
        worker = CacheWorker()
        await worker.open(cache_path(tmp_path, "dialect", kyiv), os.urandom(32))
        try:
            async with password_client(dialect_sb) as teller, admin_client(dialect_sb) as admin:
                # the client alone: a whole listing, nothing found, one card's accounts
                listed = [c async for c in teller.iter_customers(page_size=1000)]
                assert len({c.wallet_user_guid for c in listed}) == expected
                assert sum(c.is_disabled for c in listed) == disabled
                none = await teller.list_customers(wallet_user_guids=[str(uuid.uuid4())])
                assert none.customers == [] and none.total == 0
                accounts = await teller.get_customer_accounts(listed[0].wallet_user_guid)
                assert accounts and accounts[0].assets[0].minor_unit == 2
                me = await teller.whoami()
                assert me.guid and me.branch_guid == kyiv

                engine = SyncEngine(teller, worker, [kyiv], reconcile_hours=1e9)
                await engine.sync_now()
                await engine.stop()
                stats = await worker.stats()
                assert stats.full_sync_done and stats.count == expected
                cached = await worker.customers_page(0, 10_000)
                assert sum(r.is_disabled for r in cached) == disabled

                # changes elsewhere: one renamed, one created, one disabled -> incremental
                created = await admin.create_customer(new_customer(dialect_sb, surname="Діалект"))
                assert created.customer_guid
                renamed = listed[-1].wallet_user_guid
                await admin.update_customer(renamed, CustomerUpdate(name="Перейменований"))
                await admin.update_customer(listed[-2].wallet_user_guid,
                                            CustomerUpdate(is_disabled=True))
                await engine.sync_now()
                await engine.stop()
                expected2, disabled2 = scope_count(dialect_sb, kyiv)
                assert expected2 == expected + 1
                assert (await worker.stats()).count == expected2
                rows = {r.guid: r for r in await worker.customers_page(0, 10_000)}
                assert rows[renamed].name == "Перейменований"
                assert created.customer_guid in rows
                assert sum(r.is_disabled for r in rows.values()) == disabled2
        finally:
            await worker.close()

    asyncio.run(scenario())
