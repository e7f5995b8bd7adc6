#!/usr/bin/env python3
"""Four eyes across two workstations: ONE sandbox, two SEPARATE Teller app processes.

    packaging/demo/two_workstations.sh             # under xvfb-run (Qt xcb), the usual way
    .venv/bin/python packaging/demo/two_workstations.py --platform offscreen

The parent starts one platform sandbox (``core/embedded_sandbox.start_sandbox``) and writes a
connection profile for it into each workstation's own config dir. Then it runs two real app
processes (``teller_app.ui.startup.run`` through ``drive_app.run_app``: real sign-in dialog,
real MainWindow, branch cache, sync, Supervision), each with its own TELLER_DATA_DIR and
TELLER_CONFIG_DIR, talking to the sandbox only over HTTP:

* A (teller.kyiv@demo.bank): search -> Enter opens a customer card -> "Request a change…" ->
  the change-request dialog: "Disable the customer" + a reason -> Send for approval.
* B (supervisor.kyiv@demo.bank): told the request id, refreshes its Approvals inbox
  (``ApprovalsInbox.poll()``, what the Refresh button does) until the request is listed,
  selects it, comments, Approve.
* A: Tools -> Sync now (F5, ``action_sync``) until its branch cache (searched by the
  customer's login) shows the customer disabled.

The parent only relays "what happened" lines between the processes (their stdout/stdin) and
finally checks both audit trails (A: change_request, B: approval, same request id; both hash
chains verify). Every wait is bounded. Screenshots: OUT-A-*.png, OUT-B-*.png.
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

from drive_app import (  # noqa: E402  (after the path tweak)
    REPO,
    press_enter_open_card,
    run_app,
    save_window,
    say,
    settle,
    sign_in,
    stamp,
    type_text,
    wait_first_results,
    wait_for,
)

TELLER = "teller.kyiv@demo.bank"
SUPERVISOR = "supervisor.kyiv@demo.bank"
PROFILE = "shared-sandbox"
REASON = "Клієнт повідомив про втрату телефону — тимчасово вимкнути"
COMMENT = "Погоджено: особу перевірено"
EVENT = "EVENT"  # machine-readable lines: "EVENT <name> <json>"


# =============================================================================================
# Inside a workstation process
# =============================================================================================
def emit(name: str, **data: Any) -> None:
    print(f"{EVENT} {name} {json.dumps(data, ensure_ascii=False)}", flush=True)


class Stdin:
    """Lines from the parent, read on the event loop (a QSocketNotifier on fd 0)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QSocketNotifier

        self.lines: list[str] = []
        self._buf = b""
        self.closed = False
        self.notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
        self.notifier.activated.connect(self._read)

    def _read(self, *_args: Any) -> None:
        chunk = os.read(sys.stdin.fileno(), 4096)
        if not chunk:
            self.closed = True
            self.notifier.setEnabled(False)
            return
        self._buf += chunk
        while b"\n" in self._buf:
            line, self._buf = self._buf.split(b"\n", 1)
            self.lines.append(line.decode().strip())

    async def expect(self, word: str, timeout: float) -> str:
        def got() -> str | None:
            for i, line in enumerate(self.lines):
                if line.split(" ", 1)[0] == word:
                    return self.lines.pop(i)
            if self.closed:
                raise RuntimeError("the parent closed stdin")
            return None

        line = await wait_for(got, f"the parent's '{word}'", timeout,
                              signals=[self.notifier.activated])
        return line.split(" ", 1)[1] if " " in line else ""


def _out(args: argparse.Namespace, name: str) -> Path:
    return Path(f"{args.out}-{args.tag}-{name}.png")


