"""The hub's audit trail at head-office scale: ``audit_*_ms``.

A hub database (SQLite, made by the hub's own ``migrate``) with ROWS audit rows over 365
days and 50 branches (5 employees each), inserted in bulk (a read benchmark: the chain's
hashes are not real, nothing verifies them), cached under benchmarks/.work/audit-trail. A
real hub (``serve``) then answers ``GET /api/v1/audit`` over loopback; each figure is the
median of the runs of one request, the first page (200 rows) of the last day's rows:

- ``audit_ho_oldest_first_ms``: head office as the desk asked before (oldest first from
  after_seq=0 with since_ms/until_ms), ``audit_ho_newest_first_ms`` newest first;
- ``audit_branch_*``: the same for a branch's Supervisor (scope: the branch);
- ``audit_actor_*``: head office asking for one employee's rows.

``audit_*_before_ms``: the previous release's query for the same page on the previous
schema (no ts_ms / composite indexes: they are dropped inside a transaction that is rolled
back), timed on the database directly (sqlite3): what the old hub spent before answering.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import WORK, Context, child_env, median, rnd

ROWS = 1_000_000
DAYS = 365
BRANCHES = 50
PER_BRANCH = 5
DAY_MS = 86_400_000
PAGE = 200
PASSWORD = "bench-password-1"  # a throwaway hub of the benchmark
NEW_INDEXES = ("ix_audit_log_ts_ms_seq", "ix_audit_log_branch_guid_seq",
               "ix_audit_log_actor_seq")


def _hub(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teller_app.hub", *args, "--data", str(data)],
                          env=child_env(), capture_output=True, text=True, timeout=300,
                          check=True)


def _build(data: Path) -> dict[str, Any]:
    """The database and its description (cached: built once, ~1 min)."""
    meta_file = data / "audit-trail.json"
    if meta_file.exists():
        return dict(json.loads(meta_file.read_text()))
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    _hub(data, "migrate")
    rng = random.Random(2026)
    branches = [f"00000000-0000-4000-8000-{b:012d}" for b in range(BRANCHES)]
    actors = [[f"emp{b}.{k}@bench.bank" for k in range(PER_BRANCH)] for b in range(BRANCHES)]
    end = (int(time.time() * 1000) // DAY_MS) * DAY_MS + DAY_MS // 2  # noon today (UTC)
    start = end - DAYS * DAY_MS
    step = (end - start) / ROWS
    actions = ("edit", "search", "cash", "sign_in", "other")
    detail = json.dumps({"customer": "x" * 24, "fields": ["phone", "email"]})

    def rows() -> Any:
        for seq in range(1, ROWS + 1):
            b = rng.randrange(BRANCHES)
            # several processes' clocks: ts_ms follows seq only roughly (up to 2 s apart)
            ts = int(start + seq * step) + rng.randrange(-2000, 2000)
            yield (seq, ts, actors[b][rng.randrange(PER_BRANCH)], "desk-1", branches[b],
                   actions[rng.randrange(len(actions))], f"customer:{seq % 50_000}", detail,
                   "0" * 64, f"{seq:064x}")

    conn = sqlite3.connect(data / "hub.db")
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        for name in NEW_INDEXES:  # built once at the end: faster than row by row
            conn.execute(f"DROP INDEX {name}")
        conn.executemany("INSERT INTO audit_log (seq, ts_ms, actor, desk_id, branch_guid, "
                         "action, entity, detail, prev_hash, hash) VALUES "
                         "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
        conn.execute("CREATE INDEX ix_audit_log_ts_ms_seq ON audit_log (ts_ms, seq)")
        conn.execute("CREATE INDEX ix_audit_log_branch_guid_seq ON audit_log (branch_guid, seq)")
        conn.execute("CREATE INDEX ix_audit_log_actor_seq ON audit_log (actor, seq)")
        conn.commit()
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()
    meta = {"branch": branches[7], "actor": actors[7][2], "today": end - DAY_MS // 2,
            "rows": ROWS}
    meta_file.write_text(json.dumps(meta))
    return meta


def _serve(data: Path) -> tuple[subprocess.Popen[str], str]:
    log = open(data / "hub.log", "w")  # noqa: SIM115 (the child owns it)
    proc = subprocess.Popen([sys.executable, "-m", "teller_app.hub", "serve", "--data",
                             str(data), "--port", "0"], stdout=subprocess.PIPE, stderr=log,
                            text=True, env=child_env())
    log.close()
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        proc.kill()
        raise RuntimeError("hub did not start:\n" + (data / "hub.log").read_text()[-3000:])
    return proc, url


def _employee(http: httpx.Client, admin: str, email: str, branch: str | None) -> dict[str, str]:
    body = {"email": email, "name": "Bench", "password": PASSWORD, "roles": ["Supervisor"],
            "branch_guid": branch, "head_office": branch is None}
    r = http.post("/api/v1/admin/employees", json=body,
                  headers={"Authorization": f"Bearer {admin}"})
    assert r.status_code in (200, 201, 409), r.text
    r = http.post("/api/v1/sessions", json={"mode": "password", "email": email,
                                            "password": PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _timed(http: httpx.Client, headers: dict[str, str], params: dict[str, Any],
           runs: int) -> float:
    times = []
    for _ in range(runs + 1):  # one warm-up
        t0 = time.perf_counter()
        r = http.get("/api/v1/audit", headers=headers, params=params)
        times.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
        assert r.json()["entries"], r.text[:300]
    return rnd(median(times[1:]))


OLD_SQL = ("SELECT seq, length(CAST(detail AS BLOB)) FROM audit_log WHERE {scope} seq > 0 "
           "AND ts_ms >= ? AND ts_ms < ? ORDER BY seq LIMIT 201")


def _before(db: Path, meta: dict[str, Any], runs: int) -> dict[str, float]:
    """The previous release's first (size) query on the previous schema."""
    conn = sqlite3.connect(db, isolation_level=None)
    out: dict[str, float] = {}
    try:
        conn.execute("BEGIN")
        for name in NEW_INDEXES:
            conn.execute(f"DROP INDEX {name}")
        conn.execute("CREATE INDEX ix_audit_log_branch_guid ON audit_log (branch_guid)")
        window = (meta["today"], meta["today"] + DAY_MS)
        for name, scope, args in (("ho", "", ()), ("branch", "branch_guid = ? AND",
                                                   (meta["branch"],)),
                                  ("actor", "actor = ? AND", (meta["actor"],))):
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                conn.execute(OLD_SQL.format(scope=scope), (*args, *window)).fetchall()
                times.append((time.perf_counter() - t0) * 1000)
            out[f"audit_{name}_before_ms"] = rnd(median(times))
    finally:
        conn.execute("ROLLBACK")
        conn.close()
    return out


