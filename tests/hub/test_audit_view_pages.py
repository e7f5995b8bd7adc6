"""The supervisor's audit trail at head-office scale, against a real hub (SQLite and
PostgreSQL): the newest page is shown after one hub read, older pages load as the table
reaches its end (scrolled there, or Ctrl+End) with no repeat and no gap, a page read for the
list before a Refresh never lands in the new one, the CSV export holds every matching row
while the table holds one page (written aside, so a read that fails half way claims no
file), and a hub older than newest-first paging still gets the whole range shown newest
first. Pages are 20 rows here (the desk asks 500)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from hub_proc import HubProc, add_employee, branches, sign_in
from PySide6.QtCore import QModelIndex, Qt

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform.errors import HubUnavailable
from teller_app.platform.hub_client import HubClient
from teller_app.ui import audit_pages
from teller_app.ui.async_op import OpRunner
from teller_app.ui.audit_view import AuditView

T = TypeVar("T")
PAGE = 20


class Link:
    """The supervisor's real hub client as the view calls it (``HubLink.call``), counting
    the hub reads; ``gate`` holds the next read until it is set, ``fail_from`` makes that
    read and later ones fail (a hub gone mid-way)."""

    def __init__(self, hub: HubClient) -> None:
        self.hub = hub
        self.calls = 0
        self.gate: asyncio.Event | None = None
        self.held = False
        self.fail_from: int | None = None

    async def call(self, fn: Callable[[HubClient], Awaitable[T]]) -> T:
        self.calls += 1
        if self.fail_from is not None and self.calls >= self.fail_from:
            raise HubUnavailable("the hub went away")
        if self.gate is not None:
            gate, self.gate = self.gate, None
            self.held = True
            try:
                await gate.wait()
            finally:
                self.held = False
        return await fn(self.hub)


@pytest.fixture(scope="module")
def trail(hub: HubProc, sandbox: SandboxProcess) -> dict[str, Any]:
    """Three tellers' entries (55 and 30; 45 naming a customer each) and a supervisor of
    their branch."""
    b0 = branches(sandbox)[0]
    out: dict[str, Any] = {}
    with hub.client() as http:
        for name, count in (("a", 55), ("b", 30), ("c", 45)):
            email = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
            headers = sign_in(http, email)
            entity = "customer:pages-cust-" if name == "c" else f"pages-{name}-"
            entries = [{"action": "cash", "entity": f"{entity}{i}",
                        "client_id": str(uuid.uuid4())} for i in range(count)]
            r = http.post("/api/v1/audit", headers=headers,
                          json={"desk_id": "desk-pages", "entries": entries})
            assert r.status_code == 200, r.text
            out[name] = email
        sup = sign_in(http, add_employee(http, hub, roles=["Supervisor"], branch_guid=b0))
        for name in ("a", "b", "c"):  # and the hub's own rows for them (their sign-ins)
            r = http.get("/api/v1/audit", headers=sup,
                         params={"actor": out[name], "limit": 1000})
            assert r.status_code == 200 and r.json()["next_after_seq"] is None, r.text
            out[f"{name}_seqs"] = sorted((e["seq"] for e in r.json()["entries"]),
                                         reverse=True)
        assert len(out["a_seqs"]) > 2 * PAGE and PAGE < len(out["b_seqs"]) < 2 * PAGE
    out["token"] = sup["Authorization"].removeprefix("Bearer ")
    return out


@pytest.fixture()
def pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_pages, "PAGE", PAGE)
    monkeypatch.setattr(audit_pages, "ALL_PAGE", PAGE)


@pytest.fixture()
def desk(hub: HubProc, trail: dict[str, Any], pages: None, qtbot: Any, qloop: Any,
         arun: Any) -> Iterator[tuple[AuditView, Link]]:
    client = HubClient(hub.base_url)
    client.token = trail["token"]
    link = Link(client)
    ops = OpRunner()
    view = AuditView(lambda: link, ops)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(view)
    view.resize(900, 380)  # about ten rows: a page of 20 fills the table
    with qtbot.waitExposed(view):
        view.show()  # laid out: rows have their height before the first page comes
    view.employee.setText(trail["a"])
    try:
        yield view, link
    finally:
        ops.cancel_all()
        arun(client.aclose())


def _seqs(view: AuditView) -> list[int]:
    return [e.seq for e in view.model.entries]


def test_the_newest_page_first_then_older_pages_at_the_end(
        desk: tuple[AuditView, Link], trail: dict[str, Any], qtbot: Any) -> None:
    view, link = desk
    with qtbot.waitSignal(view.loaded, timeout=15000):
        view.refresh()
    assert link.calls == 1  # one hub page before the first paint
    assert _seqs(view) == trail["a_seqs"][:PAGE]  # the newest, newest first
    assert view.model.canFetchMore(QModelIndex())
    assert view.status.text() == f"{PAGE} entries shown; older entries load as you scroll down"

    # the supervisor's row stays selected while older rows come in below
    view.table.setCurrentIndex(view.model.index(2, 0))
    with qtbot.waitSignal(view.loaded, timeout=15000):
        view.table.scrollToBottom()
    assert link.calls == 2 and _seqs(view) == trail["a_seqs"][:2 * PAGE]
    assert view.table.currentIndex().row() == 2

    view.table.setFocus()
    with qtbot.waitSignal(view.loaded, timeout=15000):
        qtbot.keyClick(view.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert link.calls == 3
    assert _seqs(view) == trail["a_seqs"]  # every entry once, in order: no repeat, no gap
    assert not view.model.canFetchMore(QModelIndex())
    assert view.status.text() == f"{len(trail['a_seqs'])} entries"


def test_a_refresh_during_a_page_read_drops_that_page(
        desk: tuple[AuditView, Link], trail: dict[str, Any], qtbot: Any) -> None:
    view, link = desk
    with qtbot.waitSignal(view.loaded, timeout=15000):
        view.refresh()
    gate = link.gate = asyncio.Event()
    view.table.scrollToBottom()  # teller A's second page: held
    qtbot.waitUntil(lambda: link.held, timeout=15000)

    view.employee.setText(trail["b"])
    with qtbot.waitSignal(view.loaded, timeout=15000):
        view.refresh()
    assert _seqs(view) == trail["b_seqs"][:PAGE]
    gate.set()
    qtbot.waitUntil(lambda: not link.held, timeout=15000)
    # teller B's own older page comes next (one read at a time: its turn was not taken)
    with qtbot.waitSignal(view.loaded, timeout=15000):
        view.table.scrollToBottom()
    assert _seqs(view) == trail["b_seqs"]  # none of A's rows, none twice
    assert view.status.text() == f"{len(trail['b_seqs'])} entries"


def test_the_export_holds_every_matching_row(desk: tuple[AuditView, Link],
                                             trail: dict[str, Any], qtbot: Any,
                                             tmp_path: Path) -> None:
    view, link = desk
    with qtbot.waitSignal(view.loaded, timeout=15000):
        view.refresh()
    out = tmp_path / "audit.csv"
    with qtbot.waitSignal(view.exported, timeout=15000):
        view.export_to(str(out))
    assert len(view.model.entries) == PAGE  # the table still holds its first page
    assert os.stat(out).st_mode & 0o777 == 0o600
    text = out.read_bytes().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == [*view.model.headers[:2], "Time (ISO 8601)", *view.model.headers[2:],
                        "action", "detail_json", "hash"]
    assert [int(row[0]) for row in table[1:]] == trail["a_seqs"]  # all, newest first
    assert [row[7] for row in table[1:]].count("cash") == 55  # each entry's action code
    assert view.status.text() == f"Exported {len(trail['a_seqs'])} entries to {out}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.csv"]

    # the hub gone after the first older page: the old file stays, no half file is claimed
    broken = tmp_path / "broken.csv"
    broken.write_text("an earlier export")
    link.fail_from = link.calls + 2
    view.export_to(str(broken))
    qtbot.waitUntil(lambda: view.status.text().startswith("Nothing was exported"),
                    timeout=15000)
    assert broken.read_text() == "an earlier export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.csv", "broken.csv"]


def test_an_export_after_a_failed_refresh_holds_the_list_shown_whole(
        desk: tuple[AuditView, Link], trail: dict[str, Any], qtbot: Any,
        tmp_path: Path) -> None:
    """A refresh whose read fails leaves the list shown (teller A's first page, older pages
    still to come): the export still writes that whole list, not only its loaded rows."""
    view, link = desk
    with qtbot.waitSignal(view.loaded, timeout=15000):
        view.refresh()
    shown = view.status.text()
    link.fail_from = link.calls + 1
    view.employee.setText(trail["b"])
    view.refresh()
    qtbot.waitUntil(lambda: view.status.text() != shown, timeout=15000)
    link.fail_from = None
    assert _seqs(view) == trail["a_seqs"][:PAGE]  # still teller A's list
    out = tmp_path / "audit.csv"
    with qtbot.waitSignal(view.exported, timeout=15000):
        view.export_to(str(out))
    table = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert [int(row[0]) for row in table[1:]] == trail["a_seqs"]  # the list, whole
    assert view.status.text() == f"Exported {len(trail['a_seqs'])} entries to {out}"
    assert view.model.canFetchMore(QModelIndex())  # and it goes on loading as it did
    with qtbot.waitSignal(view.loaded, timeout=15000):
        view.table.scrollToBottom()
    assert _seqs(view) == trail["a_seqs"][:2 * PAGE]


def test_the_export_looks_no_customer_up_past_the_rows_shown(
        hub: HubProc, trail: dict[str, Any], pages: None, qtbot: Any, qloop: Any,
        arun: Any, tmp_path: Path) -> None:
    """Customers are one platform read each: the export's older pages use the names known
    and show the others unnamed; an employee it cannot name is asked once, not a page."""
    client = HubClient(hub.base_url)
    client.token = trail["token"]
    link = Link(client)
    asked_customers: list[str] = []
    asked_employees: list[str] = []

    async def customers(guids: list[str]) -> dict[str, str]:
        asked_customers.extend(guids)
        return {g: f"Name {g.rsplit('-', 1)[-1]}" for g in guids}

    async def employees(emails: list[str]) -> dict[str, str]:
        asked_employees.extend(emails)
        return {}  # nobody the platform knows

    ops = OpRunner()
    view = AuditView(lambda: link, ops,  # type: ignore[arg-type, return-value]
                     employee_names=employees, customer_names=customers)
    qtbot.addWidget(view)
    view.employee.setText(trail["c"])
    try:
        with qtbot.waitSignal(view.loaded, timeout=15000):
            view.refresh()
        shown = {view.model.customer_of(e) for e in view.model.entries} - {""}
        qtbot.waitUntil(lambda: set(asked_customers) == shown, timeout=15000)
        before = len(asked_employees)
        out = tmp_path / "audit.csv"
        with qtbot.waitSignal(view.exported, timeout=15000):
            view.export_to(str(out))
        assert sorted(asked_customers) == sorted(shown)  # none of the older pages'
        assert len(asked_employees) - before <= 1  # teller C, once in the export
        table = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
        assert [int(row[0]) for row in table[1:]] == trail["c_seqs"]
        named = [row[5] for row in table[1:] if row[5].startswith("Name ")]
        assert len(named) == len(shown)  # the rows shown keep their names
    finally:
        ops.cancel_all()
        arun(client.aclose())


def test_an_older_hub_still_shows_every_entry(hub: HubProc, trail: dict[str, Any],
                                             pages: None, qtbot: Any, qloop: Any,
                                             arun: Any) -> None:
    """A hub before newest-first paging ignores the new query and answers oldest first
    (its reply says nothing of ``newest_first``): the desk reads on to the end."""
    real = httpx.AsyncHTTPTransport()
    asked: list[dict[str, str]] = []

    async def older_hub(request: httpx.Request) -> httpx.Response:
        asked.append(dict(request.url.params))
        params = [(k, v) for k, v in request.url.params.multi_items()
                  if k not in ("before_seq", "newest_first")]
        answer = await real.handle_async_request(httpx.Request(
            request.method, request.url.copy_with(params=params), headers=request.headers,
            content=request.content))
        data = json.loads(await answer.aread())
        for key in ("newest_first", "next_before_seq"):
            data.pop(key, None)
        return httpx.Response(answer.status_code, json=data)

    client = HubClient(hub.base_url, transport=httpx.MockTransport(older_hub))
    client.token = trail["token"]
    ops = OpRunner()
    view = AuditView(lambda: Link(client), ops)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(view)
    view.employee.setText(trail["a"])
    try:
        with qtbot.waitSignal(view.loaded, timeout=15000):
            view.refresh()
        assert asked[0].get("newest_first") == "true"  # asked for the newest first
        assert len(asked) == 3  # then read on oldest first: 20 + 20 + the rest
        assert all("before_seq" not in a and a["after_seq"] != "0" for a in asked[1:])
        assert _seqs(view) == trail["a_seqs"]  # everything, shown newest first
        assert not view.model.canFetchMore(QModelIndex())
        assert view.status.text() == f"{len(trail['a_seqs'])} entries"
    finally:
        ops.cancel_all()
        arun(client.aclose())
        arun(real.aclose())