async def teller_scenario(controller: Any, args: argparse.Namespace, stdin: Stdin) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLabel, QPushButton

    from teller_app.core.approval_codec import split_status
    from teller_app.core.audit import AuditAction
    from teller_app.ui.change_request_dialog import ChangeRequestDialog
    from teller_app.ui.customer_table_model import row_guid

    window = await sign_in(controller, TELLER, os.environ["TELLER_DEMO_PASSWORD"])
    emit("signed_in", employee=TELLER)
    await wait_first_results(window)

    # A customer of the branch, enabled, with no request pending: found by login.
    model = window.search_panel.model
    rows = [model.row_at(i) for i in range(model.rowCount())]
    target = next(r for r in rows if not r.is_disabled and getattr(r, "login", None) and
                  split_status(r.status or "")[1] is None)
    guid, login = row_guid(target), target.login
    say(f"chosen customer {guid} (login {login})")
    panel = window.search_panel
    window.focus_search()
    type_text(panel.search_box, login)
    await wait_for(lambda: panel.model.query == login and panel.model.rowCount() > 0 and
                   row_guid(panel.model.row_at(0)) == guid, f"search results for {login}",
                   30, signals=[panel.results_shown])
    say(f"typed the login: {panel.model.rowCount()} row(s)")

    card = await press_enter_open_card(window)  # Enter: the first (only) row's card
    if card.guid != guid:
        raise AssertionError(f"opened {card.guid}, expected {guid}")

    ask = await wait_for(lambda: card.findChild(QPushButton, "requestChangeButton"),
                         "the Request a change… button", 30)
    QTest.mouseClick(ask, Qt.MouseButton.LeftButton)
    dialog = await wait_for(lambda: next((d for d in window.findChildren(ChangeRequestDialog)
                                          if d.isVisible()), None),
                            "the change-request dialog", 30)
    disable = next(i for i in range(dialog.what.count())
                   if dialog.what.itemData(i) == {"is_disabled": True})
    dialog.what.setCurrentIndex(disable)
    dialog.reason.setFocus()
    type_text(dialog.reason, REASON)
    await settle()
    if dialog.change() != {"is_disabled": True} or not dialog.send_button.isEnabled():
        raise AssertionError(f"dialog not ready: change {dialog.change()}, send enabled "
                             f"{dialog.send_button.isEnabled()}")
    save_window(dialog, _out(args, "1-request-dialog"))
    say(f"change-request dialog: '{dialog.what.currentText()}', reason typed "
        f"({len(dialog.reason_text())} chars) -> Send for approval")
    QTest.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)

    audit = window.supervision.audit

    def filed() -> Any:
        entries = audit.entries()
        last = entries[-1] if entries else None
        return last if last is not None and last.action == AuditAction.CHANGE_REQUEST and \
            last.customer_guid == guid else None

    entry = await wait_for(filed, "the request to be filed (audit entry)", 60)
    await wait_for(lambda: card.findChild(QLabel, "pendingRequestNote"),
                   "the card's 'awaiting approval' note", 60, signals=[card.customer_changed])
    request_id = entry.details["request_id"]
    save_window(window, _out(args, "2-request-filed"))
    say(f"request {request_id} filed: card shows "
        f"'{card.findChild(QLabel, 'pendingRequestNote').text()}'")
    emit("request_filed", request_id=request_id, customer_guid=guid, login=login)

    await stdin.expect("approved", args.step_timeout)
    say("parent says the supervisor approved: Tools -> Sync now (F5)")

    def disabled_in_results() -> bool:
        row = panel.model.row_at(0) if panel.model.rowCount() else None
        return bool(row is not None and row_guid(row) == guid and row.is_disabled and
                    panel.model.query == login and not window.ops.is_busy("search"))

    deadline = time.monotonic() + args.step_timeout
    attempt = 0
    while True:
        attempt += 1
        window.action_sync.trigger()  # the F5 action: SyncEngine.sync_now on the cache
        await wait_for(lambda: not window.ops.is_busy("sync"), "the sync to finish", 60)
        window.tabs.setCurrentIndex(0)
        panel.run_search()  # the search box still holds the login: the cache answers
        try:
            await wait_for(disabled_in_results, "the cache to show the customer disabled",
                           min(10.0, max(1.0, deadline - time.monotonic())),
                           signals=[panel.results_shown])
            break
        except TimeoutError:
            if time.monotonic() > deadline:
                raise
            say(f"sync #{attempt}: not disabled yet in the cache; syncing again")
    row = panel.model.row_at(0)
    say(f"after sync #{attempt} ('{window.sync_label.text()}'): cache row {row_guid(row)} "
        f"is_disabled={row.is_disabled}, status '{row.status}'")
    await settle()
    save_window(window, _out(args, "3-disabled-in-results"))
    window.tabs.setCurrentWidget(card)
    card.refresh()
    await wait_for(lambda: card.customer.is_disabled, "the card to show DISABLED", 30,
                   signals=[card.customer_changed])
    await settle()
    save_window(window, _out(args, "4-card-disabled"))
    say(f"card flags now: {card.flags.text()!r}")
    emit("disabled_seen", customer_guid=guid, syncs=attempt)
    return 0


