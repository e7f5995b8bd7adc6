"""What the desk makes of the hub's one-customer-per-phone refusals on a change: an approval
refused for its number is told in the desk's words (who holds it, that the request still
waits), never as "already decided" nor the hub's raw English; and a supervisor's direct edit
in Mode B, refused by the proxy (409 ``phone_taken``), is ``PhoneTaken`` for the form (the
phone field marked, nothing lost). Filing: test_phone_unique_filing_desk. Real sandbox and
hub, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import shared_hubs
from fe_helpers import new_customer, read_customer
from hub_proc import PASSWORD, HubProc, add_employee, branches
from test_phone_unique_changes import _holder_of, phone

from teller_app.core.approvals import Actor, ApprovalError, ApprovalService, PhoneNumberTaken
from teller_app.core.customer_checks import PhoneTaken
from teller_app.core.customers import CustomerService
from teller_app.core.session import HubLink
from teller_app.platform import CustomerUpdate, HubLogin, PlatformClient
from teller_app.platform.hub_client import HubClient
from teller_app.ui.approval_errors import approval_error_text

shared, main_hub = shared_hubs.fixtures("phone-desk")


def test_an_approval_refused_for_its_number_is_told_in_the_desk_s_words(
        qapp: Any, main_hub: HubProc, sandbox: Any) -> None:
    """Filed while the number was free, taken before the approval: the hub refuses the
    approval (409 ``phone_taken``), which the desk tells as such — who holds the number, and
    that the request still waits — never as "someone else has already decided"."""
    _, teller, _ = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    kyiv = branches(sandbox)[0]
    with main_hub.client() as http:
        sup = add_employee(http, main_hub, roles=["Supervisor"], branch_guid=kyiv)
    wanted = phone()
    b = new_customer(sandbox, kyiv, phone_number=phone())
    req = shared_hubs.file_change(main_hub, teller, b, {"phone_number": wanted}, "new phone")
    holder = new_customer(sandbox, kyiv, phone_number=wanted)

    async def approve() -> tuple[BaseException | None, str]:
        hub = HubClient(main_hub.base_url)
        try:
            async with PlatformClient(hub.base_url + "/dcm", sandbox.counterparty_guid,
                                      auth=HubLogin(hub, sup, PASSWORD)) as client:
                service = ApprovalService(HubLink(hub, client, kyiv), Actor(sup, kyiv, True),
                                          client, "sup-desk")
                request = await service.get(req["id"])
                try:
                    await service.approve(request, "ok")
                except ApprovalError as exc:
                    return exc, (await service.get(req["id"])).state
                return None, request.state
        finally:
            await hub.aclose()

    refused, state = asyncio.run(approve())
    assert isinstance(refused, PhoneNumberTaken), refused
    assert [v.wallet_user_guid for v in refused.holders] == [holder]
    assert state == "pending"  # the approver may still reject it
    told = approval_error_text(refused)
    assert read_customer(sandbox, holder).login in told and "still waiting" in told, told
    assert "{" not in told and "already decided" not in told


def test_a_supervisor_s_direct_edit_onto_a_held_number_marks_the_phone(
        main_hub: HubProc, sandbox: Any) -> None:
    kyiv = branches(sandbox)[0]
    with main_hub.client() as http:
        sup = add_employee(http, main_hub, roles=["Supervisor"], branch_guid=kyiv)
    held = phone()
    new_customer(sandbox, kyiv, phone_number=held)
    b = new_customer(sandbox, kyiv, phone_number=phone())
    before = read_customer(sandbox, b)

    async def edit() -> BaseException | None:
        hub = HubClient(main_hub.base_url)
        try:
            async with PlatformClient(hub.base_url + "/dcm", sandbox.counterparty_guid,
                                      auth=HubLogin(hub, sup, PASSWORD)) as client:
                service = CustomerService(client, hub=None)
                try:
                    await service.update(b, CustomerUpdate(phone_number=held), before)
                except PhoneTaken as exc:
                    return exc
                return None
        finally:
            await hub.aclose()

    refused = asyncio.run(edit())
    assert isinstance(refused, PhoneTaken)
    assert [v.wallet_user_guid for v in refused.holders] == \
        [_holder_of(sandbox, held).wallet_user_guid]
    assert read_customer(sandbox, b).phone_number == before.phone_number
