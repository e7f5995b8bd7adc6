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


@pytest.fixture()
def ukrainian(qapp):  # type: ignore[no-untyped-def]
    """The Ukrainian translation installed for one test (widgets made after it)."""
    from PySide6.QtCore import QLocale

    from teller_app.ui.i18n import install_translators

    translators = install_translators(qapp, "uk")
    yield
    for translator in translators:
        qapp.removeTranslator(translator)
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


@pytest.mark.slow
def test_ukrainian_sign_in_and_card_screenshots(  # type: ignore[no-untyped-def]
    ukrainian, qtbot, ops, sandbox, arun, tmp_path
):
    from PySide6.QtWidgets import QListWidget

    from teller_app.ui.sign_in import sandbox_target
    from teller_app.ui.sign_in_dialog import SignInDialog

    from .conftest import make_window, open_session

    out = Path(os.environ.get("TELLER_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)

    dialog = SignInDialog([sandbox_target(sandbox.manifest)], ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.keyring_note.isVisible(), timeout=10000)  # fail backend
    qtbot.wait(50)  # let the layout settle before grabbing (not a synchronisation)
    assert "keyring" not in dialog.keyring_note.text()  # the store's reason, translated
    assert dialog.grab().save(str(out / "uk-01-sign-in.png"))
    demo: QListWidget = dialog.demo_list
    # Every demo employee's line fits: no horizontal scrolling, nothing cut off.
    assert demo.horizontalScrollBar().maximum() == 0
    for i in range(demo.count()):
        assert demo.visualItemRect(demo.item(i)).right() <= demo.viewport().width()

    session = open_session(arun, sandbox)
    window = make_window(qtbot, ops, session, sandbox)
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=10000)
    card = window.open_customer(window.search_panel.model.row_at(0))
    assert isinstance(card, CustomerCard)
    qtbot.waitUntil(lambda: bool(card.account_panels), timeout=10000)
    qtbot.wait(50)
    titles = [panel.title() for panel in card.account_panels]
    assert "Рахунок клієнта · UAH" in titles, titles  # the type and its currency
    assert window.grab().save(str(out / "uk-02-card.png"))
    window._closing_for_sign_out = True
    ops.cancel_all()
    arun(session.close())