async def supervisor_scenario(controller: Any, args: argparse.Namespace, stdin: Stdin) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from teller_app.core.audit import AuditAction

    window = await sign_in(controller, SUPERVISOR, os.environ["TELLER_DEMO_PASSWORD"])
    emit("signed_in", employee=SUPERVISOR)
    await wait_first_results(window)
    inbox = await wait_for(lambda: window.supervision.inbox, "the Approvals inbox dock", 30)
    await wait_for(lambda: not window.ops.is_busy("approvals-poll"),
                   "the inbox's first scan", 60)
    say(f"Approvals inbox open, {inbox.model.rowCount()} request(s) pending")
    emit("ready")

    request_id = json.loads(await stdin.expect("expect", args.step_timeout))["request_id"]
    say(f"parent says request {request_id} was filed: refreshing the inbox")

    def row_of_request() -> int | None:
        for i, (request, _label) in enumerate(inbox.model.rows):
            if request.id == request_id:
                return i
        return None

    deadline = time.monotonic() + args.step_timeout
    polls = 0
    while row_of_request() is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"request {request_id} never reached the inbox")
        polls += 1
        inbox.poll()  # what the inbox's Refresh button does
        await wait_for(lambda: not window.ops.is_busy("approvals-poll"), "an inbox scan", 30)
    row = row_of_request()
    request, label = inbox.model.rows[row]
    say(f"inbox lists it after {polls} refresh(es): customer '{label}', change "
        f"{request.change}, reason {request.reason!r}, maker {request.maker_guid}")

    inbox.table.selectRow(row)
    inbox.comment.setFocus()
    type_text(inbox.comment, COMMENT)
    await settle()
    save_window(window, _out(args, "1-inbox-request"))
    decisions: list[Any] = []
    inbox.decided.connect(decisions.append)
    QTest.mouseClick(inbox.approve_button, Qt.MouseButton.LeftButton)
    decision = await wait_for(lambda: decisions[-1] if decisions else None,
                              "the approval to be applied", 60, signals=[inbox.decided])
    if decision.outcome != "approved" or decision.request_id != request_id:
        raise AssertionError(f"unexpected decision {decision}")
    entries = window.supervision.audit.entries()
    if entries[-1].action != AuditAction.APPROVAL:
        raise AssertionError(f"last audit entry is {entries[-1].action}")
    await settle()
    save_window(window, _out(args, "2-approved"))
    say(f"approved: inbox says '{inbox.status.text()}'")
    emit("approved", request_id=request_id, customer_guid=decision.customer_guid)
    return 0


def worker_main(args: argparse.Namespace, app_argv: list[str]) -> int:
    holder: dict[str, Stdin] = {}

    async def scenario(controller: Any) -> int:
        holder["stdin"] = Stdin()
        run = teller_scenario if args.worker == "teller" else supervisor_scenario
        return await run(controller, args, holder["stdin"])

    code = run_app(["--profile", PROFILE, *app_argv], scenario, args.worker_timeout)
    say(f"app exited with {code}")
    return code


# =============================================================================================
# The parent: one sandbox, two app processes, a relay, the audit check
# =============================================================================================
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
            [sys.executable, str(Path(__file__).resolve()), "--worker", role, "--tag", tag,
             *argv],
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


def write_profile(config: Path, sandbox: Any) -> None:
    from teller_app.secrets import Profile
    from teller_app.secrets.profiles import SETTINGS_FILE, ProfileStore

    store = ProfileStore(config / SETTINGS_FILE)
    store.save(Profile(name=PROFILE, base_url=sandbox.base_url,
                       counterparty_guid=sandbox.counterparty_guid, is_sandbox=True,
                       language="en"))
    store.set_last_profile(PROFILE)


def check_audit(data: Path, expect: dict[str, Any]) -> tuple[bool, str]:
    from teller_app.core.audit import AuditLog

    log = AuditLog.for_profile(PROFILE, data)
    verified = log.verify()
    actions = [e.action for e in log.entries()]
    hits = [e for e in log.entries() if e.action == expect["action"] and
            e.details.get("request_id") == expect["request_id"] and
            e.customer_guid == expect["customer_guid"] and e.actor == expect["actor"]]
    ok = verified.ok and "sign_in" in actions and len(hits) == 1
    text = (f"{log.path}: {verified.entries} entries {actions}; chain "
            f"{'verifies' if verified.ok else 'BROKEN: ' + verified.reason}; "
            f"'{expect['action']}' for request {expect['request_id']} by "
            f"{expect['actor']}: {'found' if hits else 'MISSING'}")
    return ok, text


