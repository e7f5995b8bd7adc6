"""What the supervisor's audit trail says where it used to show codes: a desk's own record of a
request's step by that step ("Desk's record: request approved", never "Other" and never the
hub's own words), the entry's entity in words with its code whole beside it, and a cash row
that names only its payment under its draft's or request's customer (older rows too: they
are read, never rewritten)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from teller_app.platform.hub_models import AuditRecord
from teller_app.ui.audit_entry import AuditEntryDialog, entry_action_text
from teller_app.ui.audit_model import AuditTableModel

CUSTOMER = "c94eb2af-2f0e-4b8e-9a57-1f3d2e8b6a10"
PAYMENT = "37f6b441-0906-46b6-9349-e742531f4eb7"
REQUEST = "9b41c0d2-5e0f-4c55-8d7a-0c1b2a3d4e5f"
TILL = "94496199-d2ea-4094-9dc7-c7f3ccb39c84"


def _entry(action: str, detail: dict[str, Any], entity: str = "", seq: int = 3,
           desk_id: str = "desk-1") -> AuditRecord:
    return AuditRecord(seq=seq, ts_ms=1_767_348_005_000 + seq, actor="sup@demo.bank",
                       action=action, entity=entity, detail=detail, desk_id=desk_id)


def test_a_desks_record_of_a_request_step_is_named_as_the_desks(english: None) -> None:
    named = {event: entry_action_text(_entry("other", {"event": event,
                                                       "customer_guid": CUSTOMER}))
             for event in ("approval", "rejection", "change_request", "request_withdrawn")}
    assert named == {"approval": "Desk's record: request approved",
                     "rejection": "Desk's record: request rejected",
                     "change_request": "Desk's record: change requested",
                     "request_withdrawn": "Desk's record: request withdrawn"}
    # desks before 2026-12-04 sent their copies as "request", "decision", "execution"
    assert entry_action_text(_entry("other", {"event": "decision"})) == \
        "Desk's record: request decided"
    assert entry_action_text(_entry("other", {"event": "execution"})) == \
        "Desk's record: request executed"
    # never the hub's own row's words; anything else a desk keeps as "other" stays "Other"
    assert entry_action_text(_entry("decision", {"decision": "approved"},
                                    desk_id="hub")) == "Request approved"
    assert entry_action_text(_entry("other", {"event": "something_new"})) == "Other"
    assert entry_action_text(_entry("other", {"refused_entry": "{}"})) == "Other"
    assert entry_action_text(_entry("other", {"event": "approval"}, desk_id="hub")) == "Other"


def test_the_entry_dialog_words_its_entity_and_keeps_the_code(qtbot: Any,
                                                               english: None) -> None:
    def words(entity: str, detail: dict[str, Any] | None = None, **names: Any) -> str:
        dialog = AuditEntryDialog(_entry("edit", detail or {}, entity), actor="",
                                  customer="", **names)
        qtbot.addWidget(dialog)
        assert dialog.facts["entity"].text() == (entity or "—")  # whole, for IT
        return dialog.facts["subject"].text()

    assert words(f"request:{REQUEST}") == "Request 9b41c0d2…"
    assert words(f"payment:{PAYMENT}") == "Payment 37f6b441…"
    assert words(f"customer:{CUSTOMER}") == "Customer c94eb2af…"
    assert words(f"customer:{CUSTOMER}",
                 customer_names={CUSTOMER: "Petrenko Ivan"}) == "Customer Petrenko Ivan"
    assert words(f"till:{TILL}", {"till_code": "T-cash"}) == "Till T-cash"
    assert words(f"till:{TILL}", {"cosigned": True}) == "Till 94496199…"
    assert words("employee:olena@bank.test", names={"olena@bank.test": "Olena Kovalenko"}) \
        == "Employee Olena Kovalenko (olena@bank.test)"
    assert words("dcm:payment_create") == "Platform: new payment"
    assert words("alert:12") == "Alert 12"
    assert words("policy") == "Approval policy"
    assert words("secret") == "Customer secrets"
    assert words("something:else") == "something:else"  # unknown: as recorded
    assert words("") == "—"


def test_the_entity_words_follow_the_language(qtbot: Any) -> None:
    from teller_app.ui.settings import switch_language

    dialog = AuditEntryDialog(_entry("cash", {}, f"payment:{PAYMENT}"), actor="", customer="")
    qtbot.addWidget(dialog)
    try:
        switch_language("uk")
        wanted = QCoreApplication.translate("AuditEntity", "Payment %1").replace(
            "%1", "37f6b441…")
        qtbot.waitUntil(lambda: dialog.facts["subject"].text() == wanted, timeout=5000)
        assert dialog.facts["entity"].text() == f"payment:{PAYMENT}"
    finally:
        switch_language("en")


def test_a_cash_row_that_names_only_its_payment_reads_its_customer(english: None) -> None:
    """As the hub and the desks write them: the request names the customer and the payment;
    the hub's void of the rejected request, a supervisor's confirm from the inbox and a
    payment sent through the proxy name only the payment (or the request)."""
    request = _entry("request", {"kind": "cash_confirm", "customer_guid": CUSTOMER,
                                 "change": {"payment_guid": PAYMENT, "amount": "12000.00"}},
                     f"request:{REQUEST}", seq=1, desk_id="hub")
    void = _entry("cash", {"kind": "reject", "payment_guid": PAYMENT, "request": REQUEST},
                  f"payment:{PAYMENT}", seq=2, desk_id="hub")
    confirm = _entry("cash", {"event": "cash_confirm", "payment_guid": PAYMENT,
                              "amount": "12000.00"}, f"payment:{PAYMENT}", seq=3)
    proxied = _entry("proxy_write", {"kind": "branch_payment_confirm",
                                     "target_guid": PAYMENT}, f"payment:{PAYMENT}", seq=4,
                     desk_id="hub")
    refused = _entry("decision_refused", {"refusal": "own_request"}, f"request:{REQUEST}",
                     seq=5, desk_id="hub")
    other = _entry("cash", {"payment_guid": "another"}, "payment:another", seq=6)
    model = AuditTableModel()
    model.set_entries([request, void, confirm, proxied, refused, other])
    model.set_names({}, {CUSTOMER: "Petrenko Ivan"})
    for entry in (request, void, confirm, proxied, refused):
        assert model.row_texts(entry)[4] == "Petrenko Ivan", entry
    assert model.row_texts(other)[4] == ""  # a payment nobody named a customer for
    # learned once, kept: a later read of the cash rows alone still names the customer
    model.set_entries([confirm])
    assert model.row_texts(confirm)[4] == "Petrenko Ivan"
