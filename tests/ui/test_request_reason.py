"""The reason a cash dialog files by itself for an over-threshold draft is stored as the
teller's desk wrote it; a supervisor's desk shows it in the supervisor's own language (the
inbox, the approve-in-place summary, the audit trail). A person's own words stay as written."""

from __future__ import annotations

from typing import Any

from teller_app.ui.audit_details import details_text
from teller_app.ui.cash_text import (
    AUTO_CASH_REASON,
    AUTO_CASH_REASON_FILED,
    auto_cash_reason,
    request_reason_text,
)

UK = "Готівка понад ліміт операціоніста"
UK_BEFORE = "Готівка понад ліміт касира"  # filed by desks before the wording changed



def test_an_english_desk_reads_a_ukrainian_teller_s_reason_in_english(qapp: Any) -> None:
    assert auto_cash_reason() == AUTO_CASH_REASON == "Cash above the teller's limit"
    assert request_reason_text(UK) == AUTO_CASH_REASON
    assert request_reason_text(UK_BEFORE) == AUTO_CASH_REASON
    assert request_reason_text(f" {UK} ") == AUTO_CASH_REASON
    assert details_text({"reason": UK}) == f"Reason: {AUTO_CASH_REASON}"
    assert request_reason_text("Клієнт купує квартиру") == "Клієнт купує квартиру"


def test_a_ukrainian_desk_reads_an_english_teller_s_reason_in_ukrainian(ukrainian: None) -> None:
    # the filed Ukrainian form is the translation itself: they cannot drift apart
    assert auto_cash_reason() == UK and UK in AUTO_CASH_REASON_FILED
    assert request_reason_text(AUTO_CASH_REASON) == UK
    assert request_reason_text(UK_BEFORE) == UK  # an older desk's filing, in today's words
    assert request_reason_text("Deposit for a flat") == "Deposit for a flat"
