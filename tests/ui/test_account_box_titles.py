"""A customer's accounts are told apart by their boxes' titles: two accounts of one type
("Customer account") but different assets are titled by their assets' codes too, in either
language, and the type's name stays in the title."""

from __future__ import annotations

from decimal import Decimal

import pytest

from teller_app.core.views import AccountView, AssetBalance
from teller_app.ui.account_panel import AccountPanel

UAH = AccountView(guid="a255bb35-d7ac-4182-bf19-a3bf2d3f9613", name="customer",
                  iban="UA383000010466100544709492101",
                  assets=(AssetBalance("UAH", "Ukraine Hryvnia", Decimal(0), 2, "eUAH"),))
EUR = AccountView(guid="68048dfe-f169-496f-ac4b-858ee9bfec0e", name="customer",
                  iban="UA273000010254392004146872328",
                  assets=(AssetBalance("EUR", "Euro", Decimal(0), 2, "eEUR"),))


@pytest.mark.parametrize(("language", "type_title"), [("english", "Customer account"),
                                                      ("ukrainian", "Рахунок клієнта")])
def test_two_accounts_of_different_assets_have_different_titles(
        qtbot, request, language: str, type_title: str) -> None:  # type: ignore[no-untyped-def]
    request.getfixturevalue(language)
    panels = [AccountPanel(account) for account in (UAH, EUR)]
    for panel in panels:
        qtbot.addWidget(panel)
    titles = [panel.title() for panel in panels]
    assert titles[0] != titles[1], titles
    for title, code in zip(titles, ("UAH", "EUR"), strict=True):
        assert title.startswith(type_title) and code in title, titles


def test_an_account_type_without_a_whole_title_keeps_its_name(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = AccountPanel(AccountView(guid="g", name="till", assets=(
        AssetBalance("UAH"), AssetBalance("EUR"))))
    qtbot.addWidget(panel)
    assert panel.title() == "Account: till · UAH, EUR"
    bare = AccountPanel(AccountView(guid="h", name="customer"))
    qtbot.addWidget(bare)
    assert bare.title() == "Customer account"  # no assets: nothing to add
