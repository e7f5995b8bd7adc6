"""Screenshots of the main window (results, a card, the form) for a visual check.

    TELLER_SCREENSHOT_DIR=/tmp/shots QT_QPA_PLATFORM=offscreen \\
        .venv/bin/python -m pytest tests/ui/test_screenshots.py -q
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from teller_app.ui.customer_card import CustomerCard


@pytest.mark.slow
def test_main_window_screenshots(qtbot, main_window, tmp_path):  # type: ignore[no-untyped-def]
    out = Path(os.environ.get("TELLER_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    window = main_window
    window.resize(1280, 800)
    qtbot.wait(50)  # let the resize lay out before grabbing (not a synchronisation)
    assert window.grab().save(str(out / "01-search.png"))

    card = window.open_customer(window.search_panel.model.row_at(0))
    assert isinstance(card, CustomerCard)
    qtbot.waitUntil(lambda: card.freshness.text() == "Up to date", timeout=10000)
    assert window.grab().save(str(out / "02-card.png"))

    window.new_customer()
    assert window.grab().save(str(out / "03-new-customer.png"))
