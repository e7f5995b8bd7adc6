"""Client + full and incremental sync into a real SQLCipher cache, for every dialect; the
cache is checked against the sandbox's own database by counts."""

from __future__ import annotations

import asyncio
import os
import uuid
from decimal import Decimal
from pathlib import Path

from teller_app.cache import cache_path
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.cash import CashKind, CashService
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.sync import SyncEngine
from teller_app.platform import CustomerUpdate
from tests.platform.sandbox_helpers import admin_client, new_customer, password_client

from .conftest import DISABLED, disabled_customer, scope_count


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


def test_cash_deposit_is_exact(dialect_sb: SandboxProcess) -> None:
    """A cash deposit (draft, confirm, receipt) and the balance after it, to the kopiyka."""
    branch = dialect_sb.manifest["branches"][0]

    async def scenario() -> None:
        async with password_client(dialect_sb) as teller:
            service = CashService(teller, branch["guid"], branch["processing_account_guid"],
                                  Decimal("10000.00"))
            customer = (await teller.list_customers(limit=1, is_disabled=False)).customers[0]
            guid = customer.wallet_user_guid
            before = (await service.customer_account(guid))[2].balance
            draft = await service.create(CashKind.DEPOSIT, guid, "12.34")
            assert not draft.needs_supervisor
            receipt = await service.confirm(draft.payment_guid)
            assert receipt.status == "CONFIRMED" and receipt.amount == Decimal("12.34")
            after = (await service.customer_account(guid))[2].balance
            assert after - before == Decimal("12.34")
            assert [p.guid for p in await service.pending_drafts()].count(draft.payment_guid) == 0

    asyncio.run(scenario())


def test_ui_smoke_search_finds_a_disabled_customer_and_a_card_opens(  # type: ignore[no-untyped-def]
    dialect_sb, qtbot, ops, arun, tmp_path
):
    from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache
    from tests.ui.conftest import make_window, open_session

    kyiv = dialect_sb.manifest["branches"][0]["guid"]
    guid, surname = disabled_customer(dialect_sb, kyiv)
    session = open_session(arun, dialect_sb)
    bundle = arun(open_branch_cache(session))
    window = make_window(qtbot, ops, session, dialect_sb, branch_cache=bundle)
    try:
        panel = window.search_panel
        qtbot.waitUntil(lambda: window._cache_warm, timeout=30000)  # the UI's own full sync
        panel.search_box.setText(surname)
        panel.run_search()

        def found() -> bool:
            model = panel.model
            return model.query == surname and any(
                model.row_at(i).wallet_user_guid == guid for i in range(model.rowCount()))

        qtbot.waitUntil(found, timeout=15000)
        row = next(panel.model.row_at(i) for i in range(panel.model.rowCount())
                   if panel.model.row_at(i).wallet_user_guid == guid)
        card = window.open_customer(row)
        qtbot.waitUntil(lambda: card.freshness.text() == "Up to date", timeout=15000)
        assert card.balance_texts() and all("UAH" in b for b in card.balance_texts())
        # what the client learnt is remembered for the profile (written off the UI thread)
        traits = Path(os.environ["TELLER_CONFIG_DIR"]) / "server-traits.json"
        qtbot.waitUntil(traits.exists, timeout=10000)
        assert oct(traits.stat().st_mode & 0o777) == "0o600"
    finally:
        window._closing_for_sign_out = True
        ops.cancel_all()
        arun(close_branch_cache(bundle))
        arun(session.close())


def test_block_and_unblock_requests_reach_the_supervisor(dialect_sb: SandboxProcess) -> None:
    """Four eyes on every dialect: what the hub executes for an approved block and unblock
    (the approver's own PUT of the stored change) applies, and nothing else is written (no
    request in ``status``, no marker customers: requests live on the hub)."""
    from tests.core.test_approvals_helpers import SUPERVISOR, TELLER, client_for
    from tests.core.test_approvals_helpers import new_customer as approval_customer

    async def scenario() -> None:
        teller = await client_for(dialect_sb, TELLER)
        supervisor = await client_for(dialect_sb, SUPERVISOR)
        try:
            guid = await approval_customer(teller, dialect_sb)
            before = await teller.get_customer(guid)
            for flag in (True, False):
                await supervisor.update_customer(guid, CustomerUpdate(is_disabled=flag))
                after = await teller.get_customer(guid)
                assert after.is_disabled is flag
                assert after.status == before.status and "[[" not in (after.status or "")
            found = await supervisor.find_customer_by_login("approval-lock:" + guid)
            assert found is None
        finally:
            await teller.aclose()
            await supervisor.aclose()

    asyncio.run(scenario())


def test_the_disabled_filter_lists_each_customer_once_while_the_cache_is_cold(
        dialect_sb: SandboxProcess) -> None:
    """The filter bar's "active" / "disabled" choice on the platform path, paged as the table
    pages it (a first page of 50, then pages of 100 from the rows it holds). Under
    ``include-disabled`` the platform lists everyone for one of the two, and the desk drops
    the others itself: its paging must still list every customer of the choice once, and end
    only at the platform's end."""
    from teller_app.cache.filters import CustomerFilter
    from teller_app.ui.filter_sources import FilteredPlatformSource, FilterState

    kyiv = dialect_sb.manifest["branches"][0]["guid"]
    expected, disabled = scope_count(dialect_sb, kyiv)

    async def listed(client: object, wanted: bool) -> tuple[list[str], int, bool]:
        source = FilteredPlatformSource(client, kyiv,  # type: ignore[arg-type]
                                        FilterState(CustomerFilter(disabled=wanted)))
        rows, total, capped = await source.first_page("", 50)
        guids = [r.wallet_user_guid for r in rows]
        while True:
            more = await source.page("", len(guids), 100)
            if not more:
                break
            guids += [r.wallet_user_guid for r in more]
        assert all(r.is_disabled == wanted for r in rows)
        return guids, total, capped

    async def scenario() -> None:
        async with password_client(dialect_sb) as teller:
            active, total, capped = await listed(teller, False)
            assert len(active) == len(set(active)) == expected - disabled
            # the first page's figure never promises rows the list does not hold
            assert total <= expected - disabled or capped
            blocked, total, capped = await listed(teller, True)
            assert len(blocked) == len(set(blocked)) == disabled
            assert total <= disabled

    asyncio.run(scenario())
