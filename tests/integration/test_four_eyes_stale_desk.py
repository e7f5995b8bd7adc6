"""Four eyes over a customer another desk changed after the request was filed (audit S2), at
the desks: the supervisor's inbox shows the phone "at filing → wanted, now …" once the request
is selected (read from DCM by the hub for that request only), the approval applies nothing and
says why in the desk's words, and the maker's request ends "failed" with that reason. Real
sandbox + hub processes, pytest-qt offscreen."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fe_stack import ADMIN, SUPERVISOR, TELLER, sign_in, start_fe_stack

from teller_app.core.approvals import (
    ApprovalService,
    NeedsApproval,
    actor_from_session,
    approval_gate,
)
from teller_app.core.customers import CustomerService
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.core.session import Session
from teller_app.core.views import customer_from_platform
from teller_app.platform import CustomerUpdate, NewCustomer
from teller_app.platform.hub_models import ChangeRequest
from teller_app.ui.approvals_drift import customer_changed_text
from teller_app.ui.approvals_inbox import ApprovalsInbox
from teller_app.ui.async_op import OpRunner

pytestmark = [pytest.mark.slow]
OLD, WANTED, OTHER = "+380501110000", "+380502220000", "+380503330000"


@pytest.fixture(autouse=True)
def _private(private_dirs: None) -> None:
    """Each test in its own dirs, with no OS keyring (conftest.private_dirs)."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    made = start_fe_stack(tmp_path_factory.mktemp("fe-stale"))
    yield made
    made.stop()


def _customers(session: Session) -> CustomerService:
    return CustomerService(session.client, hub=session.hub, gate=approval_gate(session))


async def _filed_phone_change(teller: Session, stack: EmbeddedStack) -> ChangeRequest:
    """A new customer (phone OLD) and the teller's request OLD → WANTED, as the probe files it."""
    sandbox, customers = stack.sandbox, _customers(teller)
    asset = sandbox.manifest["asset"]
    made = await customers.create(NewCustomer(
        asset_code=asset["code"], asset_issuer=asset["issuer"],
        login=f"stale-{uuid.uuid4().hex[:10]}@example.com", name="Тест", surname="Двостол",
        phone_number=OLD, branch_guid=sandbox.manifest["branches"][0]["guid"],
        status="active"))
    guid = made.customer.wallet_user_guid
    card = customer_from_platform(await teller.client.get_customer(guid))
    with pytest.raises(NeedsApproval) as needs:
        await customers.update(guid, CustomerUpdate(phone_number=WANTED), card)
    service = ApprovalService(teller.hub, actor_from_session(teller), teller.client,
                              desk_id="teller-desk")
    return await service.file_request(guid, needs.value.change, "customer's new phone")


def test_inbox_shows_what_moved_and_the_approval_says_why_nothing_applied(
        stack: EmbeddedStack, qtbot: Any, arun: Any) -> None:
    teller = arun(sign_in(stack, TELLER))
    checker = arun(sign_in(stack, ADMIN))  # head office, changes customers directly
    sup = arun(sign_in(stack, SUPERVISOR))
    request = arun(_filed_phone_change(teller, stack))
    guid = request.customer_guid
    assert request.before is not None and request.before["phone_number"] == OLD
    their_card = customer_from_platform(arun(checker.client.get_customer(guid)))
    arun(_customers(checker).update(guid, CustomerUpdate(phone_number=OTHER), their_card))

    async def no_names(_keys: list[str]) -> dict[str, str]:
        return {}

    ops = OpRunner()
    service = ApprovalService(sup.hub, actor_from_session(sup), sup.client, desk_id="sup-desk")
    inbox = ApprovalsInbox(ops, lambda: service, employee_names=no_names,
                           customer_names=no_names)
    qtbot.addWidget(inbox)
    inbox.show()
    try:
        inbox.reload()
        qtbot.waitUntil(lambda: request.id in inbox.model.pending_ids(), timeout=15000)
        row = inbox.model.pending_ids().index(request.id)
        assert inbox.model.rows[row].current is None  # a list read: no DCM read per row
        assert inbox.moved.isHidden()
        inbox.table.selectRow(row)
        qtbot.waitUntil(lambda: inbox.model.rows[row].current is not None, timeout=15000)
        assert inbox.model.rows[row].current == {"phone_number": OTHER}
        shown = inbox.model.data(inbox.model.index(row, inbox.model.CHANGE_COLUMN))
        plain = str(shown).replace("\u2068", "").replace("\u2069", "")  # values isolated
        assert f"phone: at filing {OLD} → wanted {WANTED}, now {OTHER}" in plain
        assert inbox.moved.isVisible() and "applies nothing" in inbox.moved.text()
        assert OTHER in inbox.moved.text()

        with qtbot.waitSignal(inbox.model.rowsRemoved, timeout=15000):
            inbox.approve_button.click()
        qtbot.waitUntil(lambda: "Not applied" in inbox.status.text(), timeout=15000)
        said = inbox.status.text()
        assert "someone else changed the customer" in said
        assert f"phone: was {OLD}, now {OTHER}" in said.replace("\u2068", "").replace("\u2069", "")
        assert "platform refused" not in said  # nothing was sent to the platform
    finally:
        ops.cancel_all()

    assert arun(teller.client.get_customer(guid)).phone_number == OTHER  # not overwritten
    maker = ApprovalService(teller.hub, actor_from_session(teller), teller.client)
    ended = arun(maker.get(request.id))
    assert ended.state == "failed"
    told = customer_changed_text(ended.result)  # what the maker's desk says of it
    assert told is not None and f"phone: was \u2068{OLD}\u2069, now \u2068{OTHER}\u2069" in told
    for session in (teller, checker, sup):
        arun(session.close())
