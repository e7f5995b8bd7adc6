"""Bank Auth Service under load: ``hub_auth_p50_ms`` / ``hub_auth_p99_ms`` / ``hub_auth_rps``.

A real hub (``python -m teller_app.hub serve``, embedded SQLite, as the desk starts it) wired to
a small demo sandbox as DCM (JWKS + employee directory through the technical account). 1 000
customers' secrets are imported first. Then an open-loop load of 200 ``GET /user_auth``
requests per second for 10 s on loopback, each with its own DCM-signed ``X-Session-ID``
(RS256 with the sandbox's DCM key, ``sub`` = the Kyiv teller, ``obj`` = one of the customers):
requests are sent on a fixed schedule whatever the answers do, and latency counts from the
scheduled time (no coordinated omission). 1 s of warm-up first. Per run: p50/p99 and achieved
rate; the figures are medians over 3 runs (fresh hub per run).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization

from benchmarks.common import WORK, Context, child_env, median, percentile, rnd

RATE = 200  # requests per second
SECONDS = 10
CUSTOMERS = 1000
TELLER = "teller.kyiv@demo.bank"
RUNS = 3
PROFILE: list[str] = []


def _start_hub(data_dir: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    log = open(data_dir / "hub.log", "w")  # noqa: SIM115 (the child owns it)
    proc = subprocess.Popen([sys.executable, *PROFILE, "-m", "teller_app.hub", "serve", "--data",
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


def _dcm_key(sandbox_dir: Path) -> tuple[str, str]:
    conn = sqlite3.connect(f"file:{sandbox_dir / 'sandbox.db'}?mode=ro", uri=True)
    with contextlib.closing(conn):
        meta = dict(conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('dcm_private_pem', 'dcm_kid')"))
    return meta["dcm_private_pem"], meta["dcm_kid"]


def _tokens(pem: str, kid: str, objs: list[str], n: int) -> list[str]:
    key = serialization.load_pem_private_key(pem.encode(), None)  # parse once: ~60 ms each
    now = int(time.time())
    return [jwt.encode({"sub": TELLER, "obj": objs[i % len(objs)], "flow": "sign-up",
                        "iat": now, "exp": now + 300}, key, algorithm="RS256",
                       headers={"kid": kid}) for i in range(n)]


class _Conn:
    """One keep-alive HTTP/1.1 connection speaking just enough for ``GET`` + Content-Length.
    (httpx costs ~1-2 ms of CPU per request, which on 2 shared cores would measure the load
    generator rather than the hub.)"""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def get(self, request: bytes) -> tuple[int, bytes]:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        return status, await self.reader.readexactly(length)


async def _load(url: str, tokens: list[str], rate: int, seconds: float) -> dict[str, Any]:
    """Open loop: request i goes out at t0 + i/rate; latency from that scheduled time. A free
    keep-alive connection is reused, a new one opened when all are busy (as a DCM pool would)."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    requests = [(f"GET /user_auth HTTP/1.1\r\nHost: {host}:{port}\r\n"
                 f"X-Session-ID: {t}\r\n\r\n").encode() for t in tokens]
    n = int(rate * seconds)
    latencies: list[float] = []
    errors: list[str] = []
    idle: list[_Conn] = []
    opened: list[_Conn] = []

    async def one(i: int, at: float) -> None:
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        for attempt in (1, 2):
            reused = bool(idle) and attempt == 1  # a retry always gets a fresh connection
            if reused:
                conn = idle.pop()
            else:
                conn = _Conn(*await asyncio.open_connection(host, int(port)))
                opened.append(conn)
            try:
                status, body = await conn.get(requests[i % len(requests)])
                break
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                # The server closes keep-alive connections idle for 5 s; like any HTTP
                # client, resend an idempotent GET once on a fresh connection.
                if not reused or attempt == 2:
                    errors.append(type(exc).__name__)
                    return
        idle.append(conn)
        if status == 200 and b'"key"' in body:
            latencies.append((time.perf_counter() - at) * 1000)
        else:
            errors.append(f"HTTP {status} {body[:200]!r}")

    t0 = time.perf_counter() + 0.05
    await asyncio.gather(*(one(i, t0 + i / rate) for i in range(n)))
    elapsed = time.perf_counter() - t0
    for conn in opened:
        conn.writer.close()
    return {"latencies": latencies, "failures": len(errors), "rps": len(latencies) / elapsed,
            "errors": sorted(set(errors))[:5], "connections": len(opened)}


