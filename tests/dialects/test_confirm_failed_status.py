"""Dialect ``confirm-failed-status``: a confirm refused at confirm time leaves the payment
``FAILED`` (§5.2 [A] "The simulator adds FAILED, for when signing returns 400/401 or
validation fails at confirm"; §7 #9), where the default sandbox leaves it ``CREATED``. The
answer is the same either way; a FAILED payment is final. Real sandboxes over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from tests.sandbox.sandbox_api import Api

DIALECT = "confirm-failed-status"
NOT_CREATED = "payment is not in CREATED status"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    proc = start_sandbox(tmp_path_factory.mktemp("sb-confirm-failed"), dialects=[DIALECT])
    assert proc.manifest["dialects"] == [DIALECT]
    client = Api(proc)
    yield client
    client.http.close()
    proc.stop()


def _draft(api: Api, sender: str, receiver: str, amount: float) -> str:
    resp = api.pay(sender, receiver, amount, confirm=False)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["guid"])


def _confirm(api: Api, guid: str, who: str = "admin@demo.bank") -> Any:
    return api.post("payments/confirm", who, json={"payment_guid": guid})


def _two_withdrawals(api: Api) -> tuple[str, str, str, str]:
    """(till, customer, first, second): two drafts of 60 on a balance of 100."""
    till = api.branch(0)["processing_account_guid"]
    customer = api.new_customer()["guid"]
    assert api.pay(till, customer, 100).status_code == 200
    return till, customer, _draft(api, customer, till, 60), _draft(api, customer, till, 60)


def test_a_confirm_refused_for_insufficient_balance_leaves_failed(api: Api) -> None:
    till, customer, first, second = _two_withdrawals(api)
    assert _confirm(api, first).status_code == 200
    before = api.get(f"payments/{second}").json()
    refused = _confirm(api, second)
    assert (refused.status_code, refused.json()) == (400, {"error": "insufficient balance"})
    after = api.get(f"payments/{second}").json()
    assert after["status"] == "FAILED" and after["updated_at"] > before["updated_at"]
    assert not after["stellar_info"]["hash"] and not after["confirmed_at"]
    listed = api.get("payments", params={"statuses": "FAILED", "payment_guids": second}).json()
    assert [p["guid"] for p in listed["payments"]] == [second]
    # final: the money comes back, the draft does not
    assert api.pay(till, customer, 100).status_code == 200
    again = _confirm(api, second)
    assert (again.status_code, again.json()["error"]) == (400, NOT_CREATED)
    assert api.get(f"payments/{second}").json()["status"] == "FAILED"
    assert api.balance(customer) == 140.0 and api.conservation()["conserved"]


def test_refusals_about_the_caller_leave_the_draft_created(api: Api) -> None:
    """Only the payment's own checks fail it: a branch refusal (403) says nothing of it."""
    till = api.branch(0)["processing_account_guid"]
    customer = api.new_customer(branch_guid=api.branch(0)["guid"])["guid"]
    deposit = _draft(api, till, customer, 10)
    other_branch = _confirm(api, deposit, "teller.lviv@demo.bank")
    assert other_branch.status_code == 403, other_branch.text
    assert api.get(f"payments/{deposit}").json()["status"] == "CREATED"
    assert _confirm(api, deposit).status_code == 200
    assert api.get(f"payments/{deposit}").json()["status"] == "CONFIRMED"


def test_the_default_sandbox_leaves_a_refused_draft_created(sandbox: SandboxProcess) -> None:
    """The other reading (the default): the same refusal, the draft still CREATED."""
    api = Api(sandbox)
    try:
        _till, _customer, first, second = _two_withdrawals(api)
        assert _confirm(api, first).status_code == 200
        refused = _confirm(api, second)
        assert (refused.status_code, refused.json()) == (400, {"error": "insufficient balance"})
        assert api.get(f"payments/{second}").json()["status"] == "CREATED"
    finally:
        api.http.close()


def test_signing_refused_by_the_bank_auth_service_leaves_failed(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """DCM cannot get the payer's key (the Auth Service does not answer): 401 as before, and
    the payment is FAILED."""
    # port 9 (discard) on loopback: nothing listens, every call is refused at once
    proc = start_sandbox(tmp_path_factory.mktemp("sb-confirm-failed-auth"),
                         "--bank-auth-url", "http://127.0.0.1:9", dialects=[DIALECT])
    api = Api(proc)
    try:
        till = api.branch(0)["processing_account_guid"]
        customer = api.get("customers", params={"limit": 1}).json()["customers"][0]
        account = api.get(f"customers/{customer['wallet_user_guid']}/accounts").json()
        deposit = _draft(api, till, account["accounts"][0]["guid"], 5)
        refused = _confirm(api, deposit)
        assert refused.status_code == 401, refused.text
        assert refused.json()["error"].startswith("bank auth service declined")
        assert api.get(f"payments/{deposit}").json()["status"] == "FAILED"
    finally:
        api.http.close()
        proc.stop()
