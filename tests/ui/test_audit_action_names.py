"""Each action the audit trail names reads differently from every other, in both languages:
the action filter picks rows by the names the column shows, so two actions under one name
("Request refused" by the hub and "Request rejected" by a supervisor were both "Запит
відхилено") hid one behind the other. The filter names the decision rows it picks as what
the column calls them (approved or rejected), not "Decision"."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication

from teller_app.core.audit import HUB_ACTIONS
from teller_app.ui.audit_entry import ACTION_TEXT, DECISION_TEXT, DESK_EVENT_TEXT, filter_text
from teller_app.ui.settings import switch_language


def _names() -> dict[str, str]:
    """Every name the column or the filter shows, by what it stands for."""
    names = {f"action:{key}": QCoreApplication.translate("AuditActions", str(source))
             for key, source in ACTION_TEXT.items() if key != "decision"}
    names |= {f"decided:{key}": QCoreApplication.translate("AuditActions", str(source))
              for key, source in DECISION_TEXT.items()}
    # a desk's record of a request's step: one name a step (an older desk's event alike)
    by_source = {str(source): key for key, source in DESK_EVENT_TEXT.items()}
    names |= {f"desk:{key}": QCoreApplication.translate("AuditActions", source)
              for source, key in by_source.items()}
    names["filter:decision"] = filter_text("decision")
    return names


@pytest.mark.parametrize("language", ["en", "uk"])
def test_no_two_audit_actions_share_a_name(qapp: Any, language: str) -> None:
    try:
        switch_language(language)
        names = _names()
        if language == "uk":
            assert names["action:request_refused"] != "Request refused", "compile translations"
        by_name: dict[str, list[str]] = {}
        for key, name in names.items():
            by_name.setdefault(name.casefold(), []).append(key)
        shared = {name: keys for name, keys in by_name.items() if len(keys) > 1}
        assert not shared, shared
    finally:
        switch_language("en")


def test_the_filter_names_decisions_by_what_they_decided(qapp: Any, english: None) -> None:
    assert "decision" in HUB_ACTIONS
    assert filter_text("decision") == "Request approved or rejected"
    assert filter_text("request_refused") == "Request refused"  # the column's name elsewhere
