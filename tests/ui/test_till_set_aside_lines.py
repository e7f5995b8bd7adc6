"""Each payment a close sets aside on one line as the desk writes money: DCM's amount with
every digit it has (never rounded to kopiyky), another payment by its short id, the hub's
own words (plain, on one line) when the desk cannot read them, and a part the hub did not
say (or a kind the desk does not know) left out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from teller_app.core.till_models import SetAside
from teller_app.ui.till_set_aside import SetAsideList, set_aside_line

GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def _line(item: SetAside) -> str:
    return set_aside_line(item).replace("\u00a0", " ")


def test_each_part_in_words(qtbot: Any) -> None:
    assert _line(SetAside(GUID, "withdrawal", Decimal("7.50"), "15.005 UAH",
                          Decimal("15.005"), "UAH")) == (
        "0f8fad5b · Cash withdrawal · authorized 7.50 UAH · the platform confirmed 15.005 UAH")
    assert _line(SetAside(GUID, "deposit", Decimal("1"), f"another payment ({'a' * 36})",
                          other_payment="a" * 36)) == (
        "0f8fad5b · Cash deposit · authorized 1.00 UAH · the platform confirmed another "
        "payment (aaaaaaaa)")
    assert _line(SetAside(GUID, "cheque", None, "40\nUAH <b>x</b>")) == (
        "0f8fad5b · the platform confirmed 40 UAH <b>x</b>")
    assert _line(SetAside("", "deposit", Decimal("2.5"))) == "Cash deposit · authorized 2.50 UAH"


def test_the_list_is_hidden_while_none_and_says_the_state(qtbot: Any) -> None:
    listed = SetAsideList(supervisor=True)
    qtbot.addWidget(listed)
    listed.show()
    listed.set_items((), "close_cosign")
    assert not listed.isVisible()
    listed.set_items((SetAside(GUID, "deposit", Decimal("3")),), "close_cosign")
    assert listed.isVisible() and listed.lines.isReadOnly()
    assert listed.heading.text().startswith("Co-signing closes the till without these 1 ")
    assert listed.lines.toPlainText() == _line(SetAside(GUID, "deposit", Decimal("3")))
    listed.set_state("closed")
    assert listed.heading.text().startswith("The till closed without these 1 ")
    many = tuple(SetAside(f"{n:08d}-x", "deposit", Decimal(n)) for n in range(12))
    listed.set_items(many, "close_cosign")
    summary = listed.supervisor_text().split("\n")
    assert len(summary) == 12 and summary[-1].startswith("… and 2 more")
    assert listed.lines.toPlainText().count("\n") == 11  # the box lists every one
