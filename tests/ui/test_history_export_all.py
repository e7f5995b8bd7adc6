"""The account history's CSV export against the real sandbox: every payment the filters match
(not only the rows scrolled into view), amounts as plain signed numbers with currency and
direction columns, an ISO 8601 time with its offset, the Ukrainian file in ";" and decimal
comma, the formula guard leaving typed text alone; offline or on a read error nothing is
written and the banner says why. The CSV is built off the UI thread, and says what the
history table says."""

from __future__ import annotations

import csv
import io
import re
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QLocale

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))  # shared sandbox helpers

from test_approvals_helpers import TELLER, client_for, employee, new_customer

from teller_app.core import history_export
from teller_app.core.cash import CashKind, CashService
from teller_app.core.csv_safe import csv_text
from teller_app.core.history import HistoryMemory, HistoryRow, HistoryService
from teller_app.core.history_export import EN_CSV, UK_CSV, CsvStyle, iso_kyiv, plain_amount
from teller_app.core.receipt import ReceiptContext
from teller_app.platform import PasswordLogin, Payment, PlatformClient
from teller_app.ui import history
from teller_app.ui.history import HistoryDialog

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
PURPOSES = ("Рахунок 5, -10% знижка", "x;=1+1", "=cmd|' /C calc'!A0")


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
def world(sandbox: Any, arun: Any) -> Iterator[dict[str, Any]]:
    """A customer with 7 payments (deposits, withdrawals, one draft) through a client whose
    connection a test can cut."""
    transport = Switchable()
    client = PlatformClient(sandbox.base_url, sandbox.counterparty_guid, transport=transport,
                            auth=PasswordLogin(TELLER, employee(sandbox, TELLER)["password"]))
    setup = arun(client_for(sandbox, TELLER))
    branch = sandbox.manifest["branches"][0]
    service = CashService(setup, branch["guid"], branch["processing_account_guid"],
                          Decimal("10000.00"))
    guid = arun(new_customer(setup, sandbox))
    for n in range(7):
        kind = CashKind.WITHDRAWAL if n % 2 else CashKind.DEPOSIT
        amount = f"{1000 + n}.5{n}" if n % 2 else f"{3000 + n}.00"
        draft = arun(service.create(kind, guid, amount, PURPOSES[n % 3]))
        if n < 6:
            arun(service.confirm(draft.payment_guid))
    account = arun(setup.get_customer_accounts(guid))[0]
    yield {"client": client, "transport": transport, "account": account,
           "branch": service.branch_guid}
    arun(setup.aclose())
    arun(client.aclose())


def _dialog(qtbot: Any, ops: Any, world: dict[str, Any],
            memory: HistoryMemory | None = None) -> HistoryDialog:
    account = world["account"]
    desk = ReceiptContext("Demo Bank", "Київ", "Касир", "Нагляд Тест", account.iban)
    dialog = HistoryDialog(ops, HistoryService(world["client"], world["branch"], memory),
                           account.wallet_account_guid, desk, page_size=3)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: len(dialog.model.rows) == 3 and not dialog.model.loading,
                    timeout=10000)
    return dialog


