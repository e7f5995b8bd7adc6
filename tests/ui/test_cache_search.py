"""With the branch cache: first sync, then search answers from the cache as you type."""

from __future__ import annotations

import pytest

from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache
from teller_app.ui.search_sources import CacheSearchSource

from .conftest import make_window, new_customer, unique


@pytest.mark.slow
def test_search_goes_to_the_cache_after_the_first_sync(qtbot, ops, teller_session, sandbox,
                                                       arun):  # type: ignore[no-untyped-def]
    session = teller_session
    surname = unique("Cached")
    arun(session.client.create_customer(new_customer(sandbox, session, surname=surname,
                                                      phone_number="+380671230099")))
    bundle = arun(open_branch_cache(session))
    window = make_window(qtbot, ops, session, sandbox, branch_cache=bundle)
    try:
        qtbot.waitUntil(lambda: window._cache_warm, timeout=30000)
        assert "Synced" in window.sync_label.text()
        assert isinstance(window._source_for(None), CacheSearchSource)
        panel = window.search_panel
        panel.search_box.setText(surname)  # no debounce: the cache answers at once
        qtbot.waitUntil(lambda: panel.model.query == surname and panel.model.rowCount() == 1,
                        timeout=5000)
        panel.search_box.setText("0671230099")  # a phone number finds the same customer
        qtbot.waitUntil(lambda: panel.model.query == "0671230099"
                        and panel.model.rowCount() >= 1, timeout=5000)
        assert any(panel.model.row_at(i).surname == surname
                   for i in range(panel.model.rowCount()))
        card = window.open_customer(panel.model.row_at(0))
        qtbot.waitUntil(lambda: card.freshness.text() == "Up to date", timeout=10000)
        assert card.balance_texts()
    finally:
        window._closing_for_sign_out = True
        window.close()
        arun(close_branch_cache(bundle))
