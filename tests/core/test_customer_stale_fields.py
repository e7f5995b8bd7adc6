"""Two desks edit one customer (audit: desk B saved a surname, desk A then saved another from
its older copy and B's was silently lost). The re-read before the PUT refuses a field someone
changed since the form opened (``StaleFields``, nothing sent); a field nobody else touched,
and a save that already landed, go through. Real sandbox over HTTP."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from teller_app.core.customer_checks import StaleFields
from teller_app.core.customers import CustomerService
from teller_app.core.views import customer_from_platform
from teller_app.platform import CustomerUpdate
from tests.platform.sandbox_helpers import new_customer, password_client


def test_a_field_changed_at_another_desk_is_never_overwritten_from_an_older_copy(
        sandbox: Any) -> None:
    async def scenario() -> None:
        async with password_client(sandbox) as a, password_client(sandbox) as b:
            guid = (await a.create_customer(new_customer(sandbox, surname="Коваленко"))
                    ).customer_guid
            card_a = customer_from_platform(await a.get_customer(guid))  # A opens the form
            card_b = customer_from_platform(await b.get_customer(guid))  # B opens the form
            await CustomerService(b).update(guid, CustomerUpdate(surname="Коваленко-Б"),
                                            card_b)
            desk_a = CustomerService(a)
            with pytest.raises(StaleFields) as stale:
                await desk_a.update(guid, CustomerUpdate(surname="Коваленко-А"), card_a)
            assert stale.value.current == {"surname": "Коваленко-Б"}
            assert (await a.get_customer(guid)).surname == "Коваленко-Б"  # nothing sent
            # another field B did not touch goes through from the same older copy
            await desk_a.update(guid, CustomerUpdate(name="Олеся"), card_a)
            # the teller insists: the form now starts from what is there
            seen = dataclasses.replace(card_a, surname="Коваленко-Б")
            view = await desk_a.update(guid, CustomerUpdate(surname="Коваленко-А"), seen)
            assert (view.surname, view.name) == ("Коваленко-А", "Олеся")

    asyncio.run(scenario())


def test_a_save_that_already_landed_is_not_stale_and_every_changed_field_is_named(
        sandbox: Any) -> None:
    """A save whose value is already there (an earlier answer lost) goes through; each field
    changed meanwhile is named with its value now."""
    async def scenario() -> None:
        async with password_client(sandbox) as a:
            guid = (await a.create_customer(new_customer(sandbox, kyc_level=1))).customer_guid
            card = customer_from_platform(await a.get_customer(guid))
            service = CustomerService(a)
            await service.update(guid, CustomerUpdate(kyc_level=2, balance_allowed="0"), card)
            await a.update_customer(guid, CustomerUpdate(segment="vip"))  # another desk
            # the same save again (its answer was lost): kyc 2 is there, wanted, not stale
            await service.update(guid, CustomerUpdate(kyc_level=2), card)
            with pytest.raises(StaleFields) as stale:
                await service.update(guid, CustomerUpdate(segment="retail", kyc_level=3), card)
            assert stale.value.current == {"segment": "vip", "kyc_level": 2}

    asyncio.run(scenario())
