"""The audit trail's CSV export as a spreadsheet in the desk's language reads it, against a
real hub (SQLite): in Ukrainian the list separator is ";" (Excel with Ukrainian regional
settings splits a CSV on it: the "," file read as one to three columns a row) and amounts in
the details have a decimal comma; in English "," and a decimal point; the language is the
one at the time of the export (the panel was built in English). Each moment is also in ISO
8601 with its offset beside "When (Kyiv)": the night summer time ends, 03:30 Kyiv comes twice
and only the offset tells the two entries apart. The BOM, CRLF line ends and the formula guard
stay as they were. The entries are written straight into the hub's chain with chosen times
(as ``tests/hub/test_audit_newest_first.py`` does)."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QLocale
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hub"))

from fe_db import db_url
from hub_proc import HubProc, add_employee, branches, hub_env, sign_in, start_hub

from teller_app.core.csv_safe import FORMULA_TRIGGERS
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub import audit
from teller_app.platform.hub_client import HubClient
from teller_app.ui.async_op import OpRunner
from teller_app.ui.audit_view import AuditView
from teller_app.ui.i18n import install_translators

KYIV = ZoneInfo("Europe/Kyiv")
T = TypeVar("T")
BOM = b"\xef\xbb\xbf"
COLUMNS = 10  # #, When (Kyiv), Time (ISO 8601), Action, Employee, Customer, Details, 3 codes
FOLD_FIRST = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 03:30 Kyiv, summer time (+03:00)
FOLD_AGAIN = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 03:30 Kyiv again, winter (+02:00)
CASH_AT = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
COMMENT = "=2+2;@SUM(1)"


class Link:
    """What the view calls: the supervisor's real hub client (``HubLink.call``)."""

    def __init__(self, hub: HubClient) -> None:
        self.hub = hub

    async def call(self, fn: Callable[[HubClient], Awaitable[T]]) -> T:
        return await fn(self.hub)


@pytest.fixture(scope="module")
def trail(sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A hub whose chain holds one teller's two entries in the hour that comes twice and a
    cash entry with an amount and a formula-like comment; a supervisor of their branch."""
    hub: HubProc = start_hub(tmp_path_factory.mktemp("audit-locale-hub"), hub_env(sandbox, None))
    try:
        b0 = branches(sandbox)[0]
        actor = f"{uuid.uuid4().hex[:10]}@locale.test"
        rows = [(FOLD_FIRST, "sign_in", {}), (FOLD_AGAIN, "sign_out", {}),
                (CASH_AT, "cash", {"amount": "-1234.5", "comment": COMMENT})]
        seqs: list[int] = []

        async def write() -> None:
            engine = create_async_engine(db_url(hub))
            try:
                async with engine.begin() as conn:
                    for at, action, detail in rows:
                        seqs.append((await audit.append(conn, audit.Entry(
                            actor=actor, action=action, detail=detail, desk_id="locale-desk",
                            branch_guid=b0, ts_ms=int(at.timestamp() * 1000))))[0])
            finally:
                await engine.dispose()
        asyncio.run(write())
        with hub.client() as http:
            sup = sign_in(http, add_employee(http, hub, roles=["Supervisor"], branch_guid=b0))
        yield {"hub": hub, "actor": actor, "seqs": seqs,
               "token": sup["Authorization"].removeprefix("Bearer ")}
    finally:
        assert hub.stop() == 0, hub.log()[-2000:]


def _export(view: AuditView, qtbot: Any, path: Path) -> None:
    with qtbot.waitSignal(view.exported, timeout=15000):
        view.export_to(str(path))


def _read(path: Path, delimiter: str) -> list[list[str]]:
    """The file as a spreadsheet with ``delimiter`` as its list separator reads it; BOM and
    CRLF line ends checked on the way."""
    raw = path.read_bytes()
    assert raw.startswith(BOM)
    assert raw.count(b"\n") == raw.count(b"\r\n") > 0  # CRLF, every line
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""),
                           delimiter=delimiter))


def _by_seq(table: list[list[str]]) -> dict[int, list[str]]:
    return {int(row[0]): row for row in table[1:]}


def _check(table: list[list[str]], seqs: list[int], *, decimal: str, other: str) -> None:
    assert [len(row) for row in table] == [COLUMNS] * 4, table
    head = table[0]
    assert "ISO 8601" in head[2] and head[-3:] == ["action", "detail_json", "hash"]
    first, again, cash = (_by_seq(table)[s] for s in seqs)
    # the hour that comes twice: the same wall clock, told apart by the offset
    assert first[1] == again[1] == "25.10.2026 03:30:00"
    assert first[2] == "2026-10-25T03:30:00+03:00"
    assert again[2] == "2026-10-25T03:30:00+02:00"
    assert datetime.fromisoformat(again[2]) - datetime.fromisoformat(first[2]) == \
        FOLD_AGAIN - FOLD_FIRST
    assert cash[2] == CASH_AT.astimezone(KYIV).isoformat(timespec="seconds")
    # the amount in the details in the language's money format
    assert f"234{decimal}50" in cash[6] and f"234{other}50" not in cash[6], cash[6]
    assert cash[7] == "cash"
    # the formula guard as before: no cell starts a formula, one after a separator quoted
    assert not any(cell.startswith(FORMULA_TRIGGERS) for row in table for cell in row)
    assert "2+2;'@SUM(1)" in cash[8]


def test_the_export_follows_the_language_at_the_time_of_export(
        trail: dict[str, Any], qtbot: Any, qloop: Any, qapp: Any, arun: Any,
        tmp_path: Path) -> None:
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    client = HubClient(trail["hub"].base_url)
    client.token = trail["token"]
    ops = OpRunner()
    installed: list[Any] = []
    view = AuditView(lambda: Link(client), ops,  # type: ignore[arg-type, return-value]
                     now=lambda: datetime(2026, 10, 26, 12, 0, tzinfo=KYIV))
    qtbot.addWidget(view)
    view.employee.setText(trail["actor"])
    try:
        with qtbot.waitSignal(view.loaded, timeout=15000):
            view.refresh()
        assert sorted(e.seq for e in view.model.entries) == trail["seqs"]

        english = tmp_path / "audit-en.csv"
        _export(view, qtbot, english)
        table = _read(english, ",")
        _check(table, trail["seqs"], decimal=".", other=",")
        assert table[0][1] == "When (Kyiv)"

        installed = install_translators(qapp, "uk")  # the desk switched to Ukrainian
        assert installed, "compile the translations: packaging/build_translations.py"
        ukrainian = tmp_path / "audit-uk.csv"
        _export(view, qtbot, ukrainian)
        header = ukrainian.read_bytes().decode("utf-8-sig").split("\r\n")[0]
        assert header.count(";") == COLUMNS - 1 and "," not in header, header
        table = _read(ukrainian, ";")
        _check(table, trail["seqs"], decimal=",", other=".")
        assert table[0][1] == "Час (Київ)" and table[0][3] == "Дія"
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
        QLocale.setDefault(before)
        ops.cancel_all()
        arun(client.aclose())
