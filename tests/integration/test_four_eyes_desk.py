"""Four eyes from the desk through the real hub and sandbox (Mode A): the one pipeline, remote
approval seen live by the maker, reject, withdraw, self-approval, changed-after-view, the
review probes of issue 10, both Mode-A Teller role setups, and the "nothing on the ledger"
bar (no marker customers, no requests in ``status``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from fe_stack import (
    SUPERVISOR,
    TELLER,
    Collector,
    set_teller_put,
    sign_in,
    start_fe_stack,
    workaround_leftovers,
)

from teller_app.core.approvals import (
    CUSTOMER_UPDATE,
    AlreadyDecided,
    ApprovalService,
    ChangedAfterView,
    NeedsApproval,
    RequestImmutable,
    SelfApprovalRefused,
    actor_from_session,
    approval_gate,
    decide_in_place,
)
from teller_app.core.approvals_feed import EventFeed
from teller_app.core.customers import CustomerService
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.core.session import Session
from teller_app.platform import AuthError, CustomerUpdate, PermissionDenied
from teller_app.platform.hub_models import ChangeRequest

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def fe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    stack = start_fe_stack(tmp_path_factory.mktemp("fe-desk"))
    try:
        yield stack
    finally:
        stack.stop()


class Desk:
    """One employee's desk: session, pipeline, approvals, live feed."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.customers = CustomerService(session.client, hub=session.hub,
                                         gate=approval_gate(session))
        self.approvals = ApprovalService(session.hub, actor_from_session(session),
                                         session.client, desk_id="test")
        self.events = Collector()
        assert session.hub is not None
        self.feed = EventFeed(session.hub)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> Desk:
        self._task = asyncio.get_running_loop().create_task(
            self.feed.run(self.events, lambda up: self._ready.set() if up else None))
        await asyncio.wait_for(self._ready.wait(), 10)
        return self

    async def close(self) -> None:
        self.feed.stop()
        if self._task is not None:
            self._task.cancel()
        await self.session.close()


@pytest_asyncio.fixture
async def desks(fe: EmbeddedStack) -> AsyncIterator[tuple[Desk, Desk]]:
    teller = await Desk(await sign_in(fe, TELLER)).start()
    supervisor = await Desk(await sign_in(fe, SUPERVISOR)).start()
    try:
        yield teller, supervisor
    finally:
        await teller.close()
        await supervisor.close()


_used: set[str] = set()


async def fresh_customer(desk: Desk) -> Any:
    """An enabled, active customer of the teller's branch no other test touched."""
    page = await desk.session.client.list_customers(is_disabled=False, limit=200,
                                                    branch_guids=[desk.session.branch_guid])
    for customer in page.customers:
        if customer.wallet_user_guid not in _used and (customer.status or "") != "blocked":
            _used.add(customer.wallet_user_guid)
            return customer
    raise AssertionError("no unused customer left")


async def request_disable(teller: Desk, customer: Any) -> ChangeRequest:
    guid = customer.wallet_user_guid
    with pytest.raises(NeedsApproval) as info:
        await teller.customers.update(guid, CustomerUpdate(is_disabled=True), customer)
    assert "is_disabled" in info.value.reasons
    after = await teller.session.client.get_customer(guid)
    assert after.is_disabled is False  # the pipeline wrote nothing
    return await teller.approvals.file_request(guid, info.value.change, "lost card")


@pytest.mark.asyncio
async def test_request_approve_applied_and_the_teller_sees_it_live(
        desks: tuple[Desk, Desk], fe: EmbeddedStack) -> None:
    teller, supervisor = desks
    customer = await fresh_customer(teller)
    request = await request_disable(teller, customer)
    assert request.maker == TELLER and request.state == "pending"
    assert request.change == {"is_disabled": True}
    # the supervisor's feed announces it; the inbox reads it from the hub
    await supervisor.events.wait_for(lambda e: e.kind == "request.filed"
                                     and e.request_id == request.id)
    shown = next(r for r in await supervisor.approvals.pending() if r.id == request.id)
    result = await supervisor.approvals.approve(shown, "ok")
    assert result.state == "applied" and result.checker == SUPERVISOR
    # the maker learns the outcome from the stream, not by asking
    event = await teller.events.wait_for(lambda e: e.request_id == request.id
                                         and e.kind == "request.applied")
    assert event.state == "applied"
    assert (await teller.session.client.get_customer(customer.wallet_user_guid)).is_disabled
    assert workaround_leftovers(fe.sandbox) == []


@pytest.mark.asyncio
async def test_reject_changes_nothing_and_needs_a_comment(desks: tuple[Desk, Desk]) -> None:
    teller, supervisor = desks
    customer = await fresh_customer(teller)
    request = await request_disable(teller, customer)
    result = await supervisor.approvals.reject(request, "not enough evidence")
    assert (result.state, result.comment) == ("rejected", "not enough evidence")
    await teller.events.wait_for(lambda e: e.request_id == request.id
                                 and e.kind == "request.rejected")
    after = await teller.session.client.get_customer(customer.wallet_user_guid)
    assert after.is_disabled is False and after.status == customer.status
    with pytest.raises(AlreadyDecided):  # and nobody can approve it afterwards
        await supervisor.approvals.approve(request)


