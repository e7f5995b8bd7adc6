"""A change request's id belongs to the change asked for in one dialog: the same change sent
again keeps it (the hub then answers with the request it filed), another change or another
dialog gets a new one."""

from __future__ import annotations

import uuid
from typing import Any


def test_one_request_id_per_change_in_a_dialog(qtbot: Any) -> None:
    from teller_app.platform.models import Customer
    from teller_app.ui.change_request_dialog import ChangeRequestDialog

    customer = Customer(wallet_user_guid=str(uuid.uuid4()), status="active")
    dialog = ChangeRequestDialog(customer)
    qtbot.addWidget(dialog)
    first = dialog.request_id({"is_disabled": True})
    uuid.UUID(first)
    assert dialog.request_id({"is_disabled": True}) == first  # sent again: the same request
    other = dialog.request_id({"status": "blocked"})
    assert other != first  # a different change is a new request
    assert dialog.request_id({"is_disabled": True}) == first  # and back again
    again = ChangeRequestDialog(customer)
    qtbot.addWidget(again)
    assert again.request_id({"is_disabled": True}) != first  # a new dialog: a new request
