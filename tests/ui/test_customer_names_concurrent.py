"""Customers' names for the inbox, the audit trail and the till reports are read a few at a
time: one GET after another took tens of seconds for hundreds of customers. Real sandbox:
the same names as read one by one, never more than 8 reads in flight and more than one at
once; a customer that cannot be read stays unnamed and the others are named."""

from __future__ import annotations

from typing import Any

import pytest

from teller_app.core.person_name import official_name
from teller_app.platform import PlatformError
from teller_app.ui.people_lookup import lookup_customer_names

from .conftest import new_customer, unique

pytestmark = pytest.mark.slow

CUSTOMERS = 24


def test_names_are_read_a_few_at_a_time(arun: Any, sandbox: Any, teller_session: Any,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    client = teller_session.client
    guids = []
    for i in range(CUSTOMERS):
        created = arun(client.create_customer(new_customer(
            sandbox, teller_session, surname=unique("Бондар"), name=f"Іван{i}")))
        guids.append(created.customer_guid)
    missing, broken = "00000000-0000-4000-8000-00000000dead", guids[3]
    asked = [*guids, missing, guids[0]]  # one not found, one asked twice

    # as the names were read before: one by one
    expected: dict[str, str] = {}
    for guid in asked:
        if guid in (missing, broken):
            continue
        c = arun(client.get_customer(guid))
        expected[guid] = official_name(c.surname, c.name, c.paternal_name) or c.login

    real = client.get_customer
    counts = {"now": 0, "most": 0, "calls": 0}

    async def counted(guid: str) -> Any:
        counts["now"] += 1
        counts["calls"] += 1
        counts["most"] = max(counts["most"], counts["now"])
        try:
            if guid == broken:
                raise PlatformError("unreadable")
            return await real(guid)
        finally:
            counts["now"] -= 1

    monkeypatch.setattr(client, "get_customer", counted)
    found = arun(lookup_customer_names(client, asked), timeout=60000)
    assert found == expected
    assert list(found) == list(expected)  # in the order asked, as before
    assert counts["calls"] == len(asked)
    assert 1 < counts["most"] <= 8
