"""Every reason the hub's cash watcher can give an alert reads as words in both languages,
never as the hub's code (the audit trail's and the cash inbox's reasons column)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QLocale

from teller_app.hub.cash_kind import NOT_THROUGH_TILL, OTHER_CURRENCY
from teller_app.hub.cash_watch_status import KIND_UNKNOWN, STATUS_UNKNOWN
from teller_app.ui.i18n import install_translators
from teller_app.ui.till_text import hub_need_reason

REASONS = ("over_threshold", "teller_cumulative", "customer_cumulative", "not_authorized",
           "voided", "amount_differs", "amount_precision", NOT_THROUGH_TILL, OTHER_CURRENCY,
           "customer_blocked", STATUS_UNKNOWN, KIND_UNKNOWN)


def _all_words(qapp: Any, language: str, codes: tuple[str, ...],
               text_of: Callable[[str], str]) -> None:
    """Each code reads as words in ``language``, no two alike (Cyrillic ones in Ukrainian)."""
    before = QLocale()
    installed = install_translators(qapp, language)
    try:
        texts = {code: text_of(code) for code in codes}
        assert all(text != code and "_" not in text for code, text in texts.items()), texts
        assert len(set(texts.values())) == len(codes)  # no two read the same
        if language == "uk":
            assert all(any("а" <= ch <= "я" for ch in text) for text in texts.values()), texts
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
        QLocale.setDefault(before)


@pytest.mark.parametrize("language", ["en", "uk"])
def test_each_alert_reason_reads_as_words(qapp: Any, language: str) -> None:
    _all_words(qapp, language, REASONS, hub_need_reason)


# The hub's customer watcher: the approval policy's checks a change made without approval
# met (``policy.evaluate``), and its own shared-number reason.
WATCHER_REASONS = ("is_disabled", "status", "kyc_down", "kyc_up", "balance_allowed_up",
                   "all_customer_updates", "phone_number", "branch_move", "segment",
                   "phone_duplicate")


@pytest.mark.parametrize("language", ["en", "uk"])
def test_each_watcher_reason_reads_as_words(qapp: Any, language: str) -> None:
    from teller_app.ui.audit_details import reason_text

    _all_words(qapp, language, WATCHER_REASONS, reason_text)


def test_a_throttled_phone_check_reads_as_words(qapp: Any) -> None:
    from teller_app.hub.phone_probe_limit import CODE
    from teller_app.ui.audit_details import details_text

    text = details_text({"refusal": CODE, "attempt": "file"})
    assert CODE not in text and "too many phone number checks" in text, text
