"""Load against sandbox AND hub: 20 simulated tellers on loopback for a bounded time (15 s by
default, 60 s in the ``slow`` variant; ``TELLER_LOAD_SECONDS`` overrides the default one).

The stack is the embedded default (``start_embedded`` + ``onboard``): the sandbox as DCM, the
Teller Hub as the bank's Auth Service. Each teller signs in on the platform, opens a hub
session with that platform session, and loops until the deadline: searches and opens cards;
issues a customer secret on the hub and then creates the customer on DCM (so DCM calls the
hub's Auth Service); sometimes makes a cash deposit on the new customer; and appends an audit
entry to the hub for every action (now and then re-sending the same batch, as an outbox
retry would). Goal: 0 errors, money conserved, every created customer there exactly once,
every appended audit entry on the hub exactly once and the chain verifies. Prints
p50/p95/p99 of every call (platform and hub)."""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from load_helpers import (
    ADMIN,
    PREFIXES,
    TELLERS,
    Meter,
    all_tellers,
    conservation,
    customers_exactly_once,
    p50_95_99_ms,
)
from reliability_helpers import new_customer, password_of

from teller_app.core.cash import CashKind, CashService
from teller_app.core.embedded_stack import EmbeddedStack, onboard, start_embedded
from teller_app.platform import PasswordLogin, PlatformClient, PlatformError
from teller_app.platform.hub_client import HubClient

DEFAULT_SECONDS = float(os.environ.get("TELLER_LOAD_SECONDS", "15"))
EMAILS = ["teller.kyiv@demo.bank", "teller.lviv@demo.bank"]


@dataclass
class Run:
    stack: EmbeddedStack
    deadline: float
    meter: Meter = field(default_factory=Meter)
    created: list[str] = field(default_factory=list)  # customer logins
    audited: list[str] = field(default_factory=list)  # audit entities (one per entry)
    resent: int = 0
    deposits: int = 0
    # Ten desks share each demo teller's e-mail. The hub charges a sign-in to the e-mail's
    # failure count before DCM answers (so parallel guesses are counted too), so ten at once
    # could lock the e-mail on a busy machine: the desks sign in one at a time, then work
    # all at once (the load being measured).
    signing_in: asyncio.Lock = field(default_factory=asyncio.Lock)


async def teller(run: Run, n: int) -> int:
    sb, hub_proc = run.stack.sandbox, run.stack.hub
    assert hub_proc is not None
    email = EMAILS[n % 2]
    branch = sb.manifest["branches"][n % 2]
    rng = random.Random(n)
    timed = run.meter.timed
    desk = f"load-desk-{n:02d}"
    done = 0
    async with PlatformClient(sb.base_url, sb.counterparty_guid,
                              auth=PasswordLogin(email, password_of(sb, email))) as client, \
            HubClient(hub_proc.base_url) as hub:
        async with run.signing_in:
            await client.list_customers(limit=1)  # signs in
            assert client.session_token
            await hub.open_platform_session(client.session_token)
        cash = CashService(client, branch["guid"], branch["processing_account_guid"],
                           Decimal("10000.00"))
        batch: list[dict[str, Any]] = []

        async def audit(action: str, what: str) -> None:
            entity = f"load:{n:02d}:{uuid.uuid4().hex[:12]}"
            batch.append({"action": action, "entity": entity, "client_id": entity,
                          "detail": {"what": what}})
            sent = list(batch)
            result = await timed("hub audit", hub.append_audit(sent, desk_id=desk))
            if result is None:
                return  # the entries stay in the batch: sent again next time (outbox)
            batch.clear()
            run.audited.extend(e["entity"] for e in sent)
            if rng.random() < 0.1:  # an outbox resend of an answered batch: no duplicates
                again = await timed("hub audit", hub.append_audit(sent, desk_id=desk))
                if again is not None:
                    run.resent += 1
                    if [a.seq for a in again.appended] != [a.seq for a in result.appended]:
                        run.meter.errors.append(f"resend got new seqs for {len(sent)} entries")

        while time.monotonic() < run.deadline:
            roll = rng.random()
            if roll < 0.55:
                page = await timed("dcm search", client.list_customers(
                    search_string=rng.choice(PREFIXES), limit=50))
                if page and page.customers:
                    guid = rng.choice(page.customers).wallet_user_guid
                    await timed("dcm card", client.get_customer(guid))
                    await timed("dcm accounts", client.get_customer_accounts(guid))
                await audit("other", "search")
            else:
                new = new_customer(sb, branch["guid"], name="Навантаж")
                issued = await timed("hub secret", hub.issue_secret(
                    new.login or "", branch["guid"], first_name=new.name,
                    last_name=new.surname))
                if issued is None:
                    continue
                made = await timed("dcm create (+auth service)", client.create_customer(new))
                if made is None:
                    continue
                run.created.append(new.login or "")
                await audit("create", "customer")
                if roll > 0.85:
                    draft = await timed("dcm cash", cash.create(
                        CashKind.DEPOSIT, made.customer_guid, "10.00"))
                    if draft is not None and await timed(
                            "dcm cash", cash.confirm(draft.payment_guid)) is not None:
                        run.deposits += 1
                        await audit("cash", "deposit")
            done += 1
        if batch:  # a last flush of anything still queued
            flushed = await timed("hub audit", hub.append_audit(list(batch), desk_id=desk))
            if flushed is not None:
                run.audited.extend(e["entity"] for e in batch)
        await hub.close_session()
    return done


