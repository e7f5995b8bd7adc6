"""Every date on the desk reads day.month.year with a 24-hour clock, in English too: the
history's rows said "06.12.2026 06:48" while its date boxes said "11/6/2026" (11 June to a
Kyiv teller) and its footer "6:48:24 AM"; the audit trail and the inbox "12/6/2026 6:48 AM"."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from teller_app.platform.hub_models import AuditRecord, ChangeRequest
from teller_app.ui.approvals_model import PendingRequestsModel
from teller_app.ui.audit_view import AuditView, when
from teller_app.ui.filter_bar import FilterBar
from teller_app.ui.history_model import date_cell
from teller_app.ui.local_time import local_clock_text
from teller_app.ui.till_report import _time, _when

# 04:48:24 UTC on 6 December 2026: 06:48:24 in Kyiv (UTC+2); day and month both fit 1-12
MOMENT = datetime(2026, 12, 6, 4, 48, 24, tzinfo=UTC)


def test_dates_read_day_month_year_24_hours_in_english(qtbot: Any, ops: Any,
                                                      english: None) -> None:
    audit = AuditView(lambda: None, ops)
    bar = FilterBar()
    for widget in (audit, bar):
        qtbot.addWidget(widget)
    boxes = [audit.date_from, audit.date_to, bar.created_from, bar.created_to,
             bar.updated_from, bar.updated_to]
    assert {box.displayFormat() for box in boxes} == {"dd.MM.yyyy"}
    assert re.fullmatch(r"\d\d\.\d\d\.20\d\d", audit.date_to.text())

    assert date_cell(MOMENT) == "06.12.2026 06:48"  # a history row
    assert local_clock_text(MOMENT) == "06:48:24"  # the history's "fetched at"
    entry = AuditRecord(seq=1, ts_ms=int(MOMENT.timestamp() * 1000), actor="a@bank.ua",
                        action="sign_in")
    assert when(entry) == "06.12.2026 06:48:24"  # an audit row keeps its seconds
    inbox = PendingRequestsModel()
    inbox.replace([ChangeRequest(id="r1", kind="customer_update", customer_guid="c1",
                                 maker="m@bank.ua", created_at=MOMENT.timestamp())])
    assert inbox.data(inbox.index(0, 0)) == "06.12.2026 06:48"
    stamp = int(MOMENT.timestamp())
    assert _when(stamp) == "06.12.2026 06:48"  # the end-of-day report (no offset but in
    assert _time(stamp, None) == "06.12.2026 06:48:24"  # the hour that comes twice)


def test_a_kyiv_time_in_the_machine_s_own_dst_gap_is_shown_as_it_is(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """03:30 on the spring-forward night does not exist on a machine in Kyiv's zone: the
    wall-clock fields are shown as they are, not moved by the machine's zone."""
    import time

    from teller_app.ui.local_time import moment_text

    monkeypatch.setenv("TZ", "Europe/Kyiv")
    time.tzset()
    try:
        assert moment_text(datetime(2026, 3, 29, 3, 30)) == "29.03.2026 03:30"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
