"""The account history's offline copy stays small however deep the teller scrolls: it keeps the
newest N rows (``HistoryService.copy_rows``), written as the first pages arrive and never
again for deeper pages, its JSON made and read off the UI thread; the offline view from it
shows those N rows and says it holds only the newest. The CSV export reads the platform's
largest page. Real sandbox over HTTP, a real SQLCipher cache."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, client_for, employee, new_customer

from teller_app.cache import history as cache_history
from teller_app.core import history_copy
from teller_app.core.cache_worker import CacheWorker
from teller_app.core.cash import CashKind, CashService
from teller_app.core.history import HistoryFilter, HistoryMemory, HistoryRow, HistoryService
from teller_app.core.history_copy import HistoryCopies, filter_key
from teller_app.core.receipt import ReceiptContext
from teller_app.platform import PasswordLogin, Payment, PlatformClient
from teller_app.ui.history import HistoryDialog

N = 5  # the copy's rows here (the desk's default is 500): 12 payments are 2.4 copies
PAYMENTS = 12


class Switchable(httpx.AsyncBaseTransport):
    """The real transport until ``down`` (then every request fails to connect)."""

    def __init__(self) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.real.handle_async_request(request)

    async def aclose(self) -> None:
        await self.real.aclose()


@pytest.fixture()
def world(sandbox: Any, arun: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A customer with 12 payments, a client whose connection a test can cut, an open
    SQLCipher branch cache."""
    transport = Switchable()
    client = PlatformClient(sandbox.base_url, sandbox.counterparty_guid, transport=transport,
                            auth=PasswordLogin(TELLER, employee(sandbox, TELLER)["password"]))
    setup = arun(client_for(sandbox, TELLER))
    branch = sandbox.manifest["branches"][0]
    cash = CashService(setup, branch["guid"], branch["processing_account_guid"],
                       Decimal("10000.00"))
    guid = arun(new_customer(setup, sandbox))
    for n in range(PAYMENTS):
        arun(cash.create(CashKind.DEPOSIT, guid, f"{100 + n}.00"))
    account = arun(setup.get_customer_accounts(guid))[0]
    path, key = tmp_path / "branch.db", os.urandom(32)
    worker = CacheWorker()
    arun(worker.open(path, key))
    yield {"client": client, "transport": transport, "account": account,
           "branch": branch["guid"], "worker": worker, "path": path, "key": key,
           "sandbox": sandbox}
    arun(worker.close())
    arun(setup.aclose())
    arun(client.aclose())


def _service(world: dict[str, Any], client: PlatformClient | None = None,
             worker: CacheWorker | None = None) -> HistoryService:
    service = HistoryService(client or world["client"], world["branch"], HistoryMemory(),
                             copies=HistoryCopies(worker or world["worker"], "emp-1"))
    service.copy_rows = N
    return service


def _dialog(qtbot: Any, ops: Any, world: dict[str, Any],
            service: HistoryService) -> HistoryDialog:
    account = world["account"]
    desk = ReceiptContext("Demo Bank", "Київ", "Касир", "Клієнт", account.iban)
    dialog = HistoryDialog(ops, service, account.wallet_account_guid, desk, page_size=N)
    qtbot.addWidget(dialog)
    return dialog


def _idle(dialog: HistoryDialog, ops: Any) -> bool:
    return not dialog.model.loading and not ops.is_busy(f"history-keep:{id(dialog.model)}")


def _scroll_to_end(qtbot: Any, ops: Any, dialog: HistoryDialog) -> float | None:
    """Every page, as a teller scrolling to the end; when the first page was fetched."""
    qtbot.waitUntil(lambda: len(dialog.model.rows) == N and _idle(dialog, ops),
                    timeout=15000)
    first = dialog.model.fetched_at
    while dialog.model.canFetchMore():
        dialog.model.fetchMore()
        qtbot.waitUntil(lambda: _idle(dialog, ops), timeout=15000)
    assert len(dialog.model.rows) == PAYMENTS
    return first


