"""The desk's audit entries always fit the hub's cap (8 KB of detail): a refused entry would
stay first in the desk's outbox and hold back every entry after it. Real hub, SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio

import httpx
from hub_proc import HubProc, add_employee, sign_in

from teller_app.core.audit import AuditAction, AuditOutbox, AuditTrail, make_entry


def test_a_huge_entry_is_cut_and_the_outbox_drains(hub: HubProc, http: httpx.Client,
                                                   tmp_path) -> None:  # type: ignore[no-untyped-def]
    headers = sign_in(http, add_employee(http, hub, roles=["Teller"], branch_guid=None,
                                         head_office=True))
    essay = "Клієнт просив " * 3000  # ~42 KB of text in a comment
    big = make_entry(AuditAction.CASH_CREATE, amount="10.00", comment=essay,
                     fields={str(i): "x" * 200 for i in range(100)})
    assert big.detail["truncated"] is True and big.detail["amount"] == "10.00"

    async def send(batch: list[dict[str, object]]) -> None:
        r = await asyncio.to_thread(http.post, "/api/v1/audit", headers=headers,
                                    json={"desk_id": "desk-fit", "entries": batch})
        assert r.status_code == 200, r.text

    box = AuditOutbox(tmp_path / "audit" / "p.outbox", b"k" * 32)
    trail = AuditTrail(box, send)
    trail.record(AuditAction.CASH_CREATE, amount="10.00", comment=essay)
    trail.record(AuditAction.CASH_CREATE, amount="20.00")
    assert asyncio.run(trail.flush()) == 2 and box.unsent() == []
