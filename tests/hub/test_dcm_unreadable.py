"""A hub that cannot read DCM just now for a check a call needs (the customer of a filing or
of a cash preview, a cash draft's payment) did nothing and says so: 503 with the code
``dcm_unreadable``, so a desk tells the teller the hub could not read the platform (not that
the hub cannot be reached) and stays online. Real sandbox and hub (DCM's address: nothing
listens), SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from fe_helpers import start_fe_hub
from hub_proc import (
    PASSWORD,
    HubProc,
    add_employee,
    branches,
    free_port,
    sign_in,
)

from teller_app.core.approvals import CUSTOMER_UPDATE, Actor, ApprovalGate
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.session import HubLink
from teller_app.core.views import CustomerView
from teller_app.platform import PasswordLogin, PlatformClient
from teller_app.platform.errors import HubCheckUnavailable
from teller_app.platform.hub_client import HubClient


def _unreadable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "dcm_unreadable", r.text


def test_a_filing_while_dcm_does_not_answer_is_a_503_dcm_unreadable_and_files_nothing(
        blind_hub: HubProc, sandbox: SandboxProcess) -> None:
    kyiv = branches(sandbox)[0]
    customer = str(uuid.uuid4())
    with blind_hub.client() as http:
        who = sign_in(http, add_employee(http, blind_hub, branch_guid=kyiv))
        _unreadable(http.post("/api/v1/requests", headers=who, json={
            "kind": "customer_update", "customer_guid": customer,
            "change": {"name": "Олена"}, "reason": "DCM is down"}))
        # nothing was filed
        listed = http.get("/api/v1/requests", headers=who, params={"mine": True})
        assert listed.status_code == 200, listed.text
        assert [r for r in listed.json()["requests"] if r["customer_guid"] == customer] == []
        # the cash preview of a customer reads DCM the same way
        _unreadable(http.post("/api/v1/cash/preview", headers=who, json={
            "kind": "deposit", "amount": "100.00", "customer_guid": customer}))
        # and a cash draft to authorize (its payment)
        _unreadable(http.post("/api/v1/cash/authorize", json={
            "payment_guid": str(uuid.uuid4())}, headers={**who, "X-Desk-ID": "desk-1"}))


def test_a_confirm_through_the_proxy_while_dcm_does_not_answer_is_a_503_dcm_unreadable(
        hub_db: str | None, sandbox: SandboxProcess,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Mode B: the proxy's check of a cash confirm cannot read the payment: the same code,
    so the desk's platform client says the hub could not read the platform (nothing sent)."""
    kyiv = branches(sandbox)[0]
    hub = start_fe_hub(tmp_path_factory.mktemp("blind-proxy-hub"), sandbox, hub_db,
                       TELLER_HUB_WATCH="0",
                       TELLER_HUB_DCM_URL=f"http://127.0.0.1:{free_port()}")
    try:
        with hub.client() as http:
            sup = sign_in(http, add_employee(http, hub, roles=["Supervisor"],
                                             branch_guid=kyiv))
            _unreadable(http.post(
                f"/dcm/api/v1/counterparty/{sandbox.counterparty_guid}/branch/{kyiv}"
                "/payments/confirm", headers=sup, json={"payment_guid": str(uuid.uuid4())}))
    finally:
        assert hub.stop() == 0, hub.log()[-2000:]


def test_a_save_the_defaults_let_through_is_not_stopped_by_a_hub_that_cannot_read_dcm(
        blind_hub: HubProc, sandbox: SandboxProcess) -> None:
    """The desk's check before a Save (Mode A): the hub answered that it could not read the
    customer, so there is no verdict; as when the hub is away, the platform-wide defaults
    decide (a name passes, a new phone number does not), not a refusal of every Save."""
    kyiv = branches(sandbox)[0]
    with blind_hub.client() as http:
        teller = add_employee(http, blind_hub, roles=["Teller"], branch_guid=kyiv)
    guid = str(uuid.uuid4())
    current = CustomerView(guid, phone_number="+380501234567", branch_guid=kyiv,
                           kyc_level=2, segment="retail", status="active")

    async def check(change: dict[str, str]) -> None:
        dcm = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                             auth=PasswordLogin(teller, PASSWORD))
        async with HubClient(blind_hub.base_url) as hub:
            await hub.open_password_session(teller, PASSWORD)
            gate = ApprovalGate(HubLink(hub, dcm, kyiv), Actor(teller, kyiv))
            try:
                await gate.check(CUSTOMER_UPDATE, guid, change, current)
            finally:
                await dcm.aclose()

    asyncio.run(check({"name": "Олена"}))  # passes: the defaults do not flag a name
    with pytest.raises(HubCheckUnavailable) as refused:
        asyncio.run(check({"phone_number": "+380679999999"}))
    assert refused.value.reason == "dcm_unreadable"