class Writes:
    """Every copy written to the cache (its rows), and the threads its JSON was made and
    read on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.copies: list[Any] = []
        self.threads: list[threading.Thread] = []
        real_save, real_rows_json = history_copy.save_history, history_copy.rows_json

        def save(cache: Any, employee: str, account: str, key: str, at: float, text: str,
                 *args: Any) -> None:
            self.copies.append(json.loads(text))
            real_save(cache, employee, account, key, at, text, *args)

        def rows_json(rows: Any) -> str:
            self.threads.append(threading.current_thread())
            return real_rows_json(rows)

        class Json:  # the module's json, its reads recorded
            dumps = staticmethod(json.dumps)

            @staticmethod
            def loads(text: str) -> Any:
                self.threads.append(threading.current_thread())
                return json.loads(text)

        monkeypatch.setattr(history_copy, "save_history", save)
        monkeypatch.setattr(history_copy, "rows_json", rows_json)
        monkeypatch.setattr(history_copy, "json", Json)


def _rows(stored: Any) -> list[Any]:
    return stored["rows"] if isinstance(stored, dict) else stored


def test_scrolling_deep_writes_the_copy_once(qtbot: Any, ops: Any, world: dict[str, Any],
                                             arun: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    writes = Writes(monkeypatch)
    dialog = _dialog(qtbot, ops, world, _service(world))
    _scroll_to_end(qtbot, ops, dialog)  # 3 pages: 5, 5, 2 rows

    # the copy's JSON was made off the UI thread (the asyncio loop runs on it)
    assert writes.threads and threading.main_thread() not in writes.threads
    assert len(writes.copies) == 1  # the first page held the N rows: no write after it
    kept = _rows(writes.copies[0])
    assert [r["payment"]["guid"] for r in kept] == [
        r.payment.guid for r in dialog.model.rows[:N]]  # the newest N, as the table shows
    stored = arun(world["worker"].with_cache(
        cache_history.load_history, "emp-1", world["account"].wallet_account_guid,
        filter_key(HistoryFilter())))
    assert stored is not None and len(_rows(json.loads(stored[1]))) == N


def test_the_offline_view_shows_the_newest_n_and_says_so(
        qtbot: Any, ops: Any, world: dict[str, Any], arun: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    online = _dialog(qtbot, ops, world, _service(world))
    fetched_at = _scroll_to_end(qtbot, ops, online)  # the copy is as of its first page
    newest = [r.payment.guid for r in online.model.rows[:N]]
    arun(world["worker"].close())
    assert b"100.00" not in world["path"].read_bytes()  # still encrypted on disk

    # a restart: a new worker on the same file, nothing in memory, the platform unreachable
    writes = Writes(monkeypatch)
    world["transport"].down = True
    again = CacheWorker()
    arun(again.open(world["path"], world["key"]))
    try:
        offline = _dialog(qtbot, ops, world, _service(world, worker=again))
        qtbot.waitUntil(lambda: offline.model.offline_as_of is not None, timeout=10000)
        assert [r.payment.guid for r in offline.model.rows] == newest
        text = offline.as_of.text()
        assert text.startswith("Offline: as of ") and \
            text.endswith(", only the newest 5 payments, as last fetched")
        assert offline.model.offline_as_of == fetched_at
        assert not offline.model.canFetchMore()
        # the copy was read off the UI thread
        assert writes.threads and threading.main_thread() not in writes.threads
    finally:
        arun(again.close())

    # this run's memory keeps the same N (the worker is closed: memory only)
    memory_only = _service(world)
    memory_only.memory = online.service.memory
    from_memory = _dialog(qtbot, ops, world, memory_only)
    qtbot.waitUntil(lambda: from_memory.model.offline_as_of is not None, timeout=10000)
    assert [r.payment.guid for r in from_memory.model.rows] == newest
    assert "only the newest 5 payments" in from_memory.as_of.text()


def test_a_copy_of_more_than_the_bound_is_refused_and_an_old_one_is_cut(
        qtbot: Any, world: dict[str, Any], arun: Any) -> None:
    assert cache_history.MAX_COPY_ROWS == 500
    assert HistoryService(world["client"], None).copy_rows == cache_history.MAX_COPY_ROWS
    with pytest.raises(ValueError):
        arun(world["worker"].with_cache(cache_history.save_history, "emp-1", "acc", "{}",
                                        1.0, "[]", cache_history.MAX_COPY_ROWS + 1))
    # a copy written before copies were cut (a bare list of 600 rows) reads as its newest 500
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [HistoryRow(Payment(guid=f"p{n:04d}", created_at=start - timedelta(minutes=n)),
                       True) for n in range(600)]
    copy = history_copy.copy_of(2.0, history_copy.rows_json(rows))
    assert [r.payment.guid for r in copy.rows] == [r.payment.guid for r in rows[:500]]
    assert copy.cut and copy.fetched_at == 2.0


def test_the_export_reads_the_platforms_largest_page(qtbot: Any, ops: Any,
                                                     world: dict[str, Any],
                                                     tmp_path: Path) -> None:
    dialog = _dialog(qtbot, ops, world, _service(world))
    qtbot.waitUntil(lambda: _idle(dialog, ops), timeout=15000)
    limits: list[int] = []
    real = world["client"].list_payments

    async def list_payments(*args: Any, **kwargs: Any) -> Any:
        limits.append(kwargs["limit"])
        return await real(*args, **kwargs)

    world["client"].list_payments = list_payments
    path = tmp_path / "h.csv"
    with qtbot.waitSignal(dialog.exported, timeout=20000):
        dialog.export_to(str(path))
    assert limits and set(limits) == {1000}  # the sandbox's (and the sync's) maximum
    assert len(path.read_text("utf-8-sig").splitlines()) == PAYMENTS + 1
