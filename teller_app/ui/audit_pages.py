"""The audit trail's reads from the hub (``ui/audit_view`` runs them through its OpRunner):
newest first a page at a time where the hub can (a head office writes hundreds of thousands
of entries a day: the first page is shown at once, older ones as the table reaches its end),
else the whole range oldest first as an older hub answers; names wanted for a page; and the
CSV export of everything the list matches, a page at a time, written as it goes off the UI
thread (``core/csv_file``: private, claimed only once complete) in the history export's
``CsvStyle`` (";" in Ukrainian, as Excel there splits a CSV; "," in English), each moment also
in ISO 8601 with its offset (Kyiv's 03:30 comes twice the night summer time ends)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication

from teller_app.core.csv_file import CsvFile
from teller_app.core.history_export import EN_CSV, UK_CSV, CsvStyle, iso_kyiv
from teller_app.platform.errors import HubUnavailable
from teller_app.platform.hub_client import HubClient
from teller_app.platform.hub_models import AuditList, AuditRecord
from teller_app.ui.audit_model import COLUMNS, AuditTableModel
from teller_app.ui.audit_people import people_in
from teller_app.ui.money import is_ukrainian
from teller_app.ui.people_lookup import NameLookup

PAGE = 500  # newest first: the first paint, and each older page
ALL_PAGE = 1000  # an older hub's pages, the whole range read oldest first
CUSTOMERS_A_PAGE = 100  # customers looked up per page (one platform read each)
Filters = dict[str, Any]  # ``AuditView.filters()``: the hub's query
ISO_AT = COLUMNS.index("at") + 1  # the export's ISO 8601 column: right after "When (Kyiv)"


@dataclass(frozen=True)
class TrailPage:
    entries: list[AuditRecord]
    older: int | None  # where the next older page starts; None: everything is here


async def _newest(hub: HubClient, *, before: int | None, filters: Filters) -> AuditList:
    return await hub.audit(before_seq=before, newest_first=True, limit=PAGE, **filters)


async def _ascending(hub: HubClient, *, after: int, filters: Filters) -> AuditList:
    return await hub.audit(after_seq=after, limit=ALL_PAGE, **filters)


async def first_read(link: Any, filters: Filters) -> TrailPage:
    """The newest page; from an older hub (it answers oldest first) the whole range."""
    page: AuditList = await link.call(partial(_newest, before=None, filters=filters))
    if page.newest_first:
        return TrailPage(page.entries, page.next_before_seq if page.entries else None)
    found, asked = list(page.entries), PAGE
    # the hub may cut a page short by size: its cursor says where to go on
    while page.next_after_seq is not None or len(page.entries) >= asked:
        after = page.next_after_seq or page.entries[-1].seq
        page = await link.call(partial(_ascending, after=after, filters=filters))
        found.extend(page.entries)
        asked = ALL_PAGE
    return TrailPage(found, None)


async def older_page(link: Any, before: int, filters: Filters) -> TrailPage:
    """The page below ``before`` (newest first). A hub that no longer reads newest first (a
    downgrade between two pages) raises: its page would not follow on."""
    page: AuditList = await link.call(partial(_newest, before=before, filters=filters))
    if not page.newest_first:
        raise HubUnavailable("the hub stopped reading the audit trail newest first")
    entries = [e for e in page.entries if e.seq < before]
    return TrailPage(entries, page.next_before_seq if entries else None)


def missing_names(model: AuditTableModel,
                  entries: list[AuditRecord]) -> tuple[list[str], list[str]]:
    """The employees (the entries' own, and those their details name: a request's maker…)
    and customers (at most CUSTOMERS_A_PAGE) the model has no name for yet."""
    actors = sorted({e.actor.lower() for e in entries if e.actor}.union(
        *(people_in(e.detail) for e in entries)) - model.employee_names.keys())
    customer_of = model.customer_of
    customers = sorted({customer_of(e) for e in entries if customer_of(e)}
                       - model.customer_names.keys())[:CUSTOMERS_A_PAGE]
    return actors, customers


async def look_up(actors: list[str], customers: list[str], people: NameLookup | None,
                  clients: NameLookup | None) -> tuple[dict[str, str], dict[str, str]]:
    return (await people(actors) if actors and people else {},
            await clients(customers) if customers and clients else {})


def csv_style() -> CsvStyle:
    """As the history's export (``HistoryDialog.csv_style``), by the UI language: ";" in
    Ukrainian (Excel there splits a CSV on it: "," read the trail as one to three columns a
    row) and decimal commas, "," in English. Asked on the UI thread when the export is."""
    return UK_CSV if is_ukrainian() else EN_CSV


def export_headers(model: AuditTableModel) -> list[str]:
    """As shown (names, translated actions), the time also in ISO 8601 beside it, then each
    entry's action code, details as recorded (JSON) and hash, for machines."""
    shown = list(model.headers)
    # the table's headers' context: translated with "When (Kyiv)" beside it
    shown.insert(ISO_AT, QCoreApplication.translate("AuditTableModel", "Time (ISO 8601)"))
    return [*shown, "action", "detail_json", "hash"]


