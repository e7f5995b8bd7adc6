"""A card with several accounts gives Copy's Alt+letter to the first account's panel only: on
each, Alt+P only moved the focus between the Copy buttons and copied nothing."""

from __future__ import annotations

from typing import Any

from teller_app.core.views import AccountView
from teller_app.ui.account_panel import AccountPanel

IBAN = "UA213223130000026007233566001"


def test_copy_has_its_letter_on_the_first_account_only(qtbot: Any) -> None:
    first = AccountPanel(AccountView(guid="a1", iban=IBAN))
    second = AccountPanel(AccountView(guid="a2", iban=IBAN), copy_letter=False)
    for panel in (first, second):
        qtbot.addWidget(panel)
    assert first.copy_button.text() == "Co&py"
    assert second.copy_button.text() == "Copy" and second.copy_button.isEnabled()

