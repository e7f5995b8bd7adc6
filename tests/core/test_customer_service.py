"""CustomerService writes through the one four-eyes pipeline (fake client and gate: what is
PUT, and that nothing is PUT when a second person is needed)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from teller_app.core.approvals import Actor, ApprovalGate, NeedsApproval
from teller_app.core.customers import CustomerService
from teller_app.platform import Customer, CustomerUpdate


class FakeClient:
    def __init__(self, status: str = "active") -> None:
        self.status = status
        self.puts: list[dict[str, Any]] = []

    async def get_customer(self, guid: str) -> Any:
        return Customer(wallet_user_guid=guid, status=self.status, is_disabled=False)

    async def update_customer(self, guid: str, update: CustomerUpdate) -> None:
        self.puts.append(update.wire())


class RefusingGate(ApprovalGate):
    def __init__(self) -> None:
        super().__init__(None, Actor("teller@x"))
        self.checked: list[dict[str, Any]] = []

    async def check(self, kind: str, customer_guid: str, change: Any, current: Any = None
                    ) -> None:
        self.checked.append(dict(change))
        raise NeedsApproval(customer_guid, dict(change), None)


def test_a_status_edit_is_sent_exactly_as_typed() -> None:
    client = FakeClient()
    asyncio.run(CustomerService(client).update("g1", CustomerUpdate(status="inactive")))
    assert client.puts == [{"status": "inactive"}]  # no request riding in the status


def test_needs_approval_writes_nothing() -> None:
    client = FakeClient()
    gate = RefusingGate()
    service = CustomerService(client, gate=gate)
    with pytest.raises(NeedsApproval) as info:
        asyncio.run(service.update("g1", CustomerUpdate(is_disabled=True)))
    assert client.puts == [] and info.value.change == {"is_disabled": True}


def test_without_a_hub_a_teller_may_make_harmless_changes_only() -> None:
    client = FakeClient()
    current = Customer(wallet_user_guid="g1", status="active", is_disabled=False)
    service = CustomerService(client, gate=ApprovalGate(None, Actor("teller@x")))
    asyncio.run(service.update("g1", CustomerUpdate(name="N"), current))
    with pytest.raises(NeedsApproval):
        asyncio.run(service.update("g1", CustomerUpdate(status="Blocked "), current))
    assert client.puts == [{"name": "N"}]


def test_a_checker_writes_directly() -> None:
    client = FakeClient()
    service = CustomerService(client, gate=ApprovalGate(None, Actor("sup@x", is_checker=True)))
    asyncio.run(service.update("g1", CustomerUpdate(is_disabled=True)))
    assert client.puts == [{"is_disabled": True}]


def test_hub_down_harmless_changes_go_through_sensitive_ones_wait() -> None:
    from teller_app.platform import HubUnavailable

    class DownLink:
        async def call(self, fn: Any) -> Any:
            raise HubUnavailable("the Teller Hub cannot be reached")

    client = FakeClient()
    current = Customer(wallet_user_guid="g1", status="active", is_disabled=False,
                       kyc_level=2, balance_allowed="1000")
    service = CustomerService(client, gate=ApprovalGate(DownLink(), Actor("teller@x")))  # type: ignore[arg-type]
    asyncio.run(service.update("g1", CustomerUpdate(phone_number="+380501112233"), current))
    for change in (CustomerUpdate(kyc_level=1), CustomerUpdate(balance_allowed="1000.01"),
                   CustomerUpdate(status="closed")):
        with pytest.raises(HubUnavailable):
            asyncio.run(service.update("g1", change, current))
    assert client.puts == [{"phone_number": "+380501112233"}]
