"""The end-of-day report's times say which day and, where it matters, which offset: a till
open across midnight dates the operations of the next day; the night summer time ends the two
03:30s differ by their UTC offset (both printed "03:30:00" before), and any other time prints
no offset, as receipts do (``core.receipt.kyiv_stamp``). The report is the real HTML, built
offscreen from data with chosen times."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from teller_app.core.till_models import EndOfDay, Till, TillOperation
from teller_app.ui.till_report import ReportContext, report_html


def _ts(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def _report(opened: str, closed: str, ops: list[tuple[str, str]]) -> str:
    """The report's text (tags dropped, spaces collapsed)."""
    till = Till(id="t1", till_code="K-01", state="closed", teller="t@bank", branch_guid=None,
                open_total=Decimal("1000"), expected=Decimal("1000"), counted=Decimal("1000"),
                over_short=Decimal(0), opened_at=_ts(opened), closed_at=_ts(closed))
    operations = tuple(TillOperation("deposit", "04", Decimal(amount), f"{n:08d}aaaa", "c",
                                     _ts(at)) for n, (at, amount) in enumerate(ops))
    total = sum((Decimal(a) for _, a in ops), Decimal(0))
    html = report_html(EndOfDay(till, operations, {"deposit": (len(operations), total)}),
                       ReportContext("Bank", "Kyiv-1", "Teller"))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _operation_times(text: str) -> list[str]:
    section = text[text.index("Operations"):text.index("Totals by category")]
    return re.findall(
        r"((?:\d\d\.\d\d\.\d{4} )?\d\d:\d\d:\d\d(?: \([+-]\d\d:\d\d\))?) Cash deposit", section)


def test_a_till_open_across_midnight_dates_the_next_days_operations(qapp: Any) -> None:
    text = _report("2026-12-04T23:50:00+02:00", "2026-12-05T00:10:00+02:00",
                   [("2026-12-04T23:55:00+02:00", "100.00"),
                    ("2026-12-05T00:05:00+02:00", "200.00")])
    assert _operation_times(text) == ["23:55:00", "05.12.2026 00:05:00"]
    assert "Opened 04.12.2026 23:50 Closed 05.12.2026 00:10 " in text  # no offset on either
    assert "(+02:00)" not in text


def test_the_hour_that_comes_twice_reads_apart(qapp: Any) -> None:
    text = _report("2026-10-25T02:50:00+03:00", "2026-10-25T03:50:00+02:00",
                   [("2026-10-25T03:30:00+03:00", "100.00"),
                    ("2026-10-25T03:30:00+02:00", "200.00")])
    assert _operation_times(text) == ["03:30:00 (+03:00)", "03:30:00 (+02:00)"]
    assert "Opened 25.10.2026 02:50 Closed" in text  # 02:50 happens once: no offset
    assert "Closed 25.10.2026 03:50 (+02:00)" in text
