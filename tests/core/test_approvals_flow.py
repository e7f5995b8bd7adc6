"""Change requests against the real sandbox: file, approve, reject, four eyes, the race."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from test_approvals_helpers import (
    ADMIN,
    LVIV_SUPERVISOR,
    SUPERVISOR,
    TELLER,
    actor_for,
    client_for,
    new_customer,
    profile_for,
    service_for,
)

from teller_app.core.approval_codec import split_status
from teller_app.core.approvals import (
    AlreadyDecided,
    ApprovalService,
    NotAllowed,
    RequestPending,
    SelfApprovalRefused,
    decide_with_credentials,
    requests_in,
)
from teller_app.platform import CustomerUpdate, NotFound, PermissionDenied


async def _close(*services: ApprovalService) -> None:
    for s in services:
        await s.client.aclose()


def test_sandbox_refuses_a_tellers_block(sandbox) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        teller = await client_for(sandbox, TELLER)
        try:
            guid = await new_customer(teller, sandbox)
            with pytest.raises(PermissionDenied):
                await teller.update_customer(guid, CustomerUpdate(is_disabled=True))
            with pytest.raises(PermissionDenied):
                await teller.update_customer(guid, CustomerUpdate(status="Blocked"))
            await teller.update_customer(guid, CustomerUpdate(status="VIP [[note]]"))
            assert (await teller.get_customer(guid)).status == "VIP [[note]]"
        finally:
            await teller.aclose()

    asyncio.run(scenario())


def test_teller_requests_block_supervisor_approves_from_own_session(sandbox) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        teller = await service_for(sandbox, TELLER)
        supervisor = await service_for(sandbox, SUPERVISOR)
        try:
            guid = await new_customer(teller.client, sandbox, status="active")
            since = (await teller.client.get_customer(guid)).updated_at
            request = await teller.file_request(guid, {"is_disabled": True}, "Втрата телефону")
            with pytest.raises(RequestPending):  # one pending request per customer
                await teller.file_request(guid, {"status": "blocked"}, "again")

            # The supervisor's workstation finds it by an incremental scan.
            changed, _newest = await supervisor.scan(since - timedelta(seconds=1))
            found = [r for r in requests_in(changed, actor_for(sandbox, SUPERVISOR).branch_guid)
                     if r.id == request.id]
            assert found and found[0].maker_guid == teller.actor.employee_guid
            assert found[0].reason == "Втрата телефону"

            decision = await supervisor.approve(guid, request.id, "ok")
            assert decision.outcome == "approved"
            assert decision.decider_guid == supervisor.actor.employee_guid

            # The teller's own session (what its cache sync reads) sees the result.
            page = await teller.client.list_customers(min_updated_at=since,
                                                      wallet_user_guids=[guid])
            after = page.customers[0]
            assert after.is_disabled is True and after.status == "active"
            assert (await teller.decision_for(request.id)).outcome == "approved"
            with pytest.raises(AlreadyDecided):
                await supervisor.reject(guid, request.id)
        finally:
            await _close(teller, supervisor)

    asyncio.run(scenario())


def test_reject_restores_the_real_status(sandbox) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        teller = await service_for(sandbox, TELLER)
        supervisor = await service_for(sandbox, SUPERVISOR)
        try:
            guid = await new_customer(teller.client, sandbox, status="VIP client")
            request = await teller.file_request(guid, {"status": "blocked"}, "Fraud suspected")
            stored = (await teller.client.get_customer(guid)).status
            assert split_status(stored)[0] == "VIP client"
            decision = await supervisor.reject(guid, request.id, "no evidence")
            assert decision.outcome == "rejected" and decision.comment == "no evidence"
            after = await teller.client.get_customer(guid)
            assert after.status == "VIP client" and after.is_disabled is False
        finally:
            await _close(teller, supervisor)

    asyncio.run(scenario())


def test_nobody_decides_their_own_request(sandbox) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        supervisor = await service_for(sandbox, SUPERVISOR)
        teller = await service_for(sandbox, TELLER)
        try:
            guid = await new_customer(supervisor.client, sandbox)
            request = await supervisor.file_request(guid, {"is_disabled": True}, "own")
            with pytest.raises(SelfApprovalRefused):
                await supervisor.approve(guid, request.id)
            with pytest.raises(NotAllowed):  # a teller may not decide at all
                await teller.approve(guid, request.id)
            with pytest.raises(NotAllowed):  # only the maker withdraws
                await teller.withdraw(guid, request.id)
            decision = await supervisor.withdraw(guid, request.id)
            assert decision.outcome == "withdrawn"
            assert (await supervisor.client.get_customer(guid)).is_disabled is False
        finally:
            await _close(supervisor, teller)

    asyncio.run(scenario())


def test_two_supervisors_race_exactly_one_wins(sandbox) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        teller = await service_for(sandbox, TELLER)
        kyiv = await service_for(sandbox, SUPERVISOR)
        head_office = await service_for(sandbox, ADMIN)
        try:
            for _round in range(3):
                guid = await new_customer(teller.client, sandbox)
                request = await teller.file_request(guid, {"is_disabled": True}, "race")
                results = await asyncio.gather(
                    kyiv.approve(guid, request.id, "kyiv"),
                    head_office.reject(guid, request.id, "head office"),
                    return_exceptions=True,
                )
                wins = [r for r in results if not isinstance(r, BaseException)]
                losses = [r for r in results if isinstance(r, AlreadyDecided)]
                assert len(wins) == 1 and len(losses) == 1, results
                winner = wins[0]
                assert losses[0].decision == await teller.decision_for(request.id)
                after = await teller.client.get_customer(guid)
                assert after.is_disabled is (winner.outcome == "approved")
                assert split_status(after.status)[1] is None
        finally:
            await _close(teller, kyiv, head_office)

    asyncio.run(scenario())


def test_in_place_approval_uses_a_throwaway_supervisor_session(sandbox) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        teller = await service_for(sandbox, TELLER)
        profile = profile_for(sandbox)
        sup = next(e for e in sandbox.manifest["employees"] if e["email"] == SUPERVISOR)
        try:
            guid = await new_customer(teller.client, sandbox)
            request = await teller.file_request(guid, {"is_disabled": True}, "at the desk")
            token_before = teller.client.session_token
            decision = await decide_with_credentials(
                profile, SUPERVISOR, sup["password"], guid, request.id, "approved", "seen ID")
            assert decision.decider_guid == sup["guid"]
            assert teller.client.session_token == token_before  # teller's session untouched
            assert (await teller.client.get_customer(guid)).is_disabled is True
            # The teller's own credentials cannot approve the teller's request.
            teller_pw = next(e for e in sandbox.manifest["employees"]
                             if e["email"] == TELLER)["password"]
            request2 = await teller.file_request(guid, {"is_disabled": False}, "back")
            with pytest.raises(SelfApprovalRefused):
                await decide_with_credentials(profile, TELLER, teller_pw, guid, request2.id,
                                              "approved")
        finally:
            await _close(teller)

    asyncio.run(scenario())


def test_interrupted_decision_resumes_and_cannot_flip(sandbox) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        teller = await service_for(sandbox, TELLER)
        kyiv = await service_for(sandbox, SUPERVISOR)
        other = await service_for(sandbox, ADMIN)
        try:
            guid = await new_customer(teller.client, sandbox)
            request = await teller.file_request(guid, {"is_disabled": True}, "crash test")
            real_apply = kyiv._apply

            async def crash(*_args: object) -> None:
                raise ConnectionError("network gone after the claim")

            kyiv._apply = crash  # type: ignore[method-assign]
            with pytest.raises(ConnectionError):
                await kyiv.approve(guid, request.id)
            kyiv._apply = real_apply  # type: ignore[method-assign]
            with pytest.raises(AlreadyDecided):  # the decision is fixed: nobody flips it
                await other.reject(guid, request.id)
            assert (await kyiv.approve(guid, request.id)).outcome == "approved"  # resumes
            assert (await teller.client.get_customer(guid)).is_disabled is True
        finally:
            await _close(teller, kyiv, other)

    asyncio.run(scenario())


def test_other_branch_supervisor_cannot_see_or_decide(sandbox) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        teller = await service_for(sandbox, TELLER)
        lviv = await service_for(sandbox, LVIV_SUPERVISOR)
        try:
            guid = await new_customer(teller.client, sandbox)
            request = await teller.file_request(guid, {"is_disabled": True}, "branch")
            changed, _ = await lviv.scan()
            assert request.id not in {r.id for r in requests_in(changed)}
            # 403 or 404, the platform's choice; never a decision
            with pytest.raises((PermissionDenied, NotFound)):
                await lviv.approve(guid, request.id)
        finally:
            await _close(teller, lviv)

    asyncio.run(scenario())


def test_tellers_cache_shows_the_approved_block_after_sync(sandbox, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from teller_app.core.cache_worker import CacheWorker
    from teller_app.core.sync import SyncEngine

    async def scenario() -> None:
        teller = await service_for(sandbox, TELLER)
        supervisor = await service_for(sandbox, SUPERVISOR)
        worker = CacheWorker()
        try:
            await worker.open(tmp_path / "cache.db", None)
            branch = actor_for(sandbox, TELLER).branch_guid
            sync = SyncEngine(teller.client, worker, [branch])
            guid = await new_customer(teller.client, sandbox)
            request = await teller.file_request(guid, {"is_disabled": True}, "lost card")
            await sync.sync_now()
            cached = await worker.get_customer(guid)
            assert cached is not None and not cached.is_disabled
            # The cached row carries the request too: any workstation's cache can list it.
            assert [r.id for r in requests_in([cached])] == [request.id]
            await supervisor.approve(guid, request.id)
            await sync.sync_now()
            cached = await worker.get_customer(guid)
            assert cached.is_disabled and cached.status == "active"
        finally:
            await worker.close()
            await _close(teller, supervisor)

    asyncio.run(scenario())


def test_incremental_scan_overlaps_the_previous_one() -> None:
    """A request committed late (its updated_at older than the newest row already seen) is
    still found: the next scan starts an overlap before the watermark, which never moves
    back."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from teller_app.core.approvals import SCAN_OVERLAP, Actor

    asked: list[dict] = []  # type: ignore[type-arg]
    t0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

    class Client:
        async def list_customers(self, **kwargs):  # type: ignore[no-untyped-def]
            asked.append(kwargs)
            since = kwargs.get("min_updated_at")
            rows = [SimpleNamespace(updated_at=t0 - timedelta(seconds=2)),
                    SimpleNamespace(updated_at=t0)]
            return [r for r in rows if since is None or r.updated_at >= since]

    service = ApprovalService(Client(), Actor("emp", "branch"))  # type: ignore[arg-type]
    changed, newest = asyncio.run(service.scan(t0))
    assert asked[0]["min_updated_at"] == t0 - SCAN_OVERLAP
    assert len(changed) == 2  # the late one (t0 - 2 s) is caught
    assert newest == t0
    _changed, newest = asyncio.run(service.scan(t0 + timedelta(seconds=1)))
    assert newest == t0 + timedelta(seconds=1)  # rows from the overlap do not move it back
