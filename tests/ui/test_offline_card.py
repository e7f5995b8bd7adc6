"""A card opened offline from the cache: the sync keeps customers, not accounts, so a customer
never opened online shows no accounts. The card says why, not only "showing saved data"."""

from __future__ import annotations

from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache

from .conftest import make_window, new_customer, open_session, unique


def test_an_offline_card_without_saved_accounts_says_so(qtbot, ops, fresh_sandbox, arun):  # type: ignore[no-untyped-def]
    session = open_session(arun, fresh_sandbox)
    surname = unique("Офлайн")
    arun(session.client.create_customer(new_customer(fresh_sandbox, session, surname=surname)))
    bundle = arun(open_branch_cache(session))
    window = make_window(qtbot, ops, session, fresh_sandbox, branch_cache=bundle)
    try:
        qtbot.waitUntil(lambda: window._cache_warm, timeout=30000)
        fresh_sandbox.stop()
        panel = window.search_panel
        panel.search_box.setText(surname)
        qtbot.waitUntil(lambda: panel.model.query == surname and panel.model.rowCount() == 1,
                        timeout=10000)
        card = window.open_customer(panel.model.row_at(0))
        qtbot.waitUntil(lambda: card.freshness.text().startswith("Offline"), timeout=30000)
        assert card.balance_texts() == []
        assert "accounts and balances show once the platform is reachable" \
            in card.freshness.text()
    finally:
        window._closing_for_sign_out = True
        ops.cancel_all()
        arun(close_branch_cache(bundle))
        arun(session.close())
