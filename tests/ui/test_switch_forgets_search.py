"""Another employee taking over a desk on the lock screen never sees the last one's search:
X (Kyiv, warm cache) found a customer; Y (Lviv) signs in while the platform fails Y's first
search. Before, X's row stayed on screen (and opened X's customer's card for Y, with phone,
login and branch), and the search box kept X's query, its undo history too."""

from __future__ import annotations

import httpx
import pytest

from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache
from tests.ui.conftest import make_window, new_customer, open_session, unique


def _faults(sandbox, rate: float) -> None:  # type: ignore[no-untyped-def]
    admin = {"X-Sim-Admin": sandbox.manifest["sim_admin_token"]}
    httpx.post(sandbox.base_url + "/__sim/faults", json={"error_rate": rate},
               headers=admin).raise_for_status()


@pytest.mark.slow
def test_a_switched_desk_shows_nothing_of_the_last_search(qtbot, ops, fresh_sandbox,  # type: ignore[no-untyped-def]
                                                         arun) -> None:
    sandbox = fresh_sandbox
    x = open_session(arun, sandbox, "teller.kyiv@demo.bank")
    surname = unique("Privatna")
    arun(x.client.create_customer(new_customer(sandbox, x, surname=surname,
                                                phone_number="+380671239876")))
    bundle = arun(open_branch_cache(x))
    window = make_window(qtbot, ops, x, sandbox, branch_cache=bundle)
    y = open_session(arun, sandbox, "teller.lviv@demo.bank")
    try:
        qtbot.waitUntil(lambda: window._cache_warm, timeout=30000)
        panel = window.search_panel
        panel.search_box.setText(surname)
        qtbot.waitUntil(lambda: panel.model.query == surname and panel.model.rowCount() == 1,
                        timeout=5000)
        _faults(sandbox, 1.0)  # the platform fails every call as Y takes over
        with qtbot.waitSignal(panel.model.search_failed, timeout=30000):
            window.switch_session(y)
        assert panel.model.rowCount() == 0 and panel.current_row() is None
        assert panel.search_box.text() == ""
        panel.search_box.undo()
        assert panel.search_box.text() == ""  # X's query is not in the undo history either
        assert surname not in panel.summary.text()
    finally:
        _faults(sandbox, 0.0)
        window._closing_for_sign_out = True
        window.close()
        arun(close_branch_cache(bundle))
        arun(y.close())
        arun(x.close())
