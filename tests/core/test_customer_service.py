"""CustomerService writes (fake client: what is PUT, in which order)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from teller_app.core.approval_codec import ChangeRequest, encode_status, split_status
from teller_app.core.customers import CustomerService
from teller_app.platform import CustomerUpdate


class FakeClient:
    def __init__(self, status: str) -> None:
        self.status = status
        self.puts: list[dict[str, Any]] = []

    async def get_customer(self, guid: str) -> Any:
        return SimpleNamespace(wallet_user_guid=guid, status=self.status)

    async def update_customer(self, guid: str, update: CustomerUpdate) -> None:
        body = update.wire()
        self.puts.append(body)
        if "status" in body:
            self.status = body["status"]


def _request(rid: str) -> ChangeRequest:
    return ChangeRequest(id=rid * 32, maker_guid="m", branch_guid="", created_at="t",
                         reason="because", change={"is_disabled": True})


def test_a_status_edit_keeps_the_request_as_it_is_now_not_as_the_form_saw_it() -> None:
    # The form opened while request "a" was pending; meanwhile it was decided and "b" filed.
    stale = encode_status("active", _request("a"))
    client = FakeClient(encode_status("active", _request("b")))
    service = CustomerService(client)
    asyncio.run(service.update("g1", CustomerUpdate(status=encode_status("inactive",
                                                                          _request("a")))))
    real, request = split_status(client.status)
    assert real == "inactive" and request is not None and request.id == "b" * 32
    assert stale not in client.puts[0]["status"]

    # A request decided meanwhile (no marker now) is not revived by the stale copy.
    client = FakeClient("active")
    asyncio.run(CustomerService(client).update("g1", CustomerUpdate(
        status=stale.replace("active", "pending", 1), name="N")))
    assert client.puts == [{"status": "pending", "name": "N"}]


def test_an_edit_without_status_is_sent_as_is() -> None:
    client = FakeClient("active")
    asyncio.run(CustomerService(client).update("g1", CustomerUpdate(name="N",
                                                                    branch_guid=None)))
    assert client.puts == [{"name": "N", "branch_guid": {"valid": False, "value": ""}}]
