"""The approvals inbox lists every pending request, not the hub's first page of 500: the desk
reads the list page by page, and the hub's keyset (created_at, then id) neither skips nor
repeats requests filed in the same second at a page boundary. Over HTTP, on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fe_helpers import _client, new_customer
from hub_proc import PASSWORD, HubProc, add_employee, branches

from teller_app.core.approvals import Actor, ApprovalService
from teller_app.core.approvals_paging import PAGE, all_requests
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.session import HubLink
from teller_app.platform.hub_client import HubClient

FILED = PAGE + 7  # past the hub's largest page


@pytest.mark.slow
def test_every_pending_request_is_listed_across_pages(
        http: httpx.Client, hub: HubProc, sandbox: SandboxProcess) -> None:
    b0 = branches(sandbox)[0]
    teller = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
    sup = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
    customers = [new_customer(sandbox, b0) for _ in range(3)]
    asyncio.run(_check(hub, sandbox, teller, sup, customers))


async def _check(hub: HubProc, sandbox: SandboxProcess, teller: str, sup: str,
                 customers: list[str]) -> None:
    dcm = _client(sandbox)
    async with HubClient(hub.base_url) as teller_hub, HubClient(hub.base_url) as sup_hub:
        await teller_hub.open_password_session(teller, PASSWORD)
        await sup_hub.open_password_session(sup, PASSWORD)
        gate = asyncio.Semaphore(8)

        async def file(k: int) -> str:
            async with gate:
                filed = await teller_hub.file_request(
                    "customer_update", customers[k % len(customers)],
                    {"kyc_level": k % 2 + 1}, f"paging {k}")
                return filed.id

        ids = set(await asyncio.gather(*(file(k) for k in range(FILED))))
        assert len(ids) == FILED
        link = HubLink(sup_hub, dcm)
        pending = await ApprovalService(link, Actor(sup, b0_of(sup_hub), True)).pending()
        missing = ids - {r.id for r in pending}
        assert not missing, f"{len(missing)} of {FILED} pending requests not listed"
        assert len(pending) == len({r.id for r in pending})  # none twice
        mine = await ApprovalService(HubLink(teller_hub, dcm), Actor(teller)).mine()
        assert {r.id for r in mine} == ids and len(mine) == FILED

        # small pages: their boundaries fall inside seconds with many filings (the desk
        # files far more than 7 a second), where created_at alone cannot page
        small = await all_requests(link.call, states=("pending",), page=7)
        assert [r.id for r in small] == [r.id for r in pending]
        newest_first = sorted(small, key=lambda r: (-r.created_at, r.id))
        assert [r.id for r in small] == [r.id for r in newest_first]
    await dcm.aclose()


def b0_of(hub: HubClient) -> str:
    assert hub.session is not None
    return hub.session.employee.branch_guid or ""
