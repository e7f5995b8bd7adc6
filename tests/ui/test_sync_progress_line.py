"""The status bar counts a first sync's rows as they are downloaded, not only once committed
(every 10 pages: on a slow link "Syncing…" stood without a count for the whole sync)."""

from __future__ import annotations

import pytest

from teller_app.ui.cache_wiring import close_branch_cache, open_branch_cache

from .conftest import make_window


@pytest.mark.slow
def test_the_sync_line_counts_rows_before_the_first_commit(
        qtbot, ops, teller_session, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    bundle = arun(open_branch_cache(teller_session))
    bundle.sync.page_size = 1  # many pages before the first commit (10 pages)
    window = make_window(qtbot, ops, teller_session, sandbox, branch_cache=bundle)
    shown = bundle.sync.on_received  # what wire_cache hooked to the status bar
    assert shown is not None
    lines: list[str] = []
    committed: list[int] = []

    def received(done: int, total: int) -> None:
        shown(done, total)
        if not committed:
            lines.append(window.sync_label.text())

    bundle.sync.on_received = received  # the real display, its text read after each report
    bundle.sync.on_progress = lambda done, _total: committed.append(done)
    try:
        qtbot.waitUntil(lambda: window._cache_warm, timeout=30000)
        assert committed, "the sync committed nothing?"
        assert lines and lines[0].startswith("Syncing… 1 of ")
    finally:
        window._closing_for_sign_out = True
        window.close()
        arun(close_branch_cache(bundle))
