"""The audit outbox survives kill -9: a desk process appends, sends part of it (one batch
even reaches the hub without being marked sent), and is killed; a new desk flushes; the hub
has every entry exactly once, in order."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hub_stack_helpers import password_of

from teller_app.core.audit import AuditOutbox, AuditTrail
from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.core.session import open_session
from teller_app.platform import PasswordLogin
from teller_app.secrets import Profile

pytestmark = [pytest.mark.slow]
TELLER = "teller.lviv@demo.bank"

CHILD = r'''
import asyncio, json, sys
from pathlib import Path
from teller_app.core.audit import AuditOutbox, AuditTrail
from teller_app.core.session import open_session
from teller_app.platform import PasswordLogin
from teller_app.secrets import Profile

cfg = json.loads(sys.stdin.readline())  # the key and password never touch the disk

async def main():
    profile = Profile(name="kill", base_url=cfg["dcm"], counterparty_guid=cfg["cp"],
                      hub_url=cfg["hub"])
    session = await open_session(profile, PasswordLogin(cfg["email"], cfg["password"]))
    link = session.hub
    async def send(batch):
        return await link.call(lambda hub: hub.append_audit(batch, "kill-desk"))
    trail = AuditTrail(AuditOutbox(Path(cfg["path"]), bytes.fromhex(cfg["key"])), send)
    for i in range(20):
        trail.record("customer_edit", customer_guid=cfg["run"], n=i)
    await trail.flush()                      # 0..19: on the hub and marked sent
    for i in range(20, 50):
        trail.record("customer_edit", customer_guid=cfg["run"], n=i)
    batch = trail.outbox.unsent()[:10]       # 20..29 reach the hub, the mark never moves
    await send([e.wire() for e in batch])
    print("ready", flush=True)
    await asyncio.Event().wait()             # killed here

asyncio.run(main())
'''


@pytest.mark.asyncio
async def test_outbox_survives_kill_9_and_the_hub_has_each_entry_once(
        hub_stack: EmbeddedStack, tmp_path: Path) -> None:
    sandbox = hub_stack.sandbox
    key = secrets.token_bytes(32)
    run = "kill-" + secrets.token_hex(6)
    path = tmp_path / "audit" / "kill.outbox"
    cfg = {"dcm": sandbox.base_url, "cp": sandbox.counterparty_guid, "hub": hub_stack.hub_url,
           "email": TELLER, "password": password_of(sandbox, TELLER), "key": key.hex(),
           "path": str(path), "run": run}
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(json.dumps(cfg) + "\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "ready"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    assert child.returncode == -signal.SIGKILL

    box = AuditOutbox(path, key)
    assert len(box.unsent()) == 30  # 20..49 were never marked sent
    session = await open_session(
        Profile(name="kill2", base_url=sandbox.base_url,
                counterparty_guid=sandbox.counterparty_guid, hub_url=hub_stack.hub_url),
        PasswordLogin(TELLER, password_of(sandbox, TELLER)))
    try:
        link = session.hub
        assert link is not None

        async def send(batch: list[dict[str, object]]) -> object:
            return await link.call(lambda hub: hub.append_audit(batch, "kill-desk"))

        assert await AuditTrail(box, send).flush() == 30
        assert box.unsent() == [] and path.read_bytes() == b""
        entries = (await link.call(lambda hub: hub.audit(actor=TELLER, actions=("edit",),
                                                         limit=1000))).entries
        ours = [e for e in entries if e.detail.get("customer_guid") == run]
        assert [e.detail["n"] for e in ours] == list(range(50))  # each once, in order
        assert all(e.actor == TELLER and e.desk_id == "kill-desk" for e in ours)
    finally:
        await session.close()