@pytest.mark.asyncio
async def test_withdraw_by_the_maker_only(desks: tuple[Desk, Desk]) -> None:
    teller, supervisor = desks
    customer = await fresh_customer(teller)
    request = await request_disable(teller, customer)
    assert [r.id for r in await teller.approvals.mine(customer.wallet_user_guid)] == [request.id]
    await supervisor.events.wait_for(lambda e: e.request_id == request.id
                                     and e.kind == "request.filed")
    result = await teller.approvals.withdraw(request)
    assert result.state == "withdrawn"
    await supervisor.events.wait_for(lambda e: e.request_id == request.id
                                     and e.kind == "request.withdrawn")
    assert request.id not in {r.id for r in await supervisor.approvals.pending()}
    with pytest.raises(AlreadyDecided):
        await supervisor.approvals.approve(request)


@pytest.mark.asyncio
async def test_self_approval_is_refused(desks: tuple[Desk, Desk]) -> None:
    _teller, supervisor = desks
    customer = await fresh_customer(supervisor)
    own = await supervisor.approvals.file_request(
        customer.wallet_user_guid, {"kyc_level": 0}, "supervisor asks too")
    with pytest.raises(SelfApprovalRefused):
        await supervisor.approvals.approve(own)
    assert (await supervisor.approvals.get(own.id)).state == "pending"
    await supervisor.approvals.withdraw(own)


@pytest.mark.asyncio
async def test_changed_after_view_is_refused_and_nothing_applied(
        desks: tuple[Desk, Desk]) -> None:
    teller, supervisor = desks
    customer = await fresh_customer(teller)
    request = await request_disable(teller, customer)
    # what this desk displayed differs from the stored command (a stale or doctored view)
    shown = request.model_copy(update={"change_json": '{"is_disabled":false}'})
    with pytest.raises(ChangedAfterView):
        await supervisor.approvals.approve(shown)
    assert (await supervisor.approvals.get(request.id)).state == "pending"
    assert not (await teller.session.client.get_customer(customer.wallet_user_guid)).is_disabled
    await teller.approvals.withdraw(request)


@pytest.mark.asyncio
async def test_probe_a_filed_request_cannot_be_rewritten(desks: tuple[Desk, Desk]) -> None:
    """Review probe 1: the teller rewrote the request under the same id after the inbox
    showed "disable"; Approve then applied kyc 0 / balance 99 999 999 / segment vip."""
    teller, supervisor = desks
    customer = await fresh_customer(teller)
    request = await request_disable(teller, customer)
    forged = {"kyc_level": 0, "balance_allowed": "99999999", "segment": "vip"}
    with pytest.raises(RequestImmutable):
        await teller.approvals.file_request(customer.wallet_user_guid, forged, "x",
                                            request_id=request.id)
    result = await supervisor.approvals.approve(request)
    after = await teller.session.client.get_customer(customer.wallet_user_guid)
    assert result.state == "applied" and after.is_disabled is True
    assert after.kyc_level == customer.kyc_level and after.segment == customer.segment


@pytest.mark.asyncio
async def test_probe_a_forged_marker_customer_decides_nothing(
        desks: tuple[Desk, Desk], fe: EmbeddedStack) -> None:
    """Review probe 2: a teller-made ``approval-lock:<id>`` customer blocked a real Reject.
    Decisions live on the hub now; a look-alike customer is just a customer."""
    teller, supervisor = desks
    customer = await fresh_customer(teller)
    request = await request_disable(teller, customer)
    result = await supervisor.approvals.reject(request, "no")
    assert result.state == "rejected" and result.checker == SUPERVISOR


@pytest.mark.asyncio
async def test_probe_direct_status_edits_mode_a_detective_and_preventive(
        desks: tuple[Desk, Desk], fe: EmbeddedStack) -> None:
    """Review probe 3: a teller's PUT of ``active`` on a blocked customer (or of
    ``blocked\\u200b``) went straight through. Mode A with ``PUT customers``: the hub's
    watcher raises "changed without approval" to supervisors (detective). Without it: the
    platform refuses the PUT (preventive) and the change can only be a request."""
    teller, supervisor = desks
    customer = await fresh_customer(teller)
    guid = customer.wallet_user_guid
    # detective: the Teller role has PUT customers (the demo default)
    await teller.session.client.update_customer(guid, CustomerUpdate(status="blocked\u200b"))
    alert = await supervisor.events.wait_for(
        lambda e: e.kind == "alert.unapproved_change" and e.customer_guid == guid, 20)
    assert "status" in alert.fields
    # preventive: the bank takes PUT customers away from the Teller role
    await set_teller_put(fe, False)
    try:
        other = await fresh_customer(teller)
        with pytest.raises(PermissionDenied):
            await teller.session.client.update_customer(
                other.wallet_user_guid, CustomerUpdate(is_disabled=True))
        request = await request_disable(teller, other)  # the only way left: a request
        result = await supervisor.approvals.approve(request)
        assert result.state == "applied"  # executed with the supervisor's own session
        assert (await teller.session.client.get_customer(other.wallet_user_guid)).is_disabled
    finally:
        await set_teller_put(fe, True)


