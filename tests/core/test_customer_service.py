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
    asyncio.run(service.update("g1", CustomerUpdate(name="Ірина"), current))
    # a new phone number is sensitive by default too (one-time codes go to it)
    for change in (CustomerUpdate(kyc_level=1), CustomerUpdate(balance_allowed="1000.01"),
                   CustomerUpdate(status="closed"),
                   CustomerUpdate(phone_number="+380501112233")):
        with pytest.raises(HubUnavailable):
            asyncio.run(service.update("g1", change, current))
    assert client.puts == [{"name": "Ірина"}]


# -- against the real sandbox: lost answers are settled by reading ------------------------
def _teller(sandbox: Any, transport: Any = None) -> Any:
    from teller_app.platform import RetryPolicy
    from tests.platform.sandbox_helpers import password_client

    return password_client(sandbox, transport=transport,
                           retry=RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0))


def test_a_login_changed_after_a_lost_create_finds_the_earlier_customer(sandbox: Any) -> None:
    """The earlier attempt (login A) landed but its answer was lost; the teller changed the
    login to B: the uncertainty is about A, so A is looked up first and nothing is sent."""
    from teller_app.core.customers import CreateAttempts
    from tests.platform.sandbox_helpers import new_customer
    from tests.reliability.reliability_helpers import FaultyTransport

    async def scenario() -> None:
        earlier = new_customer(sandbox, surname="Раніший")
        async with _teller(sandbox) as setup:
            landed = await setup.create_customer(earlier)
        attempts = CreateAttempts(uncertain=earlier)
        changed = earlier.model_copy(update={"login": earlier.login + "9"})
        transport = FaultyTransport()
        async with _teller(sandbox, transport) as client:
            snapshot = await CustomerService(client).create(changed, attempts)
            assert await client.find_customer_by_login(changed.login or "") is None
        assert snapshot.customer.guid == landed.customer_guid
        assert snapshot.customer.login == earlier.login and attempts.uncertain is None
        assert transport.posts("/customers") == 0

    asyncio.run(scenario())


def test_a_login_changed_after_an_attempt_that_made_nobody_creates_the_new_one(
        sandbox: Any) -> None:
    from teller_app.core.customers import CreateAttempts
    from tests.platform.sandbox_helpers import new_customer

    async def scenario() -> None:
        earlier = new_customer(sandbox)  # never reached the platform
        attempts = CreateAttempts(uncertain=earlier)
        changed = earlier.model_copy(update={"login": earlier.login + "7"})
        async with _teller(sandbox) as client:
            snapshot = await CustomerService(client).create(changed, attempts)
            assert await client.find_customer_by_login(earlier.login or "") is None
        assert snapshot.customer.login == changed.login and attempts.uncertain is None

    asyncio.run(scenario())


def test_saving_again_after_a_lost_status_change_is_not_a_stale_status(sandbox: Any) -> None:
    """The status change landed, its answer and the read-back were lost; Save again finds
    the status the teller wanted, not "someone changed it meanwhile"."""
    from teller_app.platform import Timeout
    from tests.platform.sandbox_helpers import new_customer
    from tests.reliability.reliability_helpers import FaultyTransport

    async def scenario() -> None:
        async with _teller(sandbox) as setup:
            guid = (await setup.create_customer(new_customer(sandbox, status="active"))
                    ).customer_guid
        state = {"lose": True, "down": False}

        def fault(request: Any, _n: int) -> str | None:
            if state["down"]:
                return "drop-before"
            if request.method == "PUT" and state["lose"]:
                state.update(lose=False, down=True)
                return "lost"
            return None

        async with _teller(sandbox, FaultyTransport(fault)) as client:
            service = CustomerService(client)
            with pytest.raises(Timeout):
                await service.update(guid, CustomerUpdate(status="inactive"),
                                     status_was="active")
            state["down"] = False
            view = await service.update(guid, CustomerUpdate(status="inactive"),
                                        status_was="active")
        assert view.status == "inactive"

    asyncio.run(scenario())


def test_a_saved_change_whose_read_back_fails_is_still_saved(sandbox: Any) -> None:
    from tests.platform.sandbox_helpers import new_customer
    from tests.reliability.reliability_helpers import FaultyTransport

    async def scenario() -> None:
        async with _teller(sandbox) as setup:
            created = await setup.create_customer(new_customer(sandbox, name="Ігор"))
            current = await setup.get_customer(created.customer_guid)
        down = [False]

        def fault(request: Any, _n: int) -> str | None:
            if request.method == "PUT":
                down[0] = True
                return None
            return "drop-before" if down[0] else None

        async with _teller(sandbox, FaultyTransport(fault)) as client:
            view = await CustomerService(client).update(
                current.wallet_user_guid, CustomerUpdate(name="Ігорко"), current)
        assert (view.name, view.surname, view.login) == ("Ігорко", current.surname,
                                                          current.login)

    asyncio.run(scenario())
