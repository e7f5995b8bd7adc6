"""The banner drops one notice that no longer holds and keeps the others (a cache rebuilt
by the first sync while the hub is still unreachable), and hides when none is left."""

from __future__ import annotations

from typing import Any

from teller_app.ui.banner import Banner


def test_a_notice_that_no_longer_holds_is_dropped_and_the_others_stay(qtbot: Any) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    banner.show_message("Cache being rebuilt.\nHub unreachable.", "warning")
    banner.drop_line("Cache being rebuilt.")
    assert banner.text() == "Hub unreachable." and banner.level == "warning"
    banner.drop_line("Something never shown.")
    assert banner.text() == "Hub unreachable."
    banner.drop_line("Hub unreachable.")
    assert banner.isHidden() and banner.text() == ""
