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


@pytest.mark.slow
def test_another_employee_taking_over_never_searches_the_previous_ones_cache(
        qtbot, ops, teller_session, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    """The cache is the signed-in employee's (their key, their branch scope, a sync with their
    client): when another employee takes the window over at the lock screen, it is closed and
    their searches go to the platform under their own rights, never to the previous cache."""
    from .conftest import open_session

    bundle = arun(open_branch_cache(teller_session))
    window = make_window(qtbot, ops, teller_session, sandbox, branch_cache=bundle)
    lviv = open_session(arun, sandbox, "teller.lviv@demo.bank")
    try:
        qtbot.waitUntil(lambda: window._cache_warm, timeout=30000)
        assert isinstance(window._source_for(None), CacheSearchSource)
        window.switch_session(lviv)
        assert window.branch_cache is None and window.service.cache is None
        # nothing of the old cache keeps acting on the window: its online listener and sync
        # timer are gone
        assert window.cache_unsubscribe is None and window.background_sync_timer is None
        assert not isinstance(window._source_for(None), CacheSearchSource)
        qtbot.waitUntil(lambda: not bundle.worker.is_open, timeout=10000)  # closed, not leaked
        panel = window.search_panel
        panel.search_box.setText("а")
        qtbot.waitUntil(lambda: panel.model.query == "а" and panel.model.rowCount() > 0,
                        timeout=20000)
        branches = {panel.model.row_at(i).branch_guid for i in range(panel.model.rowCount())}
        assert branches == {lviv.branch_guid} != {teller_session.branch_guid}
    finally:
        window._closing_for_sign_out = True
        window.close()
        arun(close_branch_cache(bundle))
        arun(lviv.close())


@pytest.mark.slow
def test_a_warm_cache_still_finds_by_iban_and_guid(qtbot, ops, teller_session, sandbox,
                                                   arun) -> None:  # type: ignore[no-untyped-def]
    """The cache indexes no GUIDs and holds IBANs only of accounts opened here: a whole IBAN
    or a GUID goes to the platform, which answers it exactly."""
    session = teller_session
    surname = unique("Iban")
    created = arun(session.client.create_customer(new_customer(sandbox, session,
                                                               surname=surname)))
    iban = next(a.iban for a in arun(session.client.get_customer_accounts(
        created.customer_guid)) if a.iban)
    bundle = arun(open_branch_cache(session))
    window = make_window(qtbot, ops, session, sandbox, branch_cache=bundle)
    try:
        qtbot.waitUntil(lambda: window._cache_warm, timeout=30000)
        panel = window.search_panel
        spaced = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
        for query in (spaced, created.customer_guid):
            panel.search_box.setText(query)
            qtbot.waitUntil(lambda q=query: panel.model.query == q
                            and panel.model.rowCount() == 1, timeout=20000)
            assert panel.model.row_at(0).surname == surname
    finally:
        window._closing_for_sign_out = True
        window.close()
        arun(close_branch_cache(bundle))


@pytest.mark.slow
def test_a_customer_moved_out_of_the_branch_leaves_the_cache_when_their_card_refreshes(
        qtbot, ops, teller_session, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    """The incremental sync cannot see a customer who left the scope; the card's refresh
    (NotFound for this employee) makes the cache forget them at once."""
    from teller_app.platform import CustomerUpdate, NotFound

    from .conftest import open_session

    session = teller_session
    created = arun(session.client.create_customer(new_customer(sandbox, session,
                                                               surname=unique("Moved"))))
    guid = created.customer_guid
    bundle = arun(open_branch_cache(session))
    window = make_window(qtbot, ops, session, sandbox, branch_cache=bundle)
    admin = open_session(arun, sandbox, "admin@demo.bank")
    try:
        qtbot.waitUntil(lambda: window._cache_warm, timeout=30000)
        assert arun(bundle.worker.get_customer(guid)) is not None
        lviv = sandbox.manifest["branches"][1]["guid"]
        arun(admin.client.update_customer(guid, CustomerUpdate(branch_guid=lviv)))
        with pytest.raises(NotFound):
            arun(window.service.refresh(guid))
        assert arun(bundle.worker.get_customer(guid)) is None
    finally:
        window._closing_for_sign_out = True
        window.close()
        arun(close_branch_cache(bundle))
        arun(admin.close())