def platform_view(sandbox: Any, email: str, password: str, guid: str) -> Any:
    """The customer as the platform has it (the parent's own HTTP read, as the supervisor)."""
    import asyncio

    from teller_app.platform import PasswordLogin, PlatformClient

    async def read() -> Any:
        client = PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                                auth=PasswordLogin(email, password))
        try:
            await client.login()
            return await client.get_customer(guid)
        finally:
            await client.aclose()

    return asyncio.run(read())


def parent_main(args: argparse.Namespace, app_argv: list[str]) -> int:
    sys.path.insert(0, str(REPO))
    from teller_app.core.embedded_sandbox import start_sandbox

    t0 = time.monotonic()
    checks: list[tuple[str, bool, str]] = []

    def check(name: str, ok: bool, detail: str = "") -> None:
        checks.append((name, ok, detail))
        out(f"[{stamp()}] parent: {'ok  ' if ok else 'FAIL'} {name}"
            f"{': ' + detail if detail else ''}")

    root = Path(tempfile.mkdtemp(prefix="teller-2ws-"))
    sandbox = None
    workers: list[Worker] = []
    try:
        out(f"[{stamp()}] parent: starting ONE sandbox in {root / 'sandbox'}")
        sandbox = start_sandbox(root / "sandbox")
        employees = {e["email"]: e for e in sandbox.manifest["employees"]}
        check("sandbox started", True, sandbox.base_url)
        for tag in ("A", "B"):
            write_profile(root / tag / "config", sandbox)
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

        filed = a.wait_event("request_filed", args.step_timeout + 60)
        check("A filed a 'disable customer' request", True,
              f"request {filed['request_id']} for customer {filed['customer_guid']}")
        b.wait_event("ready", args.step_timeout + 60)
        b.send("expect " + json.dumps({"request_id": filed["request_id"]}))
        approved = b.wait_event("approved", args.step_timeout + 30)
        check("B saw it in the Approvals inbox and approved it",
              approved["request_id"] == filed["request_id"] and
              approved["customer_guid"] == filed["customer_guid"], json.dumps(approved))
        a.send("approved")
        seen = a.wait_event("disabled_seen", args.step_timeout + 30)
        check("A synced and its cache shows the customer disabled",
              seen["customer_guid"] == filed["customer_guid"], json.dumps(seen))
        customer = platform_view(sandbox, SUPERVISOR, employees[SUPERVISOR]["password"],
                                 filed["customer_guid"])
        check("the platform has the customer disabled, real status restored",
              customer.is_disabled and "[[" not in (customer.status or ""),
              f"is_disabled={customer.is_disabled}, status={customer.status!r}")
        for w in workers:
            code = w.finish(60)
            check(f"{w.tag} ({w.role}) exited cleanly", code == 0, f"exit code {code}")
        ok_a, text_a = check_audit(a.data, {
            "action": "change_request", "request_id": filed["request_id"],
            "customer_guid": filed["customer_guid"], "actor": employees[TELLER]["guid"]})
        check("A's audit trail: change_request, chain verifies", ok_a, text_a)
        ok_b, text_b = check_audit(b.data, {
            "action": "approval", "request_id": filed["request_id"],
            "customer_guid": filed["customer_guid"], "actor": employees[SUPERVISOR]["guid"]})
        check("B's audit trail: approval, chain verifies", ok_b, text_b)
    except Exception as exc:
        check("the run", False, f"{type(exc).__name__}: {exc}")
    finally:
        for w in workers:
            w.kill()
        if sandbox is not None:
            sandbox.stop()
        if args.keep:
            out(f"[{stamp()}] parent: kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)

    passed = bool(checks) and all(ok for _n, ok, _d in checks)
    out("\n== two workstations, one sandbox: " + ("PASS" if passed else "FAIL") +
        f" ({time.monotonic() - t0:.1f} s)")
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
    p.add_argument("--worker", choices=("teller", "supervisor"), help=argparse.SUPPRESS)
    p.add_argument("--tag", default="", help=argparse.SUPPRESS)
    args, app_argv = p.parse_known_args(argv)
    if args.worker:
        return worker_main(args, app_argv)
    for old in Path(args.out).parent.glob(Path(args.out).name + "-[AB]-*.png"):
        old.unlink()
    return parent_main(args, app_argv)


if __name__ == "__main__":
    sys.exit(main())