@pytest.fixture(scope="module")
def load_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    stack = start_embedded(tmp_path_factory.mktemp("load-stack"))
    try:
        assert stack.hub is not None, stack.hub_problem
        asyncio.run(onboard(stack))
        yield stack
    finally:
        stack.stop()


async def create_without_secret(stack: EmbeddedStack) -> tuple[str, int]:
    """Control: a create whose login the hub holds no secret for is declined by DCM (so the
    creates above really went through the hub's Auth Service) and creates nothing."""
    sb = stack.sandbox
    email = EMAILS[0]
    new = new_customer(sb, sb.manifest["branches"][0]["guid"], name="Контроль")
    async with PlatformClient(sb.base_url, sb.counterparty_guid,
                              auth=PasswordLogin(email, password_of(sb, email))) as c:
        try:
            await c.create_customer(new)
        except PlatformError as exc:
            outcome = type(exc).__name__
        else:
            outcome = "created"
    async with PlatformClient(sb.base_url, sb.counterparty_guid,
                              auth=PasswordLogin(ADMIN, password_of(sb, ADMIN))) as admin:
        page = await admin.list_customers(logins=[new.login or ""], limit=10)
    return outcome, page.total


async def audit_on_hub(stack: EmbeddedStack) -> tuple[Counter[str], Any]:
    """Every ``load:`` entity on the hub (read by each teller: their own entries) and the
    chain verdict (with the hub's admin token, as IT's archive job)."""
    sb, hub_proc = stack.sandbox, stack.hub
    assert hub_proc is not None
    found: Counter[str] = Counter()
    for email in EMAILS:
        async with PlatformClient(sb.base_url, sb.counterparty_guid,
                                  auth=PasswordLogin(email, password_of(sb, email))) as c, \
                HubClient(hub_proc.base_url) as hub:
            await c.list_customers(limit=1)
            assert c.session_token
            await hub.open_platform_session(c.session_token)
            after = 0
            while True:
                page = await hub.audit(actor=email, after_seq=after, limit=1000)
                if not page.entries:
                    break
                found.update(e.entity for e in page.entries if e.entity.startswith("load:"))
                after = page.entries[-1].seq
            await hub.close_session()
    async with HubClient(hub_proc.base_url) as it:
        it.token = hub_proc.admin_token
        verdict = await it.verify_audit()
    return found, verdict


@pytest.mark.parametrize("seconds", [
    pytest.param(DEFAULT_SECONDS, id="short"),
    pytest.param(60.0, id="60s", marks=pytest.mark.slow),
])
def test_twenty_tellers_on_sandbox_and_hub(load_stack: EmbeddedStack, seconds: float) -> None:
    stack = load_stack
    sb = stack.sandbox
    before, _ = asyncio.run(audit_on_hub(stack))
    run = Run(stack, deadline=time.monotonic() + seconds)

    started = time.monotonic()
    actions = asyncio.run(all_tellers(lambda n: teller(run, n)))
    elapsed = time.monotonic() - started
    money = conservation(sb)
    wrong = asyncio.run(customers_exactly_once(sb, run.created))
    after, verdict = asyncio.run(audit_on_hub(stack))
    found = after - before
    mine = Counter(run.audited)
    missing = [e for e in mine if found[e] == 0]
    doubled = [e for e in mine if found[e] > 1]
    strangers = [e for e in found if e not in mine]

    every = run.meter.every()
    p50, p95, p99 = p50_95_99_ms(every)
    print(f"\nload+hub: {TELLERS} tellers x {seconds:.0f}s (ran {elapsed:.1f}s): {actions} "
          f"actions, {len(every)} calls, {len(run.meter.errors)} errors, p50 {p50:.0f} ms, "
          f"p95 {p95:.0f} ms, p99 {p99:.0f} ms; {len(run.created)} customers created "
          f"(secret + DCM create via the hub's Auth Service), {run.deposits} deposits, "
          f"money conserved: {money.get('conserved')}; audit: {len(mine)} appended, "
          f"{run.resent} batches re-sent, {sum(found.values())} on the hub, "
          f"verify ok={verdict.ok} count={verdict.count}")
    for kind, values in sorted(run.meter.latencies.items()):
        k50, k95, k99 = p50_95_99_ms(values)
        print(f"  {kind:28s} n={len(values):5d} p50 {k50:5.0f} ms  p95 {k95:5.0f} ms  "
              f"p99 {k99:5.0f} ms")
    assert run.meter.errors == [], run.meter.errors[:5]
    assert actions > TELLERS and run.created and mine
    assert money["conserved"] is True
    assert wrong == []
    assert all(n == 1 for n in mine.values())  # entity ids are unique per entry
    assert (missing, doubled, strangers) == ([], [], [])
    assert verdict.ok, verdict
    assert verdict.count >= sum(after.values())
    assert asyncio.run(create_without_secret(stack)) == ("BankAuthDeclined", 0)