def iso_time(entry: AuditRecord) -> str:
    """The entry's moment in Kyiv time, ISO 8601 with its offset: "2026-10-25T03:30:00+03:00"
    then "…+02:00" an hour later (the shown time reads "25.10.2026 03:30:00" both times)."""
    return iso_kyiv(datetime.fromtimestamp(entry.ts_ms / 1000, UTC))


def export_row(model: AuditTableModel, entry: AuditRecord) -> list[Any]:
    shown = list(model.row_texts(entry))
    shown.insert(ISO_AT, iso_time(entry))
    return [*shown, entry.action,
            json.dumps(entry.detail, sort_keys=True, ensure_ascii=False), entry.hash]


async def export_all(path: Path, model: AuditTableModel, loaded: list[AuditRecord],
                     older: int | None, link: Any, filters: Filters,
                     people: NameLookup | None, style: CsvStyle) -> int:
    """``loaded`` (the rows shown), then every older page from ``older`` (None: nothing
    more), newest first, written as it goes, under ``path`` only once all is read. Answers
    the rows written. Before an older page's rows are made its employees are looked up, each
    once in the export (a miss is not asked again); its customers are not (one platform read
    each: a head office's month would be tens of thousands): a name already known is used,
    any other customer reads as the table shows one without a name (the rows shown had
    theirs looked up as they came). ``style``: the list separator, chosen by the caller when
    the export was asked for (the UI language then: ``csv_style``)."""
    headers = export_headers(model)
    out = await _opened(path, headers, style.delimiter)
    try:
        rows = [export_row(model, e) for e in loaded]
        count = await asyncio.to_thread(out.write, rows)
        asked: set[str] = set()
        while older is not None:
            page = await older_page(link, older, filters)
            model.links.learn(page.entries)
            actors = [a for a in missing_names(model, page.entries)[0] if a not in asked]
            asked.update(actors)
            with contextlib.suppress(Exception):  # a name is decoration: the e-mail stays
                model.set_names(*await look_up(actors, [], people, None))
            rows = [export_row(model, e) for e in page.entries]
            count = await asyncio.to_thread(out.write, rows)
            older = page.older
        await asyncio.to_thread(out.commit)
    except BaseException:
        # runs to its end in its thread even if this task is cancelled again
        await asyncio.to_thread(out.discard)
        raise
    return count


async def _opened(path: Path, headers: list[str], delimiter: str = ",") -> CsvFile:
    """The export's file, opened in a thread; cancelled meanwhile, the file the thread still
    makes is discarded once made (no ``.part`` left behind)."""
    opening = asyncio.ensure_future(asyncio.to_thread(CsvFile, path, headers, delimiter))
    try:
        return await asyncio.shield(opening)
    except asyncio.CancelledError:
        opening.add_done_callback(_discard_opened)
        raise


def _discard_opened(opening: asyncio.Future[CsvFile]) -> None:
    if opening.cancelled() or opening.exception() is not None:
        return
    out = opening.result()
    try:
        asyncio.get_running_loop().run_in_executor(None, out.discard)
    except RuntimeError:  # the loop's executor is gone (closing): here, it is small
        out.discard()
