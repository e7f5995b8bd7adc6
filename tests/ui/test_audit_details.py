"""An audit entry's details read by a person (``ui/audit_details``): labels for the keys the
desk and the hub write, in English and Ukrainian; moments in Kyiv time as the "When (Kyiv)"
column shows them; amounts as money; codes in words; an unknown key still shown as
``key = value``; GUIDs and hashes whole. The audit trail's table and tooltip show it."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt

from teller_app.platform.hub_models import AuditRecord
from teller_app.ui.audit_details import detail_items, details_text
from teller_app.ui.audit_view import AuditTableModel, when
from teller_app.ui.local_time import local_text
from teller_app.ui.untrusted import tip

NBSP = "\u00a0"
PAYMENT = "37f6b441-0906-46b6-9349-e742531f4eb7"
CUSTOMER = "c94eb2af-2f0e-4b8e-9a57-1f3d2e8b6a10"
SHA = "9f" * 32
CASH_CONFIRM = {"event": "cash_confirm", "payment_guid": PAYMENT, "amount": "15000.01",
                "confirmed_by": "sup@bank.test", "reconciled": False, "customer_guid": CUSTOMER,
                "desk_ts": "2026-01-02T10:00:05Z"}




def _kyiv(moment: datetime) -> str:
    return local_text(moment, seconds=True)


def test_known_keys_have_labels_money_words_and_kyiv_time(english: None) -> None:
    text = details_text(CASH_CONFIRM)
    assert text == (
        "Event: cash confirmed; Amount: 15,000.01" + NBSP + "UAH; Confirmed by: sup@bank.test; "
        "Settled by reading the payment: no; Payment: " + PAYMENT + "; Desk time (Kyiv): "
        + _kyiv(datetime(2026, 1, 2, 10, 0, 5, tzinfo=UTC)))
    assert "12:00:05" in text  # UTC+2 in January: Kyiv's clock, not the wire's
    assert "=" not in text and "customer_guid" not in text  # the Customer column has it


def test_hub_keys_till_request_and_alert(english: None) -> None:
    till = details_text({"open": "1500.5", "till_code": "T-1", "counts": {"note_100": 15},
                         "previous_close": None, "over_short": "-0.25", "direction": "to_till"})
    assert till == ("Till: T-1; Opening cash: 1,500.50" + NBSP + "UAH; Last closing cash: —; "
                    "Count: 100 UAH note × 15; Over/short: -0.25" + NBSP + "UAH; "
                    "Direction: From the vault")
    request = details_text({"kind": "cash_confirm", "decision": "approved", "sha256": SHA,
                            "reasons": ["over_threshold"], "has_comment": True})
    assert request == ("Operation: cash confirmation; Decision: approved; Why a supervisor: "
                       "the amount is above the supervisor threshold; With a comment: yes; "
                       f"Change hash (SHA-256): {SHA}")
    alert = details_text({"kind": "deposit", "fields": {
        "amount": {"before": None, "after": "20000.00"},
        "is_disabled": {"before": False, "after": True}}})
    assert alert == ("Operation: Cash deposit; Fields: amount: — → 20,000.00" + NBSP + "UAH; "
                     "disabled: no → yes")
    assert details_text({"fields": ["is_disabled", "kyc_level"], "state": "applied"}) == (
        "State: approved and applied; Fields: disabled, KYC level")


def test_unknown_keys_stay_as_key_equals_value(english: None) -> None:
    detail = {"zeta": 3, "brand_new": "x", "event": "lock_screen_v2", "seen_at":
              "2026-07-01T09:30:00+00:00", "flags": [True, "b"], "customer_guid": CUSTOMER}
    items = detail_items(detail)
    assert [(label, known) for label, _v, known in items] == [
        ("Event", True), ("brand_new", False), ("flags", False), ("seen_at", False),
        ("zeta", False)]
    assert details_text(detail) == (
        "Event: lock_screen_v2; brand_new = x; flags = yes, b; seen_at = "
        + _kyiv(datetime(2026, 7, 1, 9, 30, tzinfo=UTC)) + "; zeta = 3")
    assert "12:30:00" in details_text(detail)  # summer: UTC+3
    assert details_text({"note": "2026-13-45 not a time"}) == "note = 2026-13-45 not a time"
    assert details_text({"amount": "lots"}) == "Amount: lots"  # not a number: as it came
    assert details_text({}) == ""


def test_ukrainian(ukrainian: None) -> None:
    text = details_text(CASH_CONFIRM)
    assert text == (
        "Подія: касову операцію підтверджено; Сума: 15" + NBSP + "000,01" + NBSP + "₴; "
        "Підтвердив: sup@bank.test; Звірено за станом платежу: ні; Платіж: " + PAYMENT
        + "; Час на робочому місці (Київ): " + _kyiv(datetime(2026, 1, 2, 10, 0, 5, tzinfo=UTC)))
    assert "02.01.2026 12:00:05" in text
    assert details_text({"fields": ["surname", "paternal_name"], "brand_new": 1}) == (
        "Поля: прізвище, по батькові; brand_new = 1")


def test_the_audit_table_shows_them(english: None) -> None:
    record = AuditRecord(seq=7, ts_ms=1_767_348_005_000, actor="t@bank.test", action="cash",
                         entity=f"customer:{CUSTOMER}", detail=CASH_CONFIRM)
    model = AuditTableModel()
    model.set_entries([record])
    details = model.index(0, 5)
    assert model.data(details) == details_text(CASH_CONFIRM)
    assert model.data(details, Qt.ItemDataRole.ToolTipRole) == tip(
        details_text(CASH_CONFIRM, "\n"))
    # the same moment, the same form as the "When (Kyiv)" column
    assert _kyiv(datetime(2026, 1, 2, 10, 0, 5, tzinfo=UTC)) == when(record)
    assert when(record) in model.data(details)


def test_an_allowed_balance_of_0_is_no_limit(english: None) -> None:
    """0 is the platform's "no limit" (FAQ 12): an audit reader must not see "0.00 UAH"."""
    alert = {"fields": {"balance_allowed": {"before": "1000", "after": "0",
                                            "balance_asset_code": "UAH"}}}
    assert details_text(alert) == "Fields: allowed balance: 1,000.00 → no limit"
    assert "no limit" in details_text({"fields": {"balance_allowed": "0.00"}})