def _one_run(ctx: Context, sandbox: Any, objs: list[str], tokens: list[str],
             run: int) -> dict[str, float]:
    admin = next(e for e in sandbox.manifest["employees"] if e["email"] == "admin@demo.bank")
    env = {"TELLER_HUB_DCM_URL": sandbox.base_url,
           "TELLER_HUB_DCM_COUNTERPARTY": sandbox.counterparty_guid,
           "TELLER_HUB_DCM_TECH_LOGIN": admin["email"],
           "TELLER_HUB_DCM_TECH_PASSWORD": admin["password"],
           "TELLER_HUB_LOG_LEVEL": "warning"}
    t0 = time.perf_counter()
    proc, url = _start_hub(WORK / f"hub-auth-{run}", env)
    try:
        manifest = json.loads((WORK / f"hub-auth-{run}" / "hub.json").read_text())
        kyiv = sandbox.manifest["branches"][0]["guid"]
        r = httpx.post(f"{url}/api/v1/admin/secrets/import", timeout=120,
                       headers={"Authorization": f"Bearer {manifest['admin_token']}"},
                       json={"items": [{"external_id": o, "branch_guid": kyiv,
                                        "first_name": "Бенч", "last_name": "Тест"}
                                       for o in objs]})
        r.raise_for_status()
        ctx.log(f"hub up, {CUSTOMERS} secrets imported in {time.perf_counter() - t0:.1f} s")
        asyncio.run(_load(url, tokens, RATE, 1.0))  # warm-up: JWKS, directory, connections
        result = asyncio.run(_load(url, tokens, RATE, SECONDS))
    finally:
        _stop(proc)
    if result["failures"]:
        raise RuntimeError(f"{result['failures']} requests failed: {result['errors']}")
    lat = result["latencies"]
    figures = {"p50": percentile(lat, 50), "p99": percentile(lat, 99), "rps": result["rps"]}
    ctx.log(f"hub_auth run {run}: p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms, "
            f"{figures['rps']:.0f} req/s over {result['connections']} connections")
    return figures


def run(ctx: Context) -> dict[str, Any]:
    from teller_app.core.embedded_sandbox import start_sandbox

    t0 = time.perf_counter()
    sandbox = start_sandbox(WORK / "hub-auth-sandbox", customers=40)
    try:
        pem, kid = _dcm_key(sandbox.data_dir)
        objs = [f"bench.{i:05d}@hub.bench" for i in range(CUSTOMERS)]
        tokens = _tokens(pem, kid, objs, RATE * SECONDS)
        ctx.log(f"sandbox + {len(tokens)} DCM tokens in {time.perf_counter() - t0:.1f} s")
        runs = [_one_run(ctx, sandbox, objs, tokens, i) for i in range(min(RUNS, ctx.runs))]
    finally:
        sandbox.stop()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    ctx.notes.append(f"hub_auth: per-run p99 {[rnd(r['p99']) for r in runs]} ms, machine load "
                     f"average {load} at the end (2 cores shared with other work)")
    return {
        "hub_auth_p50_ms": rnd(median([r["p50"] for r in runs]), 2),
        "hub_auth_p99_ms": rnd(median([r["p99"] for r in runs]), 2),
        "hub_auth_rps": rnd(median([r["rps"] for r in runs]), 1),
    }
