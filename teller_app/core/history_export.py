"""The account history as a spreadsheet reads it: every row the filters match (the pager
read to its end, not only the rows the view has scrolled to), each amount a plain signed
number with its currency and direction in columns of their own, and each moment also in
ISO 8601 with its offset (Kyiv's 03:30 comes twice the night summer time ends).

Ukrainian Excel splits a CSV on ";" and reads "1234,56" as a number; English Excel wants ","
and "1234.56" — ``CsvStyle`` is one or the other, by the UI language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from teller_app.core.history import HistoryPager, HistoryRow
from teller_app.core.receipt import kyiv_time


@dataclass(frozen=True)
class CsvStyle:
    delimiter: str
    decimal_point: str


UK_CSV = CsvStyle(";", ",")
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
