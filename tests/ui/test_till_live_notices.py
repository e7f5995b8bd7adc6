"""Till work waiting for a supervisor is told live (the hub's ``till.waiting`` and
``till.decided`` on the supervision feed): the supervisor hears what waits, whose (by name
where the platform names them), the money, and where to act (the Till menu's own words);
the teller a decision names hears it. An event an older hub never sends is not needed."""

from __future__ import annotations

from typing import Any

import pytest

from teller_app.platform.hub_models import HubEvent

from .conftest import TELLER

OLENA = "olena.koval@demo.bank"
PLACE = "Till ▸ Branch cash position"


def _waiting(**data: Any) -> HubEvent:
    return HubEvent.model_validate({"id": 1, "kind": "till.waiting", "till_id": 7,
                                    "till_code": "T2", "teller": OLENA, **data})


def _decided(**data: Any) -> HubEvent:
    return HubEvent.model_validate({"id": 2, "kind": "till.decided", "till_id": "7",
                                    "till_code": "T1", "teller": TELLER,
                                    "checker": "boss@demo.bank", **data})


def test_the_event_carries_typed_values() -> None:
    event = _waiting(what="close_cosign", over_short="-120.50", amount="oops", future=1)
    assert event.till_id == "7" and event.what == "close_cosign"
    assert str(event.over_short) == "-120.50" and event.amount is None  # unreadable: None
    assert HubEvent(id=3, kind="request.filed").what is None  # an older hub's event


