"""A payment whose time is unknown (none sent, or one that does not parse) is never shown or
printed with the current time: the history cell, the CSV export and the detail show "—",
the receipt says "time unknown" (and its file name too); a reprint's own time is still now.
A lower-case "t"/"z" (RFC 3339 §5.6) is a time, read as such."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from teller_app.core.history import HistoryRow
from teller_app.core.history_export import UK_CSV, ExportWords, export_cells
from teller_app.core.receipt import ReceiptContext, build_receipt, kyiv_stamp
from teller_app.core.receipt_origin import ReceiptOrigin
from teller_app.platform.models import Payment
from teller_app.ui.async_op import OpRunner
from teller_app.ui.history_model import date_cell
from teller_app.ui.payment_detail import PaymentDetailDialog
from teller_app.ui.receipt import receipt_rows

from .dialog_reading import detail_value

DESK = ReceiptContext("Demo Bank", "Київ", "Касир", "Нагляд Тест",
                      "UA213223130000026007233566001")
WORDS = ExportWords(("h",), "in", "out", {}, {}, "?", "void")


def _payment(at: str | None) -> Payment:
    return Payment.model_validate({
        "guid": "0123abcd-1111-2222-3333-444455556666", "amount": "10.00",
        "asset_code": "UAH", "category": "04", "status": "CONFIRMED",
        "created_at": at, "updated_at": at, "stellar_info": {"hash": "ab" * 32}})




@pytest.mark.parametrize("at", [None, "text"])
def test_an_unknown_time_is_never_now(qtbot: Any, qloop: Any, at: str | None) -> None:
    payment = _payment(at)
    assert payment.created_at is None
    assert date_cell(payment.created_at) == "—"
    assert export_cells(HistoryRow(payment, True), WORDS, 2, UK_CSV)[:2] == ["—", ""]

    receipt = build_receipt(payment, DESK, "en")
    assert receipt.at is None
    assert dict(receipt_rows(receipt))["Date and time (Kyiv)"] == "time unknown"
    assert receipt.file_stem == "receipt-time-unknown-0123abcd"

    detail = PaymentDetailDialog(HistoryRow(payment, True), DESK, 2, OpRunner())
    qtbot.addWidget(detail)
    assert detail_value(detail, "Created (Kyiv)") == "—"
    before = datetime.now(UTC)
    detail.show_copy(ReceiptOrigin())  # a reprint: its own time is now, the payment's unknown
    copy = detail.receipt_dialog
    assert copy is not None and copy.receipt.reprint is not None
    qtbot.addWidget(copy)
    assert copy.receipt.at is None
    assert before - timedelta(seconds=1) <= copy.receipt.reprint.at <= datetime.now(UTC)
    rows = dict(receipt_rows(copy.receipt))
    assert rows["Date and time (Kyiv)"] == "time unknown"
    assert "time unknown" not in rows["Copy printed (Kyiv)"]
    # a time: the reprint's own, to the second (its offset only in the hour that comes twice)
    assert rows["Copy printed (Kyiv)"].startswith(kyiv_stamp(copy.receipt.reprint.at))


def test_lower_case_t_and_z_are_a_time(qtbot: Any) -> None:
    payment = _payment("2026-10-25t00:30:00.5z")
    assert payment.created_at == datetime(2026, 10, 25, 0, 30, 0, 500000, tzinfo=UTC)
    assert date_cell(payment.created_at) == "25.10.2026 03:30"
    assert export_cells(HistoryRow(payment, True), WORDS, 2, UK_CSV)[1] == \
        "2026-10-25T03:30:00+03:00"
    receipt = build_receipt(payment, DESK, "en")
    assert dict(receipt_rows(receipt))["Date and time (Kyiv)"] == "25.10.2026 03:30:00 (+03:00)"
    # an extra "confirmed_at" of the same spelling is read the same way
    confirmed = Payment.model_validate({**payment.model_dump(mode="json"),
                                        "confirmed_at": "2026-10-25t01:30:00z"})
    assert dict(receipt_rows(build_receipt(confirmed, DESK, "en")))[
        "Date and time (Kyiv)"] == "25.10.2026 03:30:00 (+02:00)"
