"""The payment detail opens wide enough for the payment ID and its time on one line (a GUID is
36 characters). It opened 242 px wide with the ID over 3 lines and "06.12.2026 / 20:22:36" on
two: a word-wrapped label asks for a near-square box (QTextDocument.adjustSize), so the width
depended on where the ID could break (after "-" before a letter, UAX #14), not on timing;
an ID with no such break ("e0e168c0-4782-…") opened wide. A window Qt narrows to 2/3 of the
screen (the hash's width on a small screen) is as tall as its values at that width."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtWidgets import QFormLayout, QLabel

from teller_app.core.history import HistoryRow
from teller_app.core.receipt import ReceiptContext
from teller_app.platform.models import Payment
from teller_app.ui.payment_detail import PaymentDetailDialog
from tests.ui.test_accelerators_unique import language  # noqa: F401

DESK = ReceiptContext("Demo Bank", "Київ", "Касир", "Клієнт", "")
AT = datetime(2026, 12, 6, 18, 22, 36, tzinfo=UTC)  # "06.12.2026 20:22:36" in Kyiv


def _field(dialog: PaymentDetailDialog, row: int) -> QLabel:
    form = dialog.layout()
    assert isinstance(form, QFormLayout)
    item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
    assert item is not None
    label = item.widget()
    assert isinstance(label, QLabel)
    return label


def _one_line(label: QLabel) -> bool:
    return label.height() < 2 * label.fontMetrics().lineSpacing()


@pytest.mark.parametrize(("guid", "status", "stellar"), [
    # the shots that opened narrow: a draft (242 px), a confirmed payment (313 px)
    ("30a9e91f-b78f-472d-aac1-bba90fea6238", "DRAFT", None),
    ("9c78949d-4385-4ebf-a158-982ef62eca06", "CONFIRMED",
     {"hash": "87b4edd40c26e49d6e481126f1253f35c8a7b3dd3cb90d33c6dbcb3e8d8c2d25"}),
])
def test_the_id_and_the_time_fit_on_one_line(
        qtbot: Any, ops: Any, language: str, guid: str, status: str,  # noqa: F811
        stellar: dict[str, str] | None) -> None:
    payment = Payment(guid=guid, amount=Decimal("12000.00"), asset_code="UAH",
                      category="04", status=status, stellar_info=stellar, created_at=AT)
    detail = PaymentDetailDialog(HistoryRow(payment, incoming=True), DESK, 2, ops)
    qtbot.addWidget(detail)
    detail.open()
    qtbot.waitExposed(detail)
    ident, created = _field(detail, 0), _field(detail, 1)
    assert ident.text() == guid and created.text() == "06.12.2026 20:22:36"
    assert detail.width() >= detail.fontMetrics().horizontalAdvance(guid)
    assert ident.width() >= ident.fontMetrics().horizontalAdvance(guid)
    assert _one_line(ident), (detail.width(), ident.width(), ident.height())
    assert _one_line(created), (detail.width(), created.width(), created.height())
    # the Stellar hash too, unless the window opened as wide as Qt opens one (2/3 of the
    # screen); then it wraps, and the window is tall enough for its second line
    widest = detail.screen().availableGeometry().width() * 2 // 3
    assert _one_line(_field(detail, 6)) or detail.width() == widest
    assert detail.height() >= detail.layout().totalHeightForWidth(detail.width())
