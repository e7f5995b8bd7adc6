"""The approve-in-place dialog at a teller's desk (real sandbox + hub) says what the
supervisor decides in the inbox's order: the customer's and the maker's names, the change,
the reason; the rejection then names the customer and the change."""

from __future__ import annotations

from typing import Any

import pytest
from fe_stack import SUPERVISOR, TELLER
from hub_stack_helpers import password_of
from test_four_eyes_ui import _button, _card, _customer, windows  # noqa: F401

from teller_app.core.person_name import official_name
from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
from teller_app.ui.change_request_dialog import ChangeRequestDialog

pytestmark = [pytest.mark.slow]


@pytest.fixture(autouse=True)
def _private(private_dirs: None) -> None:
    """Each test in its own dirs, with no OS keyring (conftest.private_dirs)."""


def test_the_summary_names_customer_and_maker_and_the_rejection_names_the_customer(  # type: ignore[no-untyped-def]
        windows, qtbot, arun, hub_stack) -> None:  # noqa: F811
    teller = windows(TELLER, "summary-desk")
    customer = _customer(teller, arun)
    name = official_name(customer.surname, customer.name, customer.paternal_name)
    card = _card(teller, customer, qtbot)
    _button(card, "requestChangeButton").click()
    dialog = teller.findChild(ChangeRequestDialog)
    dialog.reason.setPlainText("Customer asks to block")
    dialog.in_place_button.click()
    qtbot.waitUntil(lambda: teller.findChild(ApproveInPlaceDialog) is not None, timeout=10000)
    approve = teller.findChild(ApproveInPlaceDialog)
    lines = [line.strip("\u2068\u2069") for line in approve.summary.text().split("\n")]
    plain = approve.summary.text().replace("\u2068", "").replace("\u2069", "")
    maker = teller.session.employee.display_name
    assert lines[0].startswith("Customer: ") and name in lines[0], lines
    assert lines[1].startswith("Requested by ") and maker in lines[1], lines
    assert lines[2].startswith("Change: "), lines
    assert lines[3] == "Reason: Customer asks to block", lines
    assert plain.index(name) < plain.index(maker)

    approve.email.setText(SUPERVISOR)
    approve.password.setText(password_of(hub_stack.sandbox, SUPERVISOR))
    approve.comment.setText("Not confirmed by the customer")
    approve.reject_button.click()
    said: Any = teller.banner
    qtbot.waitUntil(lambda: said.text().startswith("Rejected: "), timeout=15000)
    assert name in said.text().replace("\u2068", "").replace("\u2069", "")
