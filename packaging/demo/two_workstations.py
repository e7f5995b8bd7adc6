#!/usr/bin/env python3
"""Four eyes across two workstations through the Teller Hub: ONE sandbox + hub, two SEPARATE
Teller app processes.

    packaging/demo/two_workstations.sh             # under xvfb-run (Qt xcb), the usual way
    .venv/bin/python packaging/demo/two_workstations.py --platform offscreen

The parent starts the embedded stack (``core/embedded_stack.start_embedded``: the sandbox as
DCM and the hub as the bank's service, onboarded) and writes a connection profile with the
hub's URL into each workstation's own config dir. Then it runs two real app processes
(``workstation.py``: ``teller_app.ui.start_run.run`` through ``drive_app.run_app``: real
sign-in dialog, real MainWindow, branch cache, sync, Supervision), each with its own
TELLER_DATA_DIR and TELLER_CONFIG_DIR, talking to the sandbox and the hub only over HTTP:

* B (supervisor.kyiv@demo.bank) signs in; its Approvals inbox is live on the hub's event
  stream (SSE) — no polling, no Refresh.
* A (teller.kyiv@demo.bank): search -> Enter opens a customer card -> "Request a change…" ->
  "Disable the customer" + a reason -> Send for approval: a command row on the hub.
* B: the request appears in the inbox by itself; the time from A's click to B's row is
  printed as ``notified in N ms``; B selects it, comments, Approve (the hub executes it).
* A: the decision arrives live (status bar), the card shows the customer disabled.

The parent only relays "what happened" lines, then checks the platform (customer disabled,
no marker customers, no request in any status) and the hub's audit log (A's request and B's
decision, same request id). Every wait is bounded. Screenshots: OUT-A-*.png, OUT-B-*.png.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from drive_app import REPO, stamp  # noqa: E402  (after the path tweak)
from workstation import EVENT, PROFILE, SUPERVISOR, TELLER  # noqa: E402

WORKSTATION = HERE / "workstation.py"  # one app process, driven as the teller or supervisor


PRINT_LOCK = threading.Lock()


def out(line: str) -> None:
    with PRINT_LOCK:
        print(line, flush=True)


class Worker:
    def __init__(self, tag: str, role: str, root: Path, env: dict[str, str],
                 argv: list[str]) -> None:
        self.tag, self.role = tag, role
        self.data, self.config = root / tag / "data", root / tag / "config"
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        full_env = {**env, "TELLER_DATA_DIR": str(self.data),
                    "TELLER_CONFIG_DIR": str(self.config), "TELLER_DEMO_TAG": tag}
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKSTATION), "--role", role, "--tag", tag, *argv],
            env=full_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, encoding="utf-8", bufsize=1)
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            if line.startswith(EVENT + " "):
                _e, name, data = line.split(" ", 2)
                self.events.put((name, json.loads(data)))
                out(f"[{stamp()}] parent: <- {self.tag} {name} {data}")
            elif "WARNING teller_app.secrets OS keyring unavailable" not in line:
                out(f"    {self.tag}| {line}")
        self.events.put(("exit", {}))

    def wait_event(self, name: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.tag}: no '{name}' within {timeout:.0f} s")
            try:
                got, data = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if got == name:
                return data
            if got == "exit":
                raise RuntimeError(f"{self.tag} exited (code {self.proc.wait()}) before "
                                   f"'{name}'")

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        out(f"[{stamp()}] parent: -> {self.tag} {line}")
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def finish(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def write_profile(config: Path, stack: Any) -> None:
    from teller_app.secrets import Profile
    from teller_app.secrets.profiles import SETTINGS_FILE, ProfileStore

    sandbox = stack.sandbox
    store = ProfileStore(config / SETTINGS_FILE)
    store.save(Profile(name=PROFILE, base_url=sandbox.base_url,
                       counterparty_guid=sandbox.counterparty_guid, is_sandbox=True,
                       language="en", hub_url=stack.hub_url))
    store.set_last_profile(PROFILE)


def hub_and_platform_view(stack: Any, password: str, guid: str,
                          request_id: str) -> tuple[Any, list[Any]]:
    """The customer as the platform has it and the hub's audit entries for the request (the
    parent's own reads, as the supervisor)."""
    import asyncio

    from teller_app.core.session import open_session
    from teller_app.platform import PasswordLogin
    from teller_app.secrets import Profile

    async def read() -> tuple[Any, list[Any]]:
        sandbox = stack.sandbox
        profile = Profile(name="check", base_url=sandbox.base_url,
                          counterparty_guid=sandbox.counterparty_guid, hub_url=stack.hub_url)
        session = await open_session(profile, PasswordLogin(SUPERVISOR, password))
        try:
            customer = await session.client.get_customer(guid)
            link = session.hub
            assert link is not None
            page = await link.call(lambda hub: hub.audit(limit=1000))
            hits = [e for e in page.entries if e.detail.get("request_id") == request_id
                    or e.entity.endswith(request_id)]
            return customer, hits
        finally:
            await session.close()

    return asyncio.run(read())


def leftovers(stack: Any) -> list[Any]:
    import sqlite3

    db = sqlite3.connect(f"file:{stack.sandbox.data_dir / 'sandbox.db'}?mode=ro", uri=True)
    try:
        return db.execute("SELECT login, status FROM customers WHERE login LIKE "
                          "'approval-lock:%' OR instr(coalesce(status, ''), '[[') > 0"
                          ).fetchall()
    finally:
        db.close()


