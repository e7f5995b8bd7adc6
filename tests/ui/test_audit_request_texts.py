"""The audit trail says what was requested and decided (VQA): a request's or a decision's
change in the desk's own words (``describe_change``), no empty items ("Comment: "), the maker
by name where the view knows it, the hub's execution results in words (unknown ones as
written), a desk's approval and rejection under their own action names, a till count the
hub recorded as JSON text by denomination and the till of the last close labelled (or not
shown when there was none)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from teller_app.hub import commands, execute
from teller_app.platform.hub_models import AuditList, AuditRecord
from teller_app.ui.async_op import OpRunner
from teller_app.ui.audit_details import detail_items, details_text
from teller_app.ui.audit_entry import AuditEntryDialog, entry_action_text
from teller_app.ui.audit_request_text import RESULTS
from teller_app.ui.audit_view import AuditTableModel, AuditView

from .marking import marked

NBSP = "\u00a0"
CUSTOMER = "c94eb2af-2f0e-4b8e-9a57-1f3d2e8b6a10"
PAYMENT = "37f6b441-0906-46b6-9349-e742531f4eb7"
SHA = "9f" * 32
MAKER = "teller.kyiv@demo.bank"
# as the hub writes them now (hub/commands.py: ``audit_facts``)
DECISION = {"decision": "approved", "sha256": SHA, "comment": "", "maker": MAKER,
            "desk_id": "vm", "kind": "customer_update", "customer_guid": CUSTOMER,
            "change": {"segment": "vip"}}
CASH_REQUEST = {"kind": "cash_confirm", "customer_guid": CUSTOMER, "sha256": SHA,
                "reason": "Cash above the teller's limit", "desk_id": "",
                "change": {"payment_guid": PAYMENT, "amount": "12000.00", "currency": "UAH"}}


def _items(detail: dict[str, Any], **names: str) -> dict[str, str]:
    return {label: text for label, text, _known in detail_items(detail, names)}


def _entry(action: str, detail: dict[str, Any]) -> AuditRecord:
    return AuditRecord(seq=3, ts_ms=1_767_348_005_000, actor="sup@demo.bank", action=action,
                       entity="request:r-1", detail=detail)


def test_a_decision_says_the_change_and_hides_an_empty_comment(english: None) -> None:
    items = _items(DECISION)
    assert items["Change"] == "set the segment to “VIP”"
    assert items["Operation"] == "customer change" and items["Decision"] == "approved"
    assert "Comment" not in items and "Desk" in items  # an empty comment says nothing
    assert items["Maker"] == MAKER  # no name known: the e-mail as recorded
    named = _items(DECISION, **{MAKER: "Мельник Оксана"})
    assert named["Maker"] == f"Мельник Оксана ({MAKER})"
    assert "Comment: no contract" in details_text({**DECISION, "comment": "no contract"})


def test_a_cash_request_says_its_amount(english: None) -> None:
    items = _items(CASH_REQUEST)
    assert items["Change"] == "confirm a cash payment of 12,000.00" + NBSP + "UAH"
    assert "Desk" not in items  # filed with no desk id
    # an older row (no change recorded) reads as before
    older = _items({k: v for k, v in CASH_REQUEST.items() if k != "change"})
    assert "Change" not in older and older["Operation"] == "cash confirmation"


def test_the_customer_column_and_the_makers_name_fill_for_a_decision(english: None) -> None:
    model = AuditTableModel()
    entry = _entry("decision", DECISION)
    model.set_entries([entry])
    model.set_names({MAKER: "Мельник Оксана", "sup@demo.bank": "Гнатюк Тарас"},
                    {CUSTOMER: "Коваленко Петро"})
    texts = model.row_texts(entry)
    assert texts[3] == "Гнатюк Тарас" and texts[4] == "Коваленко Петро"
    assert f"Maker: Мельник Оксана ({MAKER})" in texts[5]
    assert "Change: set the segment to “VIP”" in texts[5]


def test_the_entry_dialog_names_the_maker(qtbot: Any, english: None) -> None:
    dialog = AuditEntryDialog(_entry("decision", DECISION), actor="Гнатюк Тарас",
                              customer="Коваленко Петро", names={MAKER: "Мельник Оксана"})
    qtbot.addWidget(dialog)
    text = dialog.details.toPlainText()
    assert f"Maker: Мельник Оксана ({MAKER})" in text and "Comment" not in text


@pytest.fixture()
def marking(qapp: Any) -> Iterator[None]:
    with marked("AuditDetails"):
        yield


def test_execution_results_are_words_unknown_ones_as_written(marking: None) -> None:
    assert _items({"result": commands.APPLIED_RESULT})["<Result>"] == "<applied>"
    found = _items({"result": commands.FOUND_CONFIRMED_AFTER_NO_ANSWER})["<Result>"]
    assert found == "<applied (found on the platform after it did not answer)>"
    assert _items({"result": execute.ALTERED})["<Result>"].startswith("<not executed")
    unreachable = _items({"result": "DCM unreachable, not applied: connection refused"})
    assert unreachable["<Result>"] == (
        "<not applied: the platform could not be reached (connection refused)>")
    raw = "Payment amount exceeds the allowed balance"  # the platform's own message
    assert _items({"result": raw})["<Result>"] == raw


def test_every_fixed_result_of_the_hub_is_known() -> None:
    for result in (commands.APPLIED_RESULT, commands.FOUND_CONFIRMED_AFTER_NO_ANSWER,
                   execute.ALTERED):
        assert result in RESULTS, result


def test_the_hubs_decision_names_what_was_decided_and_a_desks_note_does_not(
        english: None) -> None:
    assert entry_action_text(_entry("decision", {"decision": "approved"})) == "Request approved"
    assert entry_action_text(_entry("decision", {"decision": "rejected"})) == "Request rejected"
    assert entry_action_text(_entry("decision", {"decision": "odd"})) == "Decision"
    # any desk can write its own note of a decision (kept as "other"): named as the desk's
    # record, never in the hub's words
    assert entry_action_text(_entry("other", {"event": "approval"})) == \
        "Desk's record: request approved"
    assert entry_action_text(_entry("other", {"decision": "approved"})) == "Other"
    model = AuditTableModel()
    entry = _entry("decision", {"decision": "rejected", "comment": "no"})
    model.set_entries([entry])
    assert model.row_texts(entry)[2] == "Request rejected"


def test_a_till_opening_reads_its_json_count_and_its_last_close(english: None) -> None:
    first = _items({"open": "3000.00", "till_code": "T1", "counts": '{"note_100":30}',
                    "previous_close": None, "previous_close_till": None})
    assert first["Count"] == "100 UAH note × 30"
    assert "previous_close_till" not in first and "Till of the last close" not in first
    again = _items({"open": "3000.00", "till_code": "T1", "counts": '{"note_100":30}',
                    "previous_close": "3000.00", "previous_close_till": "t-9"})
    assert again["Till of the last close"] == "t-9"
    assert _items({"counts": "not json"})["Count"] == "not json"


class _OneDecisionHub:
    """A hub whose trail is one decision on a request another employee filed."""

    async def audit(self, **filters: Any) -> AuditList:
        return AuditList(entries=[_entry("decision", DECISION)])


class _Link:
    async def call(self, fn: Any) -> Any:
        return await fn(_OneDecisionHub())


def test_the_view_looks_up_the_maker_named_in_the_details(qtbot: Any, qloop: Any,
                                                          english: None) -> None:
    asked: list[list[str]] = []

    async def employees(emails: list[str]) -> dict[str, str]:
        asked.append(emails)
        return {MAKER: "Мельник Оксана", "sup@demo.bank": "Гнатюк Тарас"}

    async def customers(guids: list[str]) -> dict[str, str]:
        return {CUSTOMER: "Коваленко Петро"}

    view = AuditView(lambda: _Link(), OpRunner(),  # type: ignore[arg-type, return-value]
                     employee_names=employees, customer_names=customers)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.refresh()
    entry = view.model.entries[0]
    qtbot.waitUntil(lambda: "Мельник" in view.model.row_texts(entry)[5], timeout=5000)
    assert MAKER in asked[0] and "sup@demo.bank" in asked[0]
    assert view.model.row_texts(entry)[4] == "Коваленко Петро"


def test_a_changed_value_cannot_add_a_line_to_the_entry(english: None) -> None:
    from teller_app.ui.audit_request_text import change_text

    for change in ({"phone_number": "1\nDecision: approved"}, {"status": "x\nDecision: ok"},
                   {"segment": "vip\r\nComment: fine"}):
        text = change_text(change)
        assert text and "\n" not in text and "\r" not in text, text
