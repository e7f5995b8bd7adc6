"""A cash confirm whose answer was lost, then read back in a status the desk does not know (a
platform's in-between state, neither a draft nor confirmed nor failed): the outcome is not
known, and every line of the dialog says so. No line says "not confirmed", no Void, no
Confirm, Check again stays, the note says not to hand cash back or over; once the platform
shows the payment CONFIRMED, Check again gives the receipt. Real sandbox + hub (SQLite) over
HTTP; the fault is injected in front of the sandbox (the confirm reaches it and is applied,
its answer is lost, and the payment's reads are rewritten while the test says so)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hub"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))

from fe_helpers import ADMIN, open_cash_desk, password_of, start_fe_hub
from hub_proc import PASSWORD, add_employee, branches
from till_helpers import customer

from teller_app.core.cash import CashKind
from teller_app.core.views import CustomerView
from teller_app.platform import PasswordLogin, PlatformClient, RetryPolicy
from teller_app.platform.hub_client import HubClient
from teller_app.ui.async_op import OpRunner
from teller_app.ui.cash_dialog import CashDialog

pytestmark = pytest.mark.slow

DELAYS = (0.2, 0.2, 0.2)  # the re-reads' whole span, short
SAID_NOT_CONFIRMED = ("was not confirmed", "most likely not confirmed", "still a draft",
                      "as a draft", "refused")


class OddStatus(httpx.AsyncBaseTransport):
    """The real sandbox; a confirm is applied there but its answer is lost (a read timeout),
    and a read of one payment answers ``script``'s next status first, then ``status`` (None:
    the sandbox's own answer)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.guid = ""
        self.script: list[str] = []
        self.status: str | None = None
        self.confirms = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path.endswith("/payments/confirm"):
            self.confirms += 1
            response = await self.inner.handle_async_request(request)
            await response.aread()  # applied on DCM
            raise httpx.ReadTimeout("injected: the answer was lost", request=request)
        response = await self.inner.handle_async_request(request)
        if not (request.method == "GET" and self.guid and path.endswith("/" + self.guid)):
            return response
        status = self.script.pop(0) if self.script else self.status
        if status is None:
            return response
        body = json.loads(await response.aread())
        _rewrite(body, self.guid, status)
        headers = [(k, v) for k, v in response.headers.items()
                   if k.lower() not in ("content-length", "content-encoding")]
        return httpx.Response(response.status_code, headers=headers,
                              content=json.dumps(body).encode(), request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _rewrite(node: Any, guid: str, status: str) -> None:
    if isinstance(node, dict):
        if node.get("guid") == guid and "status" in node:
            node["status"] = status
        for value in node.values():
            _rewrite(value, guid, status)
    elif isinstance(node, list):
        for value in node:
            _rewrite(value, guid, status)


def _said(dialog: CashDialog) -> str:
    """Every line the dialog shows about the payment."""
    return "\n".join(x.text() for x in (dialog.note, dialog.error, dialog.caution,
                                        dialog.reference) if x.isVisibleTo(dialog))


def _assert_not_known(dialog: CashDialog) -> None:
    said = _said(dialog)
    assert "not known" in dialog.note.text() and "PROCESSING" in dialog.note.text(), said
    assert "do not hand cash back" in dialog.note.text(), said
    assert not dialog.error.text(), said
    for wrong in SAID_NOT_CONFIRMED:
        assert wrong not in said, said
    assert not dialog.void_button.isVisibleTo(dialog)
    assert not dialog.confirm_button.isVisibleTo(dialog)
    assert not dialog.receipt_button.isVisibleTo(dialog)
    assert dialog.check_button.isVisibleTo(dialog) and dialog.check_button.isEnabled()
    assert dialog.in_doubt and dialog.receipt is None


@pytest.mark.parametrize("first_read", ["PROCESSING", "CREATED"])
def test_an_unknown_status_after_a_lost_answer_is_not_known_in_every_line(
        qtbot: Any, arun: Any, qloop: Any, sandbox: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, english: None, first_read: str) -> None:
    """``first_read``: what the confirm's own read shows (the core's path, or the re-reads')."""
    import teller_app.ui.cash_dialog_parts as parts

    monkeypatch.setattr(parts, "RECHECK_DELAYS", DELAYS)
    hub = start_fe_hub(tmp_path / "hub", sandbox, None)
    transport = OddStatus()
    clients: list[Any] = []
    try:
        b0 = branches(sandbox)[0]
        with hub.client() as http:
            teller = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
            sup = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
        cust, _account = customer(sandbox, b0)
        dcm = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                             retry=RetryPolicy(attempts=1), transport=transport,
                             auth=PasswordLogin(ADMIN, password_of(sandbox, ADMIN)))
        th, sh = HubClient(hub.base_url), HubClient(hub.base_url)
        clients += [dcm, th, sh]
        arun(th.open_password_session(teller, PASSWORD))
        arun(sh.open_password_session(sup, PASSWORD))
        desk = arun(open_cash_desk(dcm, b0, th, sh, f"T-odd-{first_read[0]}",
                                   f"desk-odd-{first_read[0]}"), timeout=30000)
        ops = OpRunner()
        dialog = CashDialog(ops, desk.service, CustomerView(cust), CashKind.DEPOSIT)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.context is not None, timeout=15000)
        dialog.amount.setText("300.00")
        qtbot.waitUntil(dialog.create_button.isEnabled, timeout=15000)
        dialog.create_button.click()
        qtbot.waitUntil(lambda: dialog.draft is not None, timeout=15000)
        transport.guid = dialog.draft.payment_guid if dialog.draft else ""
        transport.script = [first_read]
        transport.status = "PROCESSING"
        dialog.confirm_button.click()
        # the confirm's answer is lost: the dialog reads, then reads again, and ends unsure
        qtbot.waitUntil(lambda: transport.confirms == 1 and not ops.is_busy() and bool(
            dialog.error.text() or "Check again" in dialog.note.text()), timeout=30000)
        _assert_not_known(dialog)
        dialog.check_button.click()  # still in the odd status: still not known
        qtbot.waitUntil(lambda: not ops.is_busy(), timeout=15000)
        _assert_not_known(dialog)
        assert transport.confirms == 1  # never sent again
        transport.status = None  # the platform shows what it did: CONFIRMED
        dialog.check_button.click()
        qtbot.waitUntil(lambda: dialog.receipt is not None, timeout=30000)
        assert dialog.receipt is not None and dialog.receipt.status == "CONFIRMED"
        assert not dialog.in_doubt and transport.confirms == 1
    finally:
        for client in clients:
            arun(client.aclose())
        hub.stop()
