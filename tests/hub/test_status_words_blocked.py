"""A status that reads as blocked or closed is one, on the hub, whatever the desk sent
(audit: "Заблокований" typed in the desk's Status box was stored as free text; it needed no
approval and the hub still paid cash, while the card told colleagues the customer was
blocked). DCM's ``status`` is free text (PLATFORM_API §3.2, FAQ 14), so the hub reads it as a
person would (``canon.status_key``): the policy's statuses in any case, their Ukrainian words
in every gender, and Latin/Cyrillic lookalikes. A change to or from such a status needs four
eyes (evaluate and the Mode-B proxy's PUT) and such a customer gets no cash. The same
number written otherwise is not a new phone number. Real sandbox and hub over HTTP, SQLite
and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fe_helpers import new_customer, read_customer
from staffed_hub import Staffed, staffed_hub
from till_helpers import customer, draft, set_customer_status

from teller_app.core.embedded_sandbox import SandboxProcess
from tests.phones import unused_phone

DESK = "desk-status-words"
# Each reads as "blocked" or "closed" (a Cyrillic "о" in the last but one, Latin "a", "p",
# "o" in the last).
READ_AS_BLOCKED = ("Заблокований", "ЗАБЛОКОВАНИЙ", "заблокована", "Заблоковано", "Закритий",
                   "закрита", "BLOCKED", "bl\u043ecked", "\u0437a\u043ap\u0438\u0442o")


class World(Staffed):
    def reasons(self, guid: str, change: dict[str, Any]) -> list[str]:
        r = self.http.post("/api/v1/policy/evaluate", headers=self.teller, json={
            "kind": "customer_update", "change": change, "customer_guid": guid})
        assert r.status_code == 200, r.text
        return list(r.json()["reasons"])

    def cash_reasons(self, payment_guid: str) -> list[str]:
        r = self.http.post("/api/v1/cash/authorize", headers={**self.teller, "X-Desk-ID": DESK},
                           json={"payment_guid": payment_guid})
        assert r.status_code == 200, r.text
        return list(r.json()["reasons"])


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with staffed_hub(tmp_path_factory.mktemp("status-words-hub"), sandbox, hub_db,
                     TELLER_HUB_WATCH="0") as staff:
        w = World(**staff.fields())
        w.open_till("T-words", {"note_500": 20}, DESK)
        yield w


def test_a_status_that_reads_as_blocked_needs_four_eyes(world: World,
                                                        sandbox: SandboxProcess) -> None:
    w = world
    guid = new_customer(sandbox, w.b0)
    for typed in READ_AS_BLOCKED:
        assert w.reasons(guid, {"status": typed}) == ["status"], typed
    assert w.reasons(guid, {"status": "Активний"}) == []  # active, as it is
    assert w.reasons(guid, {"status": "VIP, дзвонити після 18:00"}) == []  # free text
    # Mode B: the teller's own PUT of such a status is refused, nothing written
    path = f"/dcm/api/v1/counterparty/{sandbox.counterparty_guid}/customers/{guid}"
    r = w.http.put(path, headers=w.teller, json={"status": "Заблокована"})
    assert r.status_code == 403, r.text
    assert read_customer(sandbox, guid).status == "active"
    # out of it again (stored as typed, around the hub): four eyes too
    set_customer_status(sandbox, guid, "Заблокований")
    assert w.reasons(guid, {"status": "active"}) == ["status"]
    assert w.reasons(guid, {"status": "Клієнт на зв'язку"}) == ["status"]


def test_no_cash_for_a_status_that_reads_as_blocked(world: World,
                                                    sandbox: SandboxProcess) -> None:
    w = world
    cust, account = customer(sandbox, w.b0)
    dep = draft(sandbox, w.b0, account, "10.00")
    assert w.cash_reasons(dep) == []
    for typed in READ_AS_BLOCKED:
        set_customer_status(sandbox, cust, typed)
        assert w.cash_reasons(dep) == ["customer_blocked"], typed
    set_customer_status(sandbox, cust, "Активна")
    assert w.cash_reasons(dep) == []


def test_the_same_number_written_otherwise_is_no_new_phone(world: World,
                                                         sandbox: SandboxProcess) -> None:
    w = world
    number = unused_phone()  # "+380XXYYYZZWW"
    written = f"{number[:4]} {number[4:6]} {number[6:9]} {number[9:11]} {number[11:]}"
    guid = new_customer(sandbox, w.b0, phone_number=written)
    assert read_customer(sandbox, guid).phone_number == written
    assert w.reasons(guid, {"phone_number": number}) == []
    assert w.reasons(guid, {"phone_number": "0" + number[4:]}) == []
    assert w.reasons(guid, {"phone_number": unused_phone()}) == ["phone_number"]


def test_letters_drawn_alike_read_as_the_word_they_show() -> None:
    """"bIocked" (a capital I), "bl0cked", "cIosed" look like the words in the desk's font:
    they stop cash as those words do; an unrelated free text does not."""
    from teller_app.hub.cash_customer import stops_cash

    for shown in ("bIocked", "bl0cked", "BL0CKED", "cIosed", "cl0sed"):
        assert stops_cash(shown, ["blocked", "closed"]), shown
    assert not stops_cash("VIP", ["blocked", "closed"])
