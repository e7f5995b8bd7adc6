"""A customer's allowed balance of 0 is "no limit" on the platform (FAQ 12). The audit trail
said so, but the approvals desk (the change column, the drift warning, a change request's
description, all through ``field_values.field_value_text``) showed "0.00 UAH": a supervisor
read a request that lifts the cap as one that empties the account. One wording
(``money.no_limit_text``), in English and Ukrainian."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from decimal import Decimal
from typing import Any

from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.approvals_drift import moved_warning
from teller_app.ui.approvals_model import PendingRequestsModel
from teller_app.ui.audit_details import details_text
from teller_app.ui.change_request_dialog import describe_change
from teller_app.ui.field_values import field_value_text
from teller_app.ui.money import format_money, no_limit_text


def _request(change: dict[str, Any], **extra: Any) -> ChangeRequest:
    text = json.dumps(change, sort_keys=True, separators=(",", ":"))
    return ChangeRequest(id=str(uuid.uuid4()), kind="customer_update",
                         customer_guid=str(uuid.uuid4()), change=change, change_json=text,
                         sha256=hashlib.sha256(text.encode()).hexdigest(),
                         maker="teller.kyiv@demo.bank", reason="cap lifted",
                         created_at=time.time(), state="pending", **extra)


def test_the_approvals_desk_says_no_limit(english: None) -> None:
    assert no_limit_text() == "no limit"
    for zero in (0, "0", "0.00", Decimal("0.0000000")):
        assert field_value_text("balance_allowed", zero) == "no limit"
    assert field_value_text("balance_allowed", "0", currency=None) == "no limit"
    assert field_value_text("balance_allowed", "1500") == format_money(Decimal(1500), 2, "UAH")
    assert field_value_text("balance_allowed", "not a number") == "not a number"
    assert field_value_text("balance_allowed", None) == "(none)"
    assert field_value_text("kyc_level", 0) == "0"  # only the allowed balance

    change = {"balance_allowed": "0", "balance_asset_code": "UAH"}
    assert describe_change(change).startswith("set the allowed balance to no limit")
    model = PendingRequestsModel()
    model.replace([_request(change)])
    shown = str(model.data(model.index(0, PendingRequestsModel.CHANGE_COLUMN)))
    assert "no limit" in shown and "0.00" not in shown

    # what moved since filing: 1 000 at filing, wanted no limit, now 2 000
    moved = _request(change, before={"balance_allowed": "1000"},
                     current={"balance_allowed": "2000"})
    warning = moved_warning(moved)
    assert "→ wanted \u2068no limit\u2069, now " in warning  # values isolated
    # the audit trail's words are the same
    assert details_text({"fields": {"balance_allowed": "0.00"}}).endswith(no_limit_text())


def test_in_ukrainian(ukrainian: None) -> None:
    assert no_limit_text() == "без ліміту"
    assert field_value_text("balance_allowed", "0.00") == "без ліміту"
    assert describe_change({"balance_allowed": 0}).endswith("без ліміту")
