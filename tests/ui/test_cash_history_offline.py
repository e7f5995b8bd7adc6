"""The account history's offline copy survives a restart (issue 15): what the card fetched is
kept in the encrypted SQLCipher branch cache; after the cache is re-opened (a new run, an
empty memory) the same account and filters show offline, marked "as of" the fetch time.
Another employee gets no copy."""

from __future__ import annotations

import os
import sys
from decimal import Decimal
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, client_for, employee, new_customer

from teller_app.core.cache_worker import CacheWorker
from teller_app.core.cash import CashKind, CashService
from teller_app.core.history import HistoryMemory, HistoryService
from teller_app.core.history_copy import HistoryCopies
from teller_app.core.receipt import ReceiptContext
from teller_app.platform import PasswordLogin, PlatformClient
from teller_app.ui.history import HistoryDialog


class _Offline(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)


def test_history_offline_after_reopening_the_cache(qtbot, ops, sandbox, arun, tmp_path) -> None:  # type: ignore[no-untyped-def]
    branch = sandbox.manifest["branches"][0]
    client = arun(client_for(sandbox, TELLER))
    service = CashService(client, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    guid = arun(new_customer(client, sandbox))
    for amount in ("101.25", "202.50"):
        draft = arun(service.create(CashKind.DEPOSIT, guid, amount))
        arun(service.confirm(draft.payment_guid))
    account = arun(client.get_customer_accounts(guid))[0]
    desk = ReceiptContext("Demo Bank", "Київ", "Касир", "Клієнт", account.iban)
    path, key = tmp_path / "branch.db", os.urandom(32)

    worker = CacheWorker()
    arun(worker.open(path, key))
    history = HistoryService(client, branch["guid"], HistoryMemory(),
                             copies=HistoryCopies(worker, "emp-1"))
    online = HistoryDialog(ops, history, account.wallet_account_guid, desk)
    qtbot.addWidget(online)
    qtbot.waitUntil(lambda: len(online.model.rows) == 2 and not ops.is_busy(
        f"history-keep:{id(online.model)}"), timeout=10000)
    fetched_at = online.model.fetched_at
    arun(worker.close())
    assert b"202.50" not in path.read_bytes()  # encrypted on disk

    # a restart: a new worker on the same file, nothing in memory, the platform unreachable
    down = PlatformClient(sandbox.base_url, sandbox.counterparty_guid, transport=_Offline(),
                          auth=PasswordLogin(TELLER, employee(sandbox, TELLER)["password"]))
    again = CacheWorker()
    arun(again.open(path, key))
    try:
        restarted = HistoryService(down, branch["guid"], HistoryMemory(),
                                   copies=HistoryCopies(again, "emp-1"))
        offline = HistoryDialog(ops, restarted, account.wallet_account_guid, desk)
        qtbot.addWidget(offline)
        qtbot.waitUntil(lambda: offline.model.offline_as_of is not None, timeout=10000)
        assert offline.model.offline_as_of == fetched_at
        assert sorted(r.payment.amount for r in offline.model.rows) == [
            Decimal("101.25"), Decimal("202.50")]
        assert offline.as_of.text().startswith("Offline: as of")
        assert not offline.model.canFetchMore()
        # another employee of the branch gets no copy: the error, not the rows
        other = HistoryService(down, branch["guid"], HistoryMemory(),
                               copies=HistoryCopies(again, "emp-2"))
        theirs = HistoryDialog(ops, other, account.wallet_account_guid, desk)
        qtbot.addWidget(theirs)
        with qtbot.waitSignal(theirs.model.failed, timeout=10000):
            pass
        assert theirs.model.rows == [] and theirs.model.offline_as_of is None
    finally:
        arun(again.close())
        arun(down.aclose())
        arun(client.aclose())