class Built:
    """Each CSV the export built: on which thread, from which rows."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.threads: list[int] = []
        self.rows: list[list[HistoryRow]] = []
        monkeypatch.setattr(history, "history_csv", self.history_csv)

    def history_csv(self, rows: list[HistoryRow], *args: Any) -> str:
        self.threads.append(threading.get_ident())
        self.rows.append(list(rows))
        return history_export.history_csv(rows, *args)


def _as_the_table_says(dialog: HistoryDialog, rows: list[HistoryRow], style: CsvStyle) -> str:
    """The file as the export made it from the table's own cells (``HistoryModel.cells``)
    on the UI thread, before it was built off it."""
    head = dialog.model.headers()
    headers = [head[0], "Time (ISO 8601)", head[1], "Direction", head[2], "Currency", head[3],
               head[4], "Payment ID", "Stellar transaction"]
    body = []
    for row in rows:
        date, operation, _amount, status, purpose = dialog.model.cells(row)[:5]
        p = row.payment
        body.append([date, iso_kyiv(p.created_at), operation,
                     "Incoming" if row.incoming else "Outgoing",
                     plain_amount(row.signed_amount, dialog.minor_unit, style),
                     p.asset_code or "UAH", status, purpose, p.guid, p.stellar_hash])
    return csv_text(headers, body, style.delimiter)


def _export(qtbot: Any, dialog: HistoryDialog, path: Path,
            delimiter: str = ",") -> list[list[str]]:
    with qtbot.waitSignal(dialog.exported, timeout=20000):
        dialog.export_to(str(path))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and path.stat().st_mode & 0o777 == 0o600
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))


def test_every_row_is_exported_with_plain_numbers(qtbot: Any, ops: Any, world: dict[str, Any],
                                                  tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    built = Built(monkeypatch)
    dialog = _dialog(qtbot, ops, world)
    assert dialog.model.canFetchMore()  # 3 of 7 in view: the export reads the rest itself
    rows = _export(qtbot, dialog, tmp_path / "en.csv")
    # built off the UI thread, and the same file as when it was built from the table's cells
    assert len(built.threads) == 1 and built.threads[0] != threading.get_ident()
    assert (tmp_path / "en.csv").read_bytes() == _as_the_table_says(
        dialog, built.rows[0], EN_CSV).encode("utf-8-sig")
    header, body = rows[0], rows[1:]
    assert header == ["Date (Kyiv)", "Time (ISO 8601)", "Operation", "Direction", "Amount",
                      "Currency", "Status", "Purpose", "Payment ID", "Stellar transaction"]
    assert len(body) == 7 == len({r[8] for r in body}), body
    by_amount = {r[4]: r for r in body}
    assert set(by_amount) == {"3000.00", "-1001.51", "3002.00", "-1003.53", "3004.00",
                              "-1005.55", "3006.00"}
    assert by_amount["-1001.51"][3] == "Outgoing" and by_amount["3000.00"][3] == "Incoming"
    assert {r[5] for r in body} == {"UAH"} and all(ISO.match(r[1]) for r in body), body
    assert r"'=cmd|' /C calc'!A0" in {r[7] for r in body}
    assert {"Рахунок 5, -10% знижка", "x;'=1+1"} <= {r[7] for r in body}
    assert not dialog.banner.text()

    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.Ukrainian, QLocale.Country.Ukraine))
    try:  # Ukrainian Excel: ";" between cells, a decimal comma
        uk = _export(qtbot, dialog, tmp_path / "uk.csv", ";")
    finally:
        QLocale.setDefault(before)
    assert len(uk) == 8 and {r[4] for r in uk[1:]} >= {"-1001,51", "3000,00"}, uk
    assert (tmp_path / "uk.csv").read_text(encoding="utf-8-sig").splitlines()[0].count(";") == 9
    assert len(built.threads) == 2 and built.threads[1] != threading.get_ident()
    assert (tmp_path / "uk.csv").read_bytes() == _as_the_table_says(
        dialog, built.rows[1], UK_CSV).encode("utf-8-sig")


def _payment(n: int, category: str | None, status: str, purpose: str) -> Payment:
    return Payment.model_validate({
        "guid": f"00000000-0000-4000-8000-{n:012d}", "amount": f"{n}.25", "asset_code": "UAH",
        "category": category, "status": status, "purpose": purpose,
        "stellar_info": {"hash": f"{n:064x}"},
        "created_at": datetime(2026, 10, 25, 0, 30 + n, tzinfo=UTC).isoformat()})


def test_the_cells_say_what_the_table_says(qtbot: Any, ops: Any,
                                           world: dict[str, Any]) -> None:
    """Every operation and status the table can show, a voided draft, a reference tag: the
    export's cells (built off the UI thread from ``export_words``) match its cells."""
    dialog = _dialog(qtbot, ops, world)
    rows = [HistoryRow(_payment(n, category, status, purpose), incoming=n % 2 == 0,
                       voided=voided)
            for n, (category, status, purpose, voided) in enumerate([
                ("04", "CONFIRMED", "Внесок [ref:abc]", False),
                ("02", "created", "=1+1", False),
                ("02", "CREATED", "a draft", True),
                ("10", "FAILED", "", False),
                ("", "PENDING", "x;=1", False),
                (None, "", "-5", False),
                ("11", "Confirmed", "ok", False)])]
    words = dialog.export_words()
    for style in (EN_CSV, UK_CSV):
        assert history_export.history_csv(rows, words, dialog.minor_unit, style) == \
            _as_the_table_says(dialog, rows, style)


def test_an_export_that_cannot_read_everything_writes_nothing(qtbot: Any, ops: Any,
                                                              world: dict[str, Any],
                                                              tmp_path: Path) -> None:
    memory = HistoryMemory()
    dialog = _dialog(qtbot, ops, world, memory)
    world["transport"].down = True  # the rest of the history cannot be read now
    path = tmp_path / "h.csv"
    with qtbot.waitSignal(dialog.export_refused, timeout=30000) as refused:
        dialog.export_to(str(path))
    assert "could not be read" in refused.args[0] and not path.exists()
    assert dialog.banner.text() == refused.args[0] and dialog.export_button.isEnabled()

    # offline, the view shows the copy it fetched before: exporting that is refused at once
    offline = HistoryDialog(ops, HistoryService(world["client"], world["branch"], memory),
                            world["account"].wallet_account_guid, dialog.desk, page_size=3)
    qtbot.addWidget(offline)
    qtbot.waitUntil(lambda: offline.model.offline_as_of is not None, timeout=20000)
    with qtbot.waitSignal(offline.export_refused, timeout=5000) as refused:
        offline.export_to(str(path))
    assert "cannot be reached" in refused.args[0] and not path.exists()