def parent_main(args: argparse.Namespace, app_argv: list[str]) -> int:
    sys.path.insert(0, str(REPO))
    import asyncio

    from teller_app.core.embedded_stack import onboard, start_embedded

    t0 = time.monotonic()
    checks: list[tuple[str, bool, str]] = []
    notified = ""

    def check(name: str, ok: bool, detail: str = "") -> None:
        checks.append((name, ok, detail))
        out(f"[{stamp()}] parent: {'ok  ' if ok else 'FAIL'} {name}"
            f"{': ' + detail if detail else ''}")

    root = Path(tempfile.mkdtemp(prefix="teller-2ws-"))
    stack = None
    workers: list[Worker] = []
    try:
        out(f"[{stamp()}] parent: starting ONE sandbox + Teller Hub in {root}")
        stack = start_embedded(root)
        if stack.hub is None:
            raise RuntimeError(stack.hub_problem or "the hub did not start")
        asyncio.run(onboard(stack))
        sandbox = stack.sandbox
        employees = {e["email"]: e for e in sandbox.manifest["employees"]}
        check("sandbox + hub started", True, f"{sandbox.base_url}, hub {stack.hub_url}")
        for tag in ("A", "B"):
            write_profile(root / tag / "config", stack)
        env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
        env.update(QT_QPA_PLATFORM=args.platform,
                   PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
        common = ["--out", args.out, "--step-timeout", str(args.step_timeout),
                  "--worker-timeout", str(args.worker_timeout), *app_argv]
        a = Worker("A", "teller", root, {**env, "TELLER_DEMO_PASSWORD":
                                         employees[TELLER]["password"]}, common)
        b = Worker("B", "supervisor", root, {**env, "TELLER_DEMO_PASSWORD":
                                             employees[SUPERVISOR]["password"]}, common)
        workers = [a, b]
        out(f"[{stamp()}] parent: A = pid {a.proc.pid} (data {a.data}), "
            f"B = pid {b.proc.pid} (data {b.data})")

        b.wait_event("ready", args.step_timeout + 60)
        a.send("go")
        filed = a.wait_event("request_filed", args.step_timeout + 60)
        check("A filed a 'disable customer' request on the hub", True,
              f"request {filed['request_id']} for customer {filed['customer_guid']}")
        shown = b.wait_event("shown", args.step_timeout + 30)
        ms = max(0, round(shown["shown_ms"] - filed["sent_ms"]))
        notified = f"notified in {ms} ms"
        out(notified)
        check("B's inbox showed it live (no poll)", shown["request_id"] == filed["request_id"]
              and ms <= args.live_bound_ms, notified)
        approved = b.wait_event("approved", args.step_timeout + 30)
        check("B approved it; the hub applied it",
              approved["request_id"] == filed["request_id"] and
              approved["customer_guid"] == filed["customer_guid"], json.dumps(approved))
        seen = a.wait_event("decision_seen", args.step_timeout + 30)
        check("A saw the decision live and the card shows the customer disabled",
              seen["customer_guid"] == filed["customer_guid"], json.dumps(seen))
        for w in workers:
            code = w.finish(60)
            check(f"{w.tag} ({w.role}) exited cleanly", code == 0, f"exit code {code}")
        customer, hits = hub_and_platform_view(stack, employees[SUPERVISOR]["password"],
                                               filed["customer_guid"], filed["request_id"])
        check("the platform has the customer disabled, status untouched",
              customer.is_disabled and "[[" not in (customer.status or ""),
              f"is_disabled={customer.is_disabled}, status={customer.status!r}")
        check("nothing of the old workaround on the ledger", leftovers(stack) == [],
              "no approval-lock: customers, no request in any status")
        got = {(e.actor, e.action) for e in hits}
        check("the hub's audit log: A's request and B's decision",
              (TELLER, "request") in got and (SUPERVISOR, "decision") in got,
              f"{sorted(got)}")
    except Exception as exc:
        check("the run", False, f"{type(exc).__name__}: {exc}")
    finally:
        for w in workers:
            w.kill()
        if stack is not None:
            stack.stop()
        if args.keep:
            out(f"[{stamp()}] parent: kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)

    passed = bool(checks) and all(ok for _n, ok, _d in checks)
    out("\n== two workstations, one sandbox + hub: " + ("PASS" if passed else "FAIL") +
        f" ({time.monotonic() - t0:.1f} s)")
    if notified:
        out(notified)
    for name, ok, _detail in checks:
        out(f"   {'PASS' if ok else 'FAIL'}  {name}")
    shots = sorted(str(p) for p in Path(args.out).parent.glob(Path(args.out).name + "-[AB]-*.png"))
    if shots:
        out("   screenshots: " + " ".join(shots))
    return 0 if passed else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="/tmp/teller-2ws", help="screenshot prefix")
    p.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM") or "xcb",
                   help="Qt platform of the two app processes (xcb under Xvfb, or offscreen)")
    p.add_argument("--step-timeout", type=float, default=90.0,
                   help="bound on each waiting step, seconds")
    p.add_argument("--worker-timeout", type=float, default=300.0, help=argparse.SUPPRESS)
    p.add_argument("--keep", action="store_true", help="keep the temporary dirs")
    p.add_argument("--live-bound-ms", type=float, default=1000.0,
                   help="the longest a live notification may take (the test suite, on a "
                   "loaded machine, passes a looser bound)")
    args, app_argv = p.parse_known_args(argv)
    for old in Path(args.out).parent.glob(Path(args.out).name + "-[AB]-*.png"):
        old.unlink()
    return parent_main(args, app_argv)


if __name__ == "__main__":
    sys.exit(main())
