"""Four-eyes notification latency: ``approval_notify_p95_ms`` (goal ≤ 1 000 ms).

Two hub processes on one database (stateless: any process streams any event), wired to a
small demo sandbox as DCM. A supervisor's desk listens on hub B (``GET /api/v1/events``,
server-sent events); a teller's desk files a request on hub A. Latency = from just before
the teller's ``POST /api/v1/requests`` to the moment the supervisor's stream delivers the
``request.filed`` event (so it includes the hub reading the customer from DCM, the commit and
the other process's poll). 30 sequential requests per run; p95 per run, median over runs.

    python -m benchmarks --only approval_notify
    python -m benchmarks.approval_notify --rounds 10      # standalone: prints one JSON line
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import WORK, Context, child_env, median, percentile, rnd

ROUNDS = 30
RUNS = 3
ADMIN = "admin@demo.bank"
PASSWORD = "bench-password-1"


def _start_hub(data_dir: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    log = open(data_dir / "hub.log", "w")  # noqa: SIM115 (the child owns it)
    proc = subprocess.Popen([sys.executable, "-m", "teller_app.hub", "serve", "--data",
                             str(data_dir), "--port", "0"], stdout=subprocess.PIPE, stderr=log,
                            text=True, env=child_env(env))
    log.close()
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        proc.kill()
        raise RuntimeError("hub did not start:\n" + (data_dir / "hub.log").read_text()[-3000:])
    return proc, url


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


async def _customer(sandbox: Any, branch: str) -> str:
    from teller_app.platform import NewCustomer, PasswordLogin, PlatformClient

    admin = next(e for e in sandbox.manifest["employees"] if e["email"] == ADMIN)
    asset = sandbox.manifest["asset"]
    async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                              auth=PasswordLogin(ADMIN, admin["password"])) as client:
        created = await client.create_customer(NewCustomer(
            asset_code=asset["code"], asset_issuer=asset["issuer"],
            login="bench" + uuid.uuid4().hex[:10], name="Бенч", surname="Тест",
            branch_guid=branch, kyc_level=2, balance_allowed=Decimal(1000)))
        return created.customer_guid


async def _employee(http: httpx.AsyncClient, admin_token: str, role: str, branch: str
                    ) -> dict[str, str]:
    email = f"{role.lower()}.{uuid.uuid4().hex[:8]}@bench.hub"
    r = await http.post("/api/v1/admin/employees",
                        headers={"Authorization": f"Bearer {admin_token}"},
                        json={"email": email, "name": role, "password": PASSWORD,
                              "roles": [role], "branch_guid": branch})
    r.raise_for_status()
    r = await http.post("/api/v1/sessions", json={"mode": "password", "email": email,
                                                  "password": PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def measure(url_a: str, url_b: str, admin_token: str, branch: str, customer: str,
                  rounds: int) -> list[float]:
    """Milliseconds from filing on hub A to the event on hub B's stream, per request."""
    async with httpx.AsyncClient(base_url=url_a, timeout=10) as a, \
            httpx.AsyncClient(base_url=url_b, timeout=httpx.Timeout(10, read=None)) as b:
        teller = await _employee(a, admin_token, "Teller", branch)
        sup = await _employee(a, admin_token, "Supervisor", branch)
        arrivals: dict[str, float] = {}
        got = asyncio.Condition()
        ready = asyncio.Event()

        async def listen() -> None:
            async with b.stream("GET", "/api/v1/events", headers=sup) as resp:
                resp.raise_for_status()
                kind = ""
                async for line in resp.aiter_lines():
                    if line.startswith("event:"):
                        kind = line[6:].strip()
                    elif line.startswith("data:"):
                        if kind == "ready":
                            ready.set()
                            continue
                        data = json.loads(line[5:])
                        if data.get("kind") == "request.filed":
                            async with got:
                                arrivals[data["request_id"]] = time.perf_counter()
                                got.notify_all()

        task = asyncio.create_task(listen())
        try:
            await asyncio.wait_for(ready.wait(), 10)
            latencies = []
            for n in range(rounds):
                t0 = time.perf_counter()
                r = await a.post("/api/v1/requests", headers=teller, json={
                    "kind": "customer_update", "customer_guid": customer,
                    "change": {"kyc_level": n % 2}, "reason": "benchmark"})
                r.raise_for_status()
                rid = r.json()["id"]
                async with got:
                    await asyncio.wait_for(got.wait_for(lambda rid=rid: rid in arrivals), 10)
                latencies.append((arrivals[rid] - t0) * 1000)
            return latencies
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def _one_run(sandbox: Any, rounds: int, run: int, log: Any) -> float:
    env = {"TELLER_HUB_DCM_URL": sandbox.base_url,
           "TELLER_HUB_DCM_COUNTERPARTY": sandbox.counterparty_guid,
           "TELLER_HUB_DCM_TECH_LOGIN": ADMIN,
           "TELLER_HUB_DCM_TECH_PASSWORD": next(e["password"] for e in
                                                sandbox.manifest["employees"]
                                                if e["email"] == ADMIN),
           "TELLER_HUB_LOG_LEVEL": "warning", "TELLER_HUB_WATCH": "0",
           "TELLER_HUB_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
           "TELLER_HUB_ADMIN_TOKEN": "bench-" + uuid.uuid4().hex}
    base = WORK / f"approval-notify-{run}"
    shutil.rmtree(base, ignore_errors=True)
    env["TELLER_HUB_DATABASE_URL"] = f"sqlite+aiosqlite:///{base / 'db' / 'hub.db'}"
    proc_a, url_a = _start_hub(base / "a", env)
    try:
        proc_b, url_b = _start_hub(base / "b", env)
        try:
            branch = sandbox.manifest["branches"][0]["guid"]
            customer = asyncio.run(_customer(sandbox, branch))
            lat = asyncio.run(measure(url_a, url_b, env["TELLER_HUB_ADMIN_TOKEN"], branch,
                                      customer, rounds))
        finally:
            _stop(proc_b)
    finally:
        _stop(proc_a)
    p95 = percentile(lat, 95)
    log(f"approval_notify run {run}: p50 {percentile(lat, 50):.0f} ms, p95 {p95:.0f} ms")
    return p95


def run(ctx: Context, rounds: int = ROUNDS) -> dict[str, Any]:
    from teller_app.core.embedded_sandbox import start_sandbox

    sandbox = start_sandbox(WORK / "approval-notify-sandbox", customers=40)
    try:
        runs = [_one_run(sandbox, rounds, i, ctx.log) for i in range(min(RUNS, ctx.runs))]
    finally:
        sandbox.stop()
    return {"approval_notify_p95_ms": rnd(median(runs), 1)}


if __name__ == "__main__":
    p = argparse.ArgumentParser(prog="python -m benchmarks.approval_notify")
    p.add_argument("--rounds", type=int, default=ROUNDS)
    p.add_argument("--runs", type=int, default=1)
    args = p.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    result = run(Context(runs=args.runs), args.rounds)
    print(json.dumps(result), flush=True)