def run(ctx: Context) -> dict[str, Any]:
    data = WORK / "audit-trail"
    t0 = time.perf_counter()
    meta = _build(data)
    ctx.log(f"audit trail database ready in {time.perf_counter() - t0:.0f} s")
    figures = _before(data / "hub.db", meta, ctx.runs)
    proc, url = _serve(data)
    try:
        admin = json.loads((data / "hub.json").read_text())["admin_token"]
        with httpx.Client(base_url=url, timeout=120) as http:
            ho = _employee(http, admin, "head.office@bench.bank", None)
            checker = _employee(http, admin, "supervisor.b7@bench.bank", meta["branch"])
            window = {"since_ms": meta["today"], "until_ms": meta["today"] + DAY_MS,
                      "limit": PAGE}
            for name, headers, extra in (("ho", ho, {}), ("branch", checker, {}),
                                         ("actor", ho, {"actor": meta["actor"]})):
                params = {**window, **extra}
                figures[f"audit_{name}_oldest_first_ms"] = _timed(
                    http, headers, {**params, "after_seq": 0}, ctx.runs)
                figures[f"audit_{name}_newest_first_ms"] = _timed(
                    http, headers, {**params, "newest_first": "true"}, ctx.runs)
    finally:
        proc.terminate()
        proc.wait(30)
    return figures