@pytest.mark.usefixtures("english")
def test_a_supervisor_hears_what_waits_and_where(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    supervision = main_window.supervision
    asked: list[list[str]] = []

    async def names(emails: list[str]) -> dict[str, str]:
        asked.append(emails)
        return {OLENA: "Olena Koval"}

    supervision.till_live.employee_names = names
    said = main_window.status_bar.currentMessage

    supervision._on_event(_waiting(what="transfer", direction="to_till", transfer_id="tr1",
                                   amount="5000.00"))
    qtbot.waitUntil(lambda: said().startswith("Olena Koval"), timeout=5000)
    assert said() == ("Olena Koval asks for 5,000.00\u00a0UAH from the vault to till T2: "
                      f"approve or reject it in {PLACE}.")
    assert main_window.banner.text() == said()

    # the name is known now: told at once, not looked up again
    supervision._on_event(_waiting(what="transfer", direction="to_vault", amount="1200"))
    assert said() == ("Olena Koval asks to hand 1,200.00\u00a0UAH from till T2 back to the "
                      f"vault: approve or reject it in {PLACE}.")
    supervision._on_event(_waiting(what="open_cosign", amount="3000.00"))
    assert said() == ("Olena Koval opened till T2 with 3,000.00\u00a0UAH: the opening count "
                      f"waits for your co-sign in {PLACE}.")
    supervision._on_event(_waiting(what="close_cosign", over_short="-120.50"))
    assert said() == ("Olena Koval is closing till T2 with over/short \u2212120.50\u00a0UAH: "
                      f"the close waits for your co-sign in {PLACE}.")
    supervision._on_event(_waiting(what="vault_count", amount="80000.00", till_id=None))
    assert said() == ("Olena Koval counted 80,000.00\u00a0UAH in the vault: the count waits "
                      f"for a second supervisor's co-sign in {PLACE}.")
    assert asked == [[OLENA]]

    # the platform names nobody: the e-mail
    supervision._on_event(_waiting(what="open_cosign", amount="10", teller="x@demo.bank"))
    qtbot.waitUntil(lambda: said().startswith("x@demo.bank opened till T2"), timeout=5000)


@pytest.mark.usefixtures("english")
def test_the_teller_hears_the_decision_on_their_own_till(main_window) -> None:  # type: ignore[no-untyped-def]
    supervision = main_window.supervision
    said = main_window.status_bar.currentMessage
    supervision._on_event(_decided(what="transfer", transfer_id="tr1", direction="to_till",
                                   amount="5000.00", state="approved"))
    assert said() == "A supervisor approved your vault transfer of 5,000.00\u00a0UAH."
    supervision._on_event(_decided(what="transfer", transfer_id="tr2", amount="700.00",
                                   state="rejected"))
    assert said() == "A supervisor rejected your vault transfer of 700.00\u00a0UAH."
    supervision._on_event(_decided(what="open_cosign", amount="3000.00", state="cosigned"))
    assert said() == "A supervisor co-signed your till's opening."
    supervision._on_event(_decided(what="close_cosign", over_short="5.00", state="cosigned"))
    assert said() == "A supervisor co-signed your till's close."
    assert main_window.banner.text() == said()

    # another teller's decision (seen by a supervisor) is not this teller's notice
    main_window.status_bar.clearMessage()
    supervision._on_event(_decided(what="transfer", transfer_id="tr3", amount="1.00",
                                   state="approved", teller=OLENA))
    assert said() == ""
    # this teller's own work waiting is not announced to them
    supervision._on_event(_waiting(what="open_cosign", amount="3000.00", teller=TELLER))
    assert said() == ""


@pytest.mark.usefixtures("english")
def test_waiting_notices_stand_together_and_go_when_decided(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Two pieces of work waiting read together in the banner (the second replaced the
    first); a decision made at another desk takes its line back; a burst of events from one
    teller looks their name up once."""
    supervision = main_window.supervision
    asked: list[list[str]] = []

    async def names(emails: list[str]) -> dict[str, str]:
        asked.append(emails)
        return {}

    supervision.till_live.employee_names = names
    banner = main_window.banner
    supervision._on_event(_waiting(what="transfer", direction="to_till", transfer_id="tA",
                                   amount="10.00", teller="new@demo.bank"))
    supervision._on_event(_waiting(what="close_cosign", over_short="-1.00",
                                   teller="new@demo.bank"))
    qtbot.waitUntil(lambda: len(banner.text().split("\n")) == 2, timeout=5000)
    assert asked == [["new@demo.bank"]]  # one look-up for the burst
    first, second = banner.text().split("\n")
    assert "asks for 10.00" in first and "is closing till T2" in second
    # the transfer decided at another supervisor's desk: its line goes, the other stays
    supervision._on_event(HubEvent.model_validate({
        "id": 5, "kind": "till.decided", "what": "transfer", "transfer_id": "tA",
        "till_id": "7", "teller": "new@demo.bank", "state": "approved",
        "checker": "other.boss@demo.bank", "amount": "10.00"}))
    assert banner.text() == second
    supervision._on_event(HubEvent.model_validate({
        "id": 6, "kind": "till.decided", "what": "close_cosign", "till_id": 7,
        "teller": "new@demo.bank", "state": "cosigned", "checker": "other.boss@demo.bank"}))
    assert banner.text() == ""


@pytest.mark.usefixtures("english")
def test_a_counter_hears_their_vault_count_was_replaced(main_window) -> None:  # type: ignore[no-untyped-def]
    supervision = main_window.supervision
    supervision._on_event(_decided(what="vault_count", count_id="c1", amount="500.00",
                                   state="superseded", till_id=None))
    assert main_window.status_bar.currentMessage() == (
        "A newer count of the vault replaced your count of 500.00\u00a0UAH: it no longer "
        "waits for a co-sign.")


@pytest.mark.usefixtures("english")
def test_while_locked_the_tray_says_till_news_without_details(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    supervision = main_window.supervision
    told: list[tuple[str, str, dict[str, Any]]] = []  # what the notice asked the tray to say
    real = supervision.till_live.announce

    def announce(text: str, level: str, **kwargs: Any) -> None:
        told.append((text, level, kwargs))
        real(text, level, **kwargs)

    supervision.till_live.announce = announce
    supervision._on_event(_waiting(what="open_cosign", amount="3000.00", teller="x@demo.bank"))
    qtbot.waitUntil(lambda: "opened till T2" in main_window.banner.text(), timeout=5000)
    supervision.locker.lock()
    qtbot.waitUntil(lambda: supervision.locker.is_locked, timeout=5000)
    line, level, kwargs = told[-1]
    assert line == main_window.banner.text()
    assert supervision._tray_text(line, level, kwargs.get("locked_text", "")) == \
        "There is news about till work."
    assert supervision._tray_text("Changed without approval: x", "warning") == \
        "A new alert is waiting."


@pytest.mark.usefixtures("english")
def test_a_till_line_beside_a_warning_keeps_the_warning(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    banner = main_window.banner
    banner.show_message("Changed without approval: petro", "warning")
    main_window.supervision._on_event(_waiting(what="open_cosign", amount="10",
                                               teller="y@demo.bank"))
    qtbot.waitUntil(lambda: "opened till T2" in banner.text(), timeout=5000)
    assert banner.text().startswith("Changed without approval: petro\n")
    assert banner.level == "warning"  # the news did not make the alert look like news
