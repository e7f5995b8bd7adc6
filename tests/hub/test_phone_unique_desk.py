"""What the desk makes of the hub's one-customer-per-phone refusals on a change: a request
that ended "not applied" for its number is told in the desk's words (who holds it, when the
hub names them), never the hub's raw English and JSON; and a supervisor's direct edit in
Mode B, refused by the proxy (409 ``phone_taken``), is ``PhoneTaken`` for the form (the
phone field marked, nothing lost). Real sandbox and hub, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import shared_hubs
from fe_helpers import new_customer, read_customer
from hub_proc import PASSWORD, HubProc, add_employee, branches
from test_phone_unique_changes import _approve, _holder_of, phone

from teller_app.core.customer_checks import PhoneTaken
from teller_app.core.customers import CustomerService
from teller_app.platform import CustomerUpdate, HubLogin, PlatformClient
from teller_app.platform.hub_client import HubClient
from teller_app.ui.approvals_drift import not_applied_text

shared, main_hub = shared_hubs.fixtures("phone-desk")


def test_a_change_ended_for_its_number_is_told_in_the_desk_s_words(
        qapp: Any, main_hub: HubProc, sandbox: Any) -> None:
    _, teller, sup = shared_hubs.teller_and_supervisor(main_hub, sandbox)
    kyiv = branches(sandbox)[0]
    held = phone()
    new_customer(sandbox, kyiv, phone_number=held)
    b = new_customer(sandbox, kyiv, phone_number=phone())
    req = shared_hubs.file_change(main_hub, teller, b, {"phone_number": held}, "new phone")
    done = _approve(main_hub, sup, req)
    assert done["state"] == "failed", done
    told = not_applied_text(done["result"])
    assert told is not None and _holder_of(sandbox, held).login in told
    assert "{" not in told and "the bank's rule" in told  # words, not the hub's JSON


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
