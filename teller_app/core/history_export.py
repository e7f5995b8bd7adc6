"""The account history as a spreadsheet reads it: every row the filters match (the pager
read to its end, not only the rows the view has scrolled to), each amount a plain signed
number with its currency and direction in columns of their own, and each moment also in
ISO 8601 with its offset (Kyiv's 03:30 comes twice the night summer time ends).

Ukrainian Excel splits a CSV on ";" and reads "1234,56" as a number; English Excel wants ","
and "1234.56" — ``CsvStyle`` is one or the other, by the UI language.

The file is built off the UI thread (``history_csv``: 50 000 rows take most of a second)
from the few translated words the UI thread makes first (``ExportWords``): nothing here
touches Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from teller_app.core.csv_safe import csv_text
from teller_app.core.history import HistoryPager, HistoryRow
from teller_app.core.receipt import kyiv_time, strip_ref


@dataclass(frozen=True)
class CsvStyle:
    delimiter: str
    decimal_point: str


UK_CSV = CsvStyle(";", ",")
UNKNOWN_TIME = "—"  # the Date cell of a payment whose time is unknown, as the table shows it
EN_CSV = CsvStyle(",", ".")


def plain_amount(amount: Decimal, minor_unit: int, style: CsvStyle) -> str:
    """A signed number with no grouping or currency: "-1234.56" (English), "-1234,56"."""
    places = max(0, int(minor_unit))
    value = Decimal(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    text = f"{value:.{places}f}"
    return text.replace(".", style.decimal_point)


def iso_kyiv(moment: datetime | None) -> str:
    """Kyiv time in ISO 8601 with its offset: "2026-10-25T03:30:00+03:00"; "" when none."""
    return kyiv_time(moment).isoformat(timespec="seconds") if moment is not None else ""


async def read_to_end(pager: HistoryPager) -> list[HistoryRow]:
    """Every row of ``pager``, page after page until it ends (an error goes up: the caller
    then writes nothing, never a part of the history)."""
    rows: list[HistoryRow] = []
    while not pager.at_end:
        page = await pager.next_page()
        if not page:
            break  # a page with nothing new: the pager has nothing more
        rows.extend(page)
    return rows


@dataclass(frozen=True)
class ExportWords:
    """The export's words in the desk's language, made on the UI thread (Qt's translator);
    each row's cells say what the history table's do (``HistoryModel.cells``)."""

    headers: tuple[str, ...]  # the file's first row
    incoming: str
    outgoing: str
    operations: Mapping[str, str]  # category code -> operation; any other code: the code
    statuses: Mapping[str, str]  # upper-case status -> its text
    other_status: str  # a status not in ``statuses``
    voided: str  # a draft voided at the hub


def export_cells(row: HistoryRow, words: ExportWords, minor_unit: int,
                 style: CsvStyle) -> list[str]:
    """A row for a spreadsheet: the amount a plain signed number (its currency and direction
    beside it), the moment also in ISO 8601 with its offset."""
    p = row.payment
    code = p.category
    operation = words.operations.get(code, code or "—")
    if row.voided:
        status = words.voided
    else:
        status = words.statuses.get((p.status_raw or str(p.status)).upper(),
                                    words.other_status)
    if p.created_at is None:  # unknown (none sent, or unreadable): never "now"
        shown, iso = UNKNOWN_TIME, ""
    else:
        local = kyiv_time(p.created_at)  # once per row: 50 000 rows in an export
        shown, iso = local.strftime("%d.%m.%Y %H:%M"), local.isoformat(timespec="seconds")
    return [shown, iso, operation,
            words.incoming if row.incoming else words.outgoing,
            plain_amount(row.signed_amount, minor_unit, style), p.asset_code or "UAH",
            status, strip_ref(p.purpose), p.guid, p.stellar_hash]


def history_csv(rows: Iterable[HistoryRow], words: ExportWords, minor_unit: int,
                style: CsvStyle) -> str:
    """The export's text: formula-safe CSV in ``style`` (blocking: off the UI thread)."""
    return csv_text(words.headers, (export_cells(r, words, minor_unit, style) for r in rows),
                    style.delimiter)
