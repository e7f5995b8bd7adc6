"""What a teller's desk makes of the hub refusing a change onto a phone number another
customer holds before anything goes to a supervisor: the form's Save (the policy asked
first) and the change request's filing both end in ``PhoneTaken`` — the phone field marked,
the holders this teller can see named, nothing written or filed — never "needs approval"
nor "already decided". Mode B through the hub's proxy; real sandbox and hub, SQLite and
PostgreSQL; every number is new (the sandbox is shared)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import shared_hubs
from fe_helpers import new_customer, read_customer
from hub_proc import PASSWORD, HubProc, add_employee, branches
from test_phone_unique_changes import phone

from teller_app.core.approvals import Actor, ApprovalGate, ApprovalService
from teller_app.core.customer_checks import PhoneTaken
from teller_app.core.customers import CustomerService
from teller_app.core.session import HubLink
from teller_app.platform import CustomerUpdate, HubLogin, PlatformClient
from teller_app.platform.hub_client import HubClient
from teller_app.ui.approval_errors import approval_error_text

shared, main_hub = shared_hubs.fixtures("phone-filing-desk")


def _as_teller(hub_proc: HubProc, sandbox: Any, email: str, branch: str,
               act: Callable[[PlatformClient, HubLink, Actor], Awaitable[Any]]) -> Any:
    """``act``'s outcome (what it returned or raised) at a Mode-B teller's desk."""
    async def run() -> Any:
        hub = HubClient(hub_proc.base_url)
        try:
            async with PlatformClient(hub.base_url + "/dcm", sandbox.counterparty_guid,
                                      auth=HubLogin(hub, email, PASSWORD)) as client:
                try:
                    return await act(client, HubLink(hub, client, branch),
                                     Actor(email, branch, False))
                except Exception as exc:
                    return exc
        finally:
            await hub.aclose()
    return asyncio.run(run())


def _held_number(hub: HubProc, sandbox: Any) -> tuple[Any, str, str, str, str]:
    """(a new teller, their branch, a number customer ``holder`` holds, holder, customer b
    with a number of its own) in one Kyiv branch."""
    kyiv = branches(sandbox)[0]
    with hub.client() as http:
        teller = add_employee(http, hub, roles=["Teller"], branch_guid=kyiv)
    held = phone()
    holder = new_customer(sandbox, kyiv, phone_number=held)
    return teller, kyiv, held, holder, new_customer(sandbox, kyiv, phone_number=phone())


def test_a_maker_s_save_onto_a_held_number_marks_the_phone_before_any_request(
        qapp: Any, main_hub: HubProc, sandbox: Any) -> None:
    teller, kyiv, held, holder, b = _held_number(main_hub, sandbox)
    before = read_customer(sandbox, b)

    async def save(client: PlatformClient, link: HubLink, actor: Actor) -> Any:
        service = CustomerService(client, hub=None, gate=ApprovalGate(link, actor))
        return await service.update(b, CustomerUpdate(phone_number=held), before)

    refused = _as_teller(main_hub, sandbox, teller, kyiv, save)
    assert isinstance(refused, PhoneTaken), refused  # not NeedsApproval: no request opens
    assert [v.wallet_user_guid for v in refused.holders] == [holder]
    assert read_customer(sandbox, b).phone_number == before.phone_number


def test_a_change_request_filed_onto_a_held_number_is_refused_with_the_holder_named(
        qapp: Any, main_hub: HubProc, sandbox: Any) -> None:
    """The change request dialog files it (from a card): refused, said as the form says it."""
    teller, kyiv, held, holder, b = _held_number(main_hub, sandbox)

    async def file(client: PlatformClient, link: HubLink, actor: Actor) -> Any:
        service = ApprovalService(link, actor, client, "teller-desk")
        try:
            return await service.file_request(b, {"phone_number": held}, "new phone")
        finally:
            mine = await service.mine(b)
            assert mine == [], mine  # nothing went to a supervisor

    refused = _as_teller(main_hub, sandbox, teller, kyiv, file)
    assert isinstance(refused, PhoneTaken), refused
    assert [v.wallet_user_guid for v in refused.holders] == [holder]
    told = approval_error_text(refused)
    assert told.startswith("A customer with this phone number already exists"), told
    assert refused.holders[0].display_name in told
