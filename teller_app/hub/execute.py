"""The hub executes exactly the stored change of an approved command on DCM.

Mode A (approver signed in with DCM): the approver's DCM session token, passed in the
approve call for that call only — never stored, never logged. Mode B (hub employee): a
bank JWT minted with the hub's own key for the approver (``sub`` = their e-mail).

A crash between the decision and the result leaves ``approved`` with
``execution_started_at``, a marker a running execution renews (``execution_lease``); once it
is stale, ``resume`` (at start-up, periodically, or via the endpoint) first
re-reads DCM: a change already there is marked applied (never applied twice), otherwise it
is applied (Mode B, or Mode A with a fresh token) or reported to supervisors.

A customer change is written only onto the customer it was judged against: read right before
the PUT, after its decision (so a sibling change on the same customer applied in between shows
as drift: ``commands.decide`` lets one execute at a time per customer), a field another desk
changed since filing ends it ``failed`` (``customer_drift``); so does a new phone number
another customer holds on DCM, while the bank's rule wants one customer per number
(``phone_holders``).

A request on the hub's own settings (``bank_settings``: policy, cash limits) touches no DCM
and needs no platform session: it is applied with its end in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import logging
import os
import time
from collections.abc import Coroutine
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from teller_app.platform import (
    CustomerUpdate,
    PasswordLogin,
    PlatformClient,
    PlatformError,
    Timeout,
    Unavailable,
)
from teller_app.platform.models import Customer, PaymentStatus

from . import bank_settings, commands, customer_drift, execute_cash, phone_holders, vault
from .canon import sha256_hex
from .commands import Command
from .db import now
from .dcm_connections import DcmConnections
from .dcm_reader import Reader as Reader  # importable from here too (the cash watcher, tests)
from .dcm_reader import bank_auth as _bank_auth  # Mode B's login (tests import it from here)
from .errors import HubError
from .execution_lease import (
    deadline_seconds,
    held,
    in_doubt_grace_seconds,
    in_doubt_since,
    mark_in_doubt,
    stale_seconds,
)
from .state import HubState

log = logging.getLogger("teller_hub.four_eyes")
CRASH_AFTER_DECISION = "TELLER_HUB_TEST_CRASH_AFTER_DECISION"  # fault injector (tests only)
CRASH_AFTER_EXECUTION = "TELLER_HUB_TEST_CRASH_AFTER_EXECUTION"


def crash_point(name: str) -> None:
    if os.environ.get(name) == "1":
        os._exit(99)  # a fault injector: the process dies as if killed -9


def already_applied(change: dict[str, Any], customer: Customer) -> bool:
    data = customer.model_dump()
    return all(customer_drift.same(k, v, data.get(k)) for k, v in change.items())


@dataclasses.dataclass(frozen=True)
class Resumer:
    """An approver who resumed an interrupted execution: its actor from then on (their
    platform session, or a bank JWT in their name, is what DCM sees), not the first approver."""

    email: str
    desk_id: str = ""


def change_intact(cmd: Command) -> bool:
    """The stored change is still the one filed and approved (its SHA-256): a row altered
    in the database since is never executed."""
    return hmac.compare_digest(sha256_hex(cmd.change_json), cmd.sha256)


ALTERED = ("not executed: the stored change no longer matches its SHA-256 (altered after it "
           "was filed)")


class Executor:
    def __init__(self, state: HubState, reader: Reader,
                 connections: DcmConnections | None = None) -> None:
        self.state = state
        self.reader = reader
        # one pool of DCM connections for every execution of this process (closed at its
        # shutdown, ``fe_runtime``): each execution's client keeps its own credentials
        self.connections = connections or DcmConnections()
        self._running: set[asyncio.Future[Command]] = set()  # shielded: kept referenced
        self._settling: set[asyncio.Future[Command]] = set()  # lost confirms read on DCM

    def _client(self, cmd: Command, session_token: str | None) -> PlatformClient:
        s = self.state.settings
        assert cmd.checker is not None
        if cmd.checker_source == "dcm":
            if not session_token:
                raise HubError(422, "Mode A: give your platform session_token to execute")
            auth: Any = PasswordLogin(cmd.checker, None, session_token=session_token)
        else:
            auth = _bank_auth(self.state, cmd.checker)
        return PlatformClient(s.dcm_url, s.dcm_counterparty, auth=auth, timeout=10.0,
                              transport=self.connections.transport(s.dcm_url))

    async def _apply(self, client: PlatformClient, cmd: Command, actor: str) -> None:
        """``actor``: the approver, or who resumed (their name on DCM's side too)."""
        change = cmd.change
        # a cash draft is checked right before its confirm (execute_cash.check_before_confirm):
        # voided after the approval (a void may have committed first), it is never confirmed
        if cmd.kind == "customer_update":
            # applied only onto the customer it was judged against (customer_drift); DCM has
            # no ETag, so this read narrows the lost-update window, it cannot close it. Read
            # here, after the decision, never the approval's read before it: a sibling change
            # applied in between is drift ("changed since filing"), not overwritten
            customer = await client.get_customer(cmd.customer_guid)
            moved = customer_drift.drift(cmd, customer)
            if moved:
                raise customer_drift.CustomerChanged(moved)
            holder = await phone_holders.change_holder(
                self.state.engine, self.reader, cmd.customer_guid, customer.phone_number,
                change.get("phone_number"))
            if holder is not None:  # one customer per phone number: read, nothing written
                raise phone_holders.PhoneHeld(holder)
            await client.update_customer(cmd.customer_guid,
                                         CustomerUpdate.model_validate(change))
        elif cmd.kind == "cash_confirm" and cmd.checker_source != "dcm":
            await execute_cash.confirm(self.state, client, actor, change)
        elif cmd.kind == "cash_confirm":
            guid = str(change["payment_guid"])
            _, draft = await execute_cash.read_to_confirm(client, guid)  # read once
            await execute_cash.check_before_confirm(self.state, actor, change, draft)
            await client.confirm_payment(guid, branch_guid=change.get("branch_guid") or None)
        else:
            raise HubError(422, f"unknown request kind {cmd.kind}")

    async def _is_done(self, cmd: Command) -> bool:
        return await self._on_dcm(cmd) == "applied"

    async def _on_dcm(self, cmd: Command) -> str:
        """What DCM shows of the command: "applied", "failed" (a cash draft DCM shows FAILED:
        final, never confirmed) or "open"."""
        if cmd.kind == "customer_update":
            done = already_applied(cmd.change, await self.reader.customer(cmd.customer_guid))
            return "applied" if done else "open"
        client = await self.reader.client()
        payment = await client.get_payment(str(cmd.change["payment_guid"]), False)
        if payment.status == PaymentStatus.CONFIRMED:
            return "applied"
        return "failed" if payment.status == PaymentStatus.FAILED else "open"

    async def execute(self, cmd: Command, session_token: str | None) -> Command:
        """Run an approved command now (the caller decided or claimed it). It runs to its end
        even if the caller goes away (an approver's desk disconnecting mid-call), holding
        its execution lease meanwhile."""
        return await self._shielded(cmd, self._execute(cmd, session_token))

    def executions(self) -> list[asyncio.Future[Command]]:
        """Executions in progress (an approver may be waiting for one); not the settling of
        a lost confirm, which reads DCM for up to a minute (any process's resume loop
        finishes it)."""
        return list(self._running)

    async def _shielded(self, cmd: Command, work: Coroutine[Any, Any, Command]) -> Command:
        """``work`` under the command's execution lease, run to its end even if the caller
        is cancelled (kept referenced meanwhile)."""
        async def leased() -> Command:
            async with held(self.state.engine, cmd.id, cmd.execution_started_at):
                return await work

        # named: a shutdown that leaves it running says which request (``task_stop``)
        task = asyncio.create_task(leased(), name=f"execution {cmd.kind} {cmd.id}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return await asyncio.shield(task)

    async def _execute(self, cmd: Command, session_token: str | None,
                       by: Resumer | None = None) -> Command:
        if not change_intact(cmd):
            log.warning("stored change altered", extra={"request_id": cmd.id})
            return await self._finish(cmd, False, ALTERED, by)
        if bank_settings.is_local(cmd.kind):  # the hub's own settings: no DCM, no token
            done = await bank_settings.execute(self.state.engine, cmd)
            log.info("request executed", extra={"request_id": cmd.id,
                                                "applied": done.state == commands.APPLIED})
            return done
        try:
            # resumed: in the name of who resumed (their session; a bank JWT for them)
            client = self._client(dataclasses.replace(cmd, checker=by.email) if by else cmd,
                                  session_token)
        except HubError as exc:
            return await self._finish(cmd, False, f"not executed: {exc.message}", by)
        try:
            async with asyncio.timeout(deadline_seconds()):
                await self._apply(client, cmd, by.email if by else str(cmd.checker))
        except customer_drift.CustomerChanged as exc:  # read, nothing written
            log.info("request not applied: customer changed", extra={"request_id": cmd.id})
            return await self._finish(cmd, False, exc.result, by)
        except phone_holders.PhoneHeld as exc:  # read, nothing written
            log.info("request not applied: phone number taken", extra={"request_id": cmd.id})
            return await self._finish(
                cmd, False, phone_holders.taken_result(exc.holder, cmd.branch_guid), by)
        except HubError as exc:  # refused here, before anything was sent
            return await self._finish(cmd, False, f"not executed: {exc.message}", by)
        except (Timeout, Unavailable, TimeoutError) as exc:
            # the write may or may not have happened: look before saying anything
            if await self._found_done(cmd):
                return await self._finish(cmd, True, commands.FOUND_CONFIRMED_AFTER_NO_ANSWER
                                          if cmd.kind == "cash_confirm" else "applied", by)
            message = exc.message if isinstance(exc, PlatformError) else "no answer in time"
            if cmd.kind == "cash_confirm":  # DCM may apply it late: settled by reading DCM
                return await self._in_doubt(cmd, f"DCM did not answer the confirm ({message})",
                                            by)
            return await self._finish(cmd, False, f"DCM unreachable, not applied: {message}",
                                      by)
        except PlatformError as exc:
            # refused, e.g. a confirm of a payment an earlier execution already confirmed
            if await self._found_done(cmd):
                return await self._finish(cmd, True, "applied (already on DCM)", by)
            return await self._finish(cmd, False, exc.message or type(exc).__name__, by)
        finally:
            await client.aclose()
        crash_point(CRASH_AFTER_EXECUTION)
        return await self._finish(cmd, True, commands.APPLIED_RESULT, by)

    async def _found_done(self, cmd: Command) -> bool:
        with contextlib.suppress(PlatformError, HubError, TimeoutError):
            async with asyncio.timeout(deadline_seconds()):
                return await self._is_done(cmd)
        return False

    async def _in_doubt(self, cmd: Command, message: str, by: Resumer | None) -> Command:
        """The confirm went unanswered and DCM shows the draft still CREATED: not "failed"
        (it may land late) but in doubt, approved still, settled by reading DCM in the
        background (and by the resume loop should this process die)."""
        marked = await mark_in_doubt(self.state.engine, cmd.id, message)
        current = await commands.get(self.state.engine, cmd.id) or cmd
        if marked is not None:
            task = asyncio.create_task(self._settle_in_doubt(current, by),
                                       name=f"settling {cmd.kind} {cmd.id}")
            self._settling.add(task)
            task.add_done_callback(self._settling.discard)
        return current

    async def _settle_in_doubt(self, cmd: Command, by: Resumer | None = None) -> Command:
        """Read DCM with a backoff until the confirm shows (applied) or the grace passed with
        the draft still CREATED (failed); DCM unreadable that long: left to the resume loop."""
        since, grace = in_doubt_since(cmd.result) or now(), in_doubt_grace_seconds()
        current = await commands.get(self.state.engine, cmd.id) or cmd
        delay = 0.5
        async with held(self.state.engine, cmd.id, current.execution_started_at):
            while now() - since <= 3 * grace:
                settled = await self._settle_by_reading(cmd, since, grace, by)
                if settled is not None:
                    return settled
                await asyncio.sleep(delay)
                delay = min(2 * delay, 5.0)
        return cmd

    async def _settle_by_reading(self, cmd: Command, since: int, grace: float,
                                 by: Resumer | None = None) -> Command | None:
        """One read of an in-doubt command's payment: its end (applied, or failed once the
        grace passed), or None while it is still unknown."""
        try:
            async with asyncio.timeout(deadline_seconds()):
                shown = await self._on_dcm(cmd)
        except (PlatformError, HubError, TimeoutError):
            return None
        if shown == "applied":
            return await self._finish(cmd, True, "applied (DCM confirmed it after a late answer)",
                                      by)
        if shown == "failed":  # final at once: no need to wait out the grace
            await execute_cash.settle_failed(self.state, str(cmd.change["payment_guid"]))
            return await self._finish(cmd, False, "DCM failed the payment after a lost answer: "
                                      "it is never confirmed", by)
        if now() - since >= grace:
            return await self._finish(cmd, False, "DCM did not confirm it: the draft was "
                                      f"still CREATED {int(grace)} s after the lost answer", by)
        return None

    async def _finish(self, cmd: Command, applied: bool, result: str,
                      by: Resumer | None = None) -> Command:
        """Record the command's end; a database that does not answer is retried with a
        backoff for up to half the stale time, while this execution still holds its lease
        (after that another process may take it over, and settles it by reading DCM). The
        end is written once whatever happens: ``finish`` only ends an approved command."""
        deadline = time.monotonic() + stale_seconds() / 2
        delay = 0.5
        while True:
            try:
                return await self._finish_once(cmd, applied, result, by)
            except (SQLAlchemyError, OSError) as exc:  # TimeoutError is an OSError
                if time.monotonic() + delay > deadline:
                    if not applied:
                        raise
                    raise HubError(503, "the change was sent to DCM and the hub is settling "
                                   "it (its database did not answer): see the request in a "
                                   "minute", "settling") from exc
                if delay == 0.5:
                    log.warning("request end not recorded yet: database error, retrying",
                                extra={"request_id": cmd.id, "error": type(exc).__name__})
                await asyncio.sleep(delay)
                delay = min(2 * delay, 5.0)

    async def _finish_once(self, cmd: Command, applied: bool, result: str,
                           by: Resumer | None) -> Command:
        if applied and cmd.kind == "customer_update":  # the secret follows a branch move
            # before the request ends: a crash here re-runs it through the resume path
            await vault.follow_branch_change(self.state.engine, cmd.before.get("login"),
                                             cmd.change, self.state.sealed_cache)
        actor = by.email if by else (cmd.checker or "teller-hub")
        resumed = {"resumed": True, "approved_by": cmd.checker, "desk_id": by.desk_id} if by \
            else None
        new = await commands.finish(self.state.engine, cmd, applied=applied, result=result,
                                    actor=actor, extra=resumed)
        log.info("request executed", extra={"request_id": cmd.id, "applied": applied})
        return new or (await commands.get(self.state.engine, cmd.id) or cmd)

    async def resume(self, cmd: Command, session_token: str | None = None,
                     by: Resumer | None = None) -> Command:
        """Take over an interrupted execution (see the module docstring); ``by``: the
        approver who asked (None: the hub's own resume loop, in the first approver's name)."""
        marker = await commands.claim_execution(self.state.engine, cmd.id,
                                                now() - stale_seconds())
        if marker is None:
            return await commands.get(self.state.engine, cmd.id) or cmd
        claimed = dataclasses.replace(cmd, execution_started_at=marker)
        return await self._shielded(claimed, self._resume(claimed, session_token, by))

    async def _resume(self, cmd: Command, session_token: str | None,
                      by: Resumer | None = None) -> Command:
        if not change_intact(cmd):  # before DCM is read for it: "already there" means nothing
            log.warning("stored change altered", extra={"request_id": cmd.id})
            return await self._finish(cmd, False, ALTERED, by)
        if bank_settings.is_local(cmd.kind):  # applied and ended atomically: not applied yet
            return await self._execute(cmd, session_token, by)
        since = in_doubt_since(cmd.result)
        if since is not None:  # a lost write: settled by reading DCM, never sent again
            settled = await self._settle_by_reading(cmd, since, in_doubt_grace_seconds(), by)
            return settled or await commands.get(self.state.engine, cmd.id) or cmd
        try:
            done = await self._is_done(cmd)
        except (PlatformError, HubError) as exc:
            await commands.report_interrupted(
                self.state.engine, cmd, f"interrupted; DCM cannot be read: {exc}")
            return await commands.get(self.state.engine, cmd.id) or cmd
        if done:
            return await self._finish(cmd, True, "applied (found on DCM when resuming)", by)
        if cmd.checker_source == "dcm" and not session_token:
            await commands.report_interrupted(
                self.state.engine, cmd,
                "interrupted before execution; not applied yet: an approver must resume it")
            return await commands.get(self.state.engine, cmd.id) or cmd
        return await self._execute(cmd, session_token, by)

    async def resume_all(self) -> int:
        n = 0
        for cmd in await commands.stale_approved(self.state.engine, now() - stale_seconds()):
            new = await self.resume(cmd)
            n += new.state != commands.APPROVED
        return n
