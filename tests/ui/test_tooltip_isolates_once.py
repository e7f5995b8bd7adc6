"""A customer's name in the supervisor's requests table is direction-isolated for its cell,
and its tooltip showed it isolated a second time (the tooltip's plain-text step isolated any
text holding a mark): two pairs of marks around the name, boxes in fonts lacking them. Each
mark is there once around the value now, and a text of two isolates is still wrapped."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any

from PySide6.QtCore import Qt

from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.approvals_model import PendingRequestsModel
from teller_app.ui.untrusted import shown, tip
from teller_app.ui.validators import FSI, PDI, isolate

NAME = "Коваленко Олена Петрівна"
RTL_NAME = "מרים כהן"
PHONE = "+380671234567"


def _request(customer_guid: str, change: dict[str, Any]) -> ChangeRequest:
    text = json.dumps(change, sort_keys=True, separators=(",", ":"))
    return ChangeRequest(id=str(uuid.uuid4()), kind="customer_update",
                         customer_guid=customer_guid, change=change, change_json=text,
                         sha256=hashlib.sha256(text.encode()).hexdigest(),
                         maker="maker@branch-12.bank.ua", reason="fraud reported",
                         created_at=time.time(), state="pending")


def test_the_customer_tooltip_isolates_the_name_once(qtbot: Any, english: Any) -> None:
    model = PendingRequestsModel()
    requests = [_request(str(uuid.uuid4()), {"is_disabled": True}) for _ in (NAME, RTL_NAME)]
    model.replace(requests)
    names = {r.customer_guid: name for r, name in zip(requests, (NAME, RTL_NAME), strict=True)}
    model.set_names({}, names)
    for row in range(model.rowCount()):
        request = model.request_at(row)
        assert request is not None
        name = names[request.customer_guid]
        index = model.index(row, PendingRequestsModel.CUSTOMER_COLUMN)
        text = str(model.data(index, Qt.ItemDataRole.ToolTipRole))
        assert f"{FSI}{name}{PDI}" in text, repr(text)
        assert text.count(FSI) == 1 and text.count(PDI) == 1, repr(text)
        assert str(model.data(index)) == f"{FSI}{name}{PDI}"  # the cell: isolated once too


def test_an_isolated_value_is_not_wrapped_again() -> None:
    for value in (NAME, RTL_NAME, PHONE):
        once = isolate(value)
        assert isolate(once) == once == f"{FSI}{value}{PDI}"
        assert shown(once) == once
        assert tip(once).count(FSI) == 1 and tip(once).count(PDI) == 1
    # two isolates side by side are not one: the whole is wrapped (their text stays apart)
    two = f"{isolate(RTL_NAME)} {isolate(PHONE)}"
    assert isolate(two) == f"{FSI}{two}{PDI}"
