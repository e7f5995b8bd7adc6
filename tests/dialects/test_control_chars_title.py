"""A customer's name from the platform with control characters (dialect ``text-unchecked``:
another system wrote it, §3.4 "the platform stores whatever string it is given"): the card's
title, its tab and the results table show it on one line, a line break or tab as a space and
any other control character as U+FFFD, never raw. Real sandbox, the real main window (cold
cache: the platform answers the search), pytest-qt offscreen."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterator

import pytest

from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.core.person_name import official_name
from teller_app.ui.search_sources import PlatformSearchSource
from teller_app.ui.validators import FSI, PDI
from tests.ui.conftest import make_window, new_customer, open_session

pytestmark = pytest.mark.slow

_LETTERS = str.maketrans("0123456789abcdef", "ghijklmnopqrstuv")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """This module's platform (instead of the session's demo sandbox): text-unchecked."""
    proc = start_sandbox(tmp_path_factory.mktemp("sb-control-title"),
                         dialects=["text-unchecked"])
    yield proc
    proc.stop()


def raw_controls(text: str) -> list[str]:
    return [hex(ord(ch)) for ch in text
            if unicodedata.category(ch) in ("Cc", "Zl", "Zp")]


def test_a_name_with_control_characters_shows_on_one_line(qtbot, ops, sandbox,  # type: ignore[no-untyped-def]
                                                          arun) -> None:
    session = open_session(arun, sandbox)
    tag = "tag" + uuid.uuid4().hex[:10].translate(_LETTERS)
    fields = {"surname": f"Нуль\x00{tag}\x85", "name": "Рядок\nДругий\tТаб\x7f",
              "paternal_name": "\x1b[31mІванович\u2028"}
    guid = arun(session.client.create_customer(
        new_customer(sandbox, session, **fields))).customer_guid
    stored = official_name(fields["surname"], fields["name"], fields["paternal_name"])
    assert raw_controls(stored)  # the platform kept them (text-unchecked)
    window = make_window(qtbot, ops, session, sandbox)
    try:
        panel = window.search_panel
        assert isinstance(panel.source_for(None), PlatformSearchSource)  # cold: the platform
        panel.search_box.setText(tag)
        qtbot.waitUntil(lambda: panel.model.query == tag and panel.model.rowCount() == 1,
                        timeout=10000)
        assert panel.model.row_at(0).wallet_user_guid == guid
        cell = panel.model.data(panel.model.index(0, 0))
        card = window.open_customer(panel.model.row_at(0))
        qtbot.waitUntil(lambda: card.freshness.text() == "Up to date", timeout=10000)
        title = card.title.text()
        tab = window.tabs.tabText(window.tabs.indexOf(card))
        for shown in (title, tab, cell):
            assert raw_controls(shown) == [], (shown, raw_controls(shown))
        # a break or tab is a space, any other control U+FFFD: still there, never raw
        assert title.startswith(f"{FSI}Нуль\ufffd{tag}") and title.endswith(PDI), title
        for part in ("Рядок Другий Таб\ufffd", "\ufffd[31mІванович"):
            assert part in title and part in cell, (part, title, cell)
        assert tab.startswith(f"Нуль\ufffd{tag}"), tab
        for key in ("surname", "name"):  # the detail lines too
            assert raw_controls(card.detail_labels[key].text()) == []
    finally:
        window._closing_for_sign_out = True
        window.close()
        arun(session.close())