@pytest.mark.asyncio
async def test_in_place_approval_logs_the_checker_out(
        desks: tuple[Desk, Desk], fe: EmbeddedStack) -> None:
    """Local approval: the checker's credentials at the maker's desk decide one request;
    their platform session is revoked right after (Kratos logout)."""
    from fe_stack import profile
    from hub_stack_helpers import password_of

    from teller_app.core import approvals as approvals_module

    teller, _supervisor = desks
    customer = await fresh_customer(teller)
    request = await request_disable(teller, customer)
    seen: list[Any] = []
    original = approvals_module.close_everywhere

    async def spy(session: Any) -> None:
        seen.append(session.client.session_token)
        await original(session)

    approvals_module.close_everywhere = spy
    try:
        result = await decide_in_place(profile(fe), SUPERVISOR,
                                       password_of(fe.sandbox, SUPERVISOR), request,
                                       "approved", "at the desk")
    finally:
        approvals_module.close_everywhere = original
    assert result.state == "applied" and result.checker == SUPERVISOR
    token = seen[0]
    assert token  # the session existed, and is gone on the platform now:
    from teller_app.platform import PasswordLogin, PlatformClient

    sandbox = fe.sandbox
    stale = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                           auth=PasswordLogin(SUPERVISOR, None, session_token=token))
    async with stale:
        with pytest.raises(AuthError):
            await stale.whoami()
    # a teller typing their own credentials cannot decide
    with pytest.raises(Exception) as info:
        await decide_in_place(profile(fe), TELLER, password_of(sandbox, TELLER), request,
                              "rejected", "no")
    assert "Supervisor" in str(info.value) or isinstance(info.value, AlreadyDecided)


@pytest.mark.asyncio
async def test_the_gate_lets_harmless_and_checker_changes_through(
        desks: tuple[Desk, Desk]) -> None:
    teller, supervisor = desks
    customer = await fresh_customer(teller)
    guid = customer.wallet_user_guid
    # no approval needed: written directly
    updated = await teller.customers.update(guid, CustomerUpdate(paternal_name="Тестович"),
                                            customer)
    assert updated.paternal_name == "Тестович"
    # a checker writes directly (no request filed)
    await supervisor.customers.update(guid, CustomerUpdate(is_disabled=True), customer)
    assert (await teller.session.client.get_customer(guid)).is_disabled
    assert all(r.customer_guid != guid for r in await supervisor.approvals.pending())
    assert CUSTOMER_UPDATE == "customer_update"


@pytest.mark.asyncio
async def test_a_feed_ahead_of_the_hub_follows_it(desks: tuple[Desk, Desk],
                                                   fe: EmbeddedStack) -> None:
    """A desk whose last event id is past the hub's newest (the hub's database was restored
    or made anew: ids restarted) still hears the next events, instead of dropping them as
    already delivered until the ids pass its old cursor."""
    teller, _supervisor = desks
    supervisor = Desk(await sign_in(fe, SUPERVISOR))
    supervisor.feed.last_id = 10**12  # as before the replace
    await supervisor.start()
    try:
        assert supervisor.feed.last_id is not None and supervisor.feed.last_id < 10**12
        request = await request_disable(teller, await fresh_customer(teller))
        await supervisor.events.wait_for(lambda e: e.kind == "request.filed"
                                         and e.request_id == request.id)
    finally:
        await supervisor.close()


@pytest.mark.asyncio
async def test_a_decision_made_in_place_stands_when_the_logout_fails(
        desks: tuple[Desk, Desk], fe: EmbeddedStack) -> None:
    """The checker's short session decided; a logout that then fails is logged, never
    reported as a failed decision (the teller would file it again)."""
    from fe_stack import profile
    from hub_stack_helpers import password_of

    from teller_app.core import approvals as approvals_module

    teller, _supervisor = desks
    request = await request_disable(teller, await fresh_customer(teller))
    original = approvals_module.close_everywhere

    async def failing(session: Any) -> None:
        await original(session)
        raise RuntimeError("the hub went away during the logout")

    approvals_module.close_everywhere = failing
    try:
        result = await decide_in_place(profile(fe), SUPERVISOR,
                                       password_of(fe.sandbox, SUPERVISOR), request,
                                       "approved", "at the desk")
    finally:
        approvals_module.close_everywhere = original
    assert result.state == "applied" and result.checker == SUPERVISOR
