"""Who holds a phone number, as the create form shows it: the encrypted branch cache first
(it indexes every written form of a stored number), then the platform's ``phone_numbers``
filter for whatever the cache does not hold (a number written "0..." on the platform too).
The customer being edited is never their own holder. Real SQLCipher cache, real sandbox."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from teller_app.core.cache_worker import CacheWorker
from teller_app.core.customers import CustomerService
from tests.phones import unused_phone
from tests.platform.sandbox_helpers import new_customer, password_client


def _number() -> str:
    return unused_phone()


def test_the_cache_answers_first_then_the_platform(sandbox: Any, tmp_path: Path) -> None:
    cached, on_platform = _number(), _number()

    async def scenario() -> None:
        worker = CacheWorker()
        await worker.open(tmp_path / "c.db", bytes(32))
        try:
            # only in this desk's cache (the platform has no such customer)
            await worker.upsert_customers([{"wallet_user_guid": "cached-1",
                                            "surname": "Кешовий", "name": "Іван",
                                            "phone_number": cached}])
            async with password_client(sandbox) as client:
                made = await client.create_customer(new_customer(
                    sandbox, surname="Платформенко", phone_number="0" + on_platform[4:]))
                service = CustomerService(client, cache=worker)
                found = await service.phone_holders("0" + cached[4:])  # typed nationally
                assert [h.guid for h in found] == ["cached-1"]
                found = await service.phone_holders(on_platform)  # stored as "0...": found
                assert [h.guid for h in found] == [made.customer_guid]
                assert found[0].surname == "Платформенко"
                assert await service.phone_holders(on_platform, made.customer_guid) == []
                assert await service.phone_holders(_number()) == []
                assert await service.phone_holders("12345") == []  # not a number at all
        finally:
            await worker.close()

    asyncio.run(scenario())
