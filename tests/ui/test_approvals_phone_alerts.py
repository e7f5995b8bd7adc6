"""The hub watcher's "another customer has the same phone number" alert (reason
``phone_duplicate``) reads as a sentence wherever the desk shows it: the supervisor's inbox
(live and as read at a reload), the notification and the audit trail; never the raw codes.
Ukrainian: the words follow once translated; until then no code shows either."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from teller_app.platform.hub_models import Alert, HubEvent
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.audit_details import details_text
from teller_app.ui.supervision_notices import SupervisionNotices

HOLDER_GUID = "5b1c2d3e-0000-4000-8000-000000000001"
NAMED = {"phone_holder": {"login": "olena.holder", "wallet_user_guid": HOLDER_GUID}}
CODES = ("phone_duplicate", "phone_holder", "wallet_user_guid")


class NoHub:
    """An approvals service with nothing pending and no hub link (alerts come as events)."""

    link = None
    platform = SimpleNamespace()

    async def pending(self) -> list[Any]:
        return []


def _inbox(qtbot: Any, ops: Any) -> ApprovalsInbox:
    async def nobody(keys: list[str]) -> dict[str, str]:
        return {}

    inbox = ApprovalsInbox(ops, lambda: NoHub(),  # type: ignore[arg-type, return-value]
                           employee_names=nobody, customer_names=nobody)
    qtbot.addWidget(inbox)
    return inbox


def _event(fields: dict[str, Any]) -> HubEvent:
    return HubEvent(id=7, kind="alert.unapproved_change", customer_guid=HOLDER_GUID[:-1] + "2",
                    login="ivan.second", fields=fields, reasons=["phone_duplicate"])


def _notice(event: HubEvent) -> str:
    said: list[str] = []
    told = SimpleNamespace(_announce=lambda text, level: said.append(text))
    SupervisionNotices._notify_alert(told, event)  # type: ignore[arg-type]
    return said[0]


def _texts(inbox: ApprovalsInbox) -> list[str]:
    return [inbox.alerts.item(i).text() for i in range(inbox.alerts.count())]


@pytest.mark.usefixtures("english")
def test_the_inbox_and_the_notice_say_it_in_english(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    inbox = _inbox(qtbot, ops)
    inbox.on_event(_event(NAMED))
    inbox.on_event(_event({"phone_holder": {}}))  # another branch's holder: not named
    assert _texts(inbox) == [
        "ivan.second: another customer has the same phone number",
        "ivan.second: another customer has the same phone number: olena.holder"]
    # as a reload reads them from the hub (newest first)
    inbox.alert_list.show_alerts([Alert(id=2, customer_guid=HOLDER_GUID, login="ivan.second",
                                        fields=NAMED, reasons=["phone_duplicate"])])
    assert _texts(inbox) == [
        "ivan.second: another customer has the same phone number: olena.holder"]
    assert _notice(_event(NAMED)) == "Another customer has the same phone number as ivan.second"
    # the other alerts read as before
    inbox.on_event(HubEvent(id=8, kind="alert.unapproved_change", login="petro",
                            fields={"is_disabled": {"before": False, "after": True}},
                            reasons=["is_disabled"]))
    assert _texts(inbox)[0] == "petro: disable the customer (no approved request)"
    assert _notice(HubEvent(id=8, kind="alert.unapproved_change", login="petro",
                            reasons=["is_disabled"])) == "Changed without approval: petro"

    audit = details_text({"customer_guid": HOLDER_GUID, "login": "ivan.second",
                          "fields": NAMED, "reasons": ["phone_duplicate"]})
    assert "Why a supervisor: another customer has the same phone number" in audit, audit
    assert f"customer with the same phone number: olena.holder ({HOLDER_GUID})" in audit, audit


@pytest.mark.usefixtures("ukrainian")
def test_no_code_shows_in_ukrainian(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    inbox = _inbox(qtbot, ops)
    inbox.on_event(_event(NAMED))
    shown = [*_texts(inbox), _notice(_event(NAMED)),
             details_text({"fields": NAMED, "reasons": ["phone_duplicate"]})]
    for text in shown:
        assert not any(code in text for code in CODES), text
    assert "olena.holder" in shown[0] and "ivan.second" in shown[0]
    assert "ivan.second" in shown[1]


@pytest.mark.usefixtures("english")
def test_an_alert_names_its_customer_as_the_requests_do(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    """Alerts read "ivan.second: …" under requests that read "Петренко Іван": the customer's
    name is looked up as the requests' are (the login stays until it is known, and when no
    name is found); each customer is looked up once."""
    asked: list[list[str]] = []

    async def names(guids: list[str]) -> dict[str, str]:
        asked.append(list(guids))
        return {g: "Коваленко Петро" for g in guids if g.endswith("2")}

    inbox = ApprovalsInbox(ops, lambda: NoHub(),  # type: ignore[arg-type, return-value]
                           employee_names=names, customer_names=names)
    qtbot.addWidget(inbox)
    inbox.on_event(_event(NAMED))
    qtbot.waitUntil(lambda: _texts(inbox)[0].startswith("Коваленко Петро: "), timeout=5000)
    unknown = HubEvent(id=8, kind="alert.unapproved_change", customer_guid="c-9",
                       login="nobody.known", fields={"surname": {"before": "A", "after": "B"}},
                       reasons=["unapproved_change"])
    inbox.on_event(unknown)
    qtbot.waitUntil(lambda: not inbox.ops.is_busy(), timeout=5000)
    assert _texts(inbox)[0].startswith("nobody.known: ")  # no name found: the login
    inbox.on_event(_event(NAMED))  # the same customer again: not looked up again
    qtbot.waitUntil(lambda: not inbox.ops.is_busy(), timeout=5000)
    assert [a for a in asked if a] == [[HOLDER_GUID[:-1] + "2"], ["c-9"]]
    assert _texts(inbox)[0].startswith("Коваленко Петро: ")
