#!/usr/bin/env python3
"""Drive the REAL Teller app (real start-up, real qasync event loop, real windows) for demos.

    packaging/demo/xvfb_screenshot.sh            # under Xvfb: sign in, search, open a card,
                                                  # capture the X screen into PNGs
    .venv/bin/python packaging/demo/drive_app.py --out /tmp/teller-xvfb [--lang uk] [app args]

How: ``teller_app.ui.start_run.run`` is called exactly as ``teller-app`` calls it, with one
difference: its ``AppController`` is a subclass whose ``begin()`` also starts a *driver*
coroutine on the same event loop. The driver acts like a user through the widgets' public
surface (the sign-in dialog's demo list and Sign-in button, key clicks into the search box,
Enter, ...) and waits on conditions (signals plus a 50 ms re-check on the event loop, each
with a timeout) — never a blind sleep. When the scenario is done it closes the main window,
so the app ends through its own close path (cache + session closed, embedded sandbox stopped).

Also imported by ``workstation.py`` (``run_app``, ``wait_for``, ``sign_in``...) and
``two_workstations.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TELLER = "teller.kyiv@demo.bank"
TAG = os.environ.get("TELLER_DEMO_TAG", "app")


def stamp() -> str:
    now = time.time()
    return time.strftime("%H:%M:%S", time.localtime(now)) + f".{int(now * 1000) % 1000:03d}"


def say(text: str) -> None:
    print(f"[{stamp()}] {TAG}: {text}", flush=True)


# -- waiting on conditions with the event loop ------------------------------------------------
async def wait_for(cond: Callable[[], Any], what: str, timeout: float = 30.0,
                   signals: Iterable[Any] = ()) -> Any:
    """Resolve with ``cond()``'s first truthy value. Re-checked whenever one of ``signals``
    fires and on a 50 ms QTimer tick (the loop keeps running: nothing blocks). Bounded."""
    from PySide6.QtCore import QTimer

    loop = asyncio.get_event_loop()
    fut: asyncio.Future[Any] = loop.create_future()

    def check(*_args: Any) -> None:
        if fut.done():
            return
        try:
            value = cond()
        except Exception as exc:  # a broken condition is a failure, not a hang
            fut.set_exception(exc)
            return
        if value:
            fut.set_result(value)

    connected = []
    for signal in signals:
        signal.connect(check)
        connected.append(signal)
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(check)
    timer.start()
    check()
    try:
        return await asyncio.wait_for(fut, timeout)
    except TimeoutError:
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}") from None
    finally:
        timer.stop()
        for signal in connected:
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect(check)


async def settle() -> None:
    """Let the event loop run twice (queued layouts and paints happen): not a
    synchronisation. Never ``processEvents()`` here: inside a running qasync task it would
    step other tasks re-entrantly ("Cannot enter into task ... while another task ...")."""
    from PySide6.QtCore import QTimer

    loop = asyncio.get_event_loop()
    for _ in range(2):
        turn: asyncio.Future[None] = loop.create_future()
        QTimer.singleShot(0, lambda f=turn: f.done() or f.set_result(None))
        await turn


# -- screenshots ---------------------------------------------------------------------------
async def capture_screen(path: Path, widget: Any = None) -> Path:
    """The real X screen (``xwd -root | convert``) when on xcb with xwd installed; else the
    screen through Qt (``QScreen.grabWindow(0)``); offscreen: ``widget.grab()``."""
    from PySide6.QtGui import QGuiApplication

    if widget is not None:
        widget.repaint()
    await settle()
    path.parent.mkdir(parents=True, exist_ok=True)
    platform = QGuiApplication.platformName()
    display = os.environ.get("DISPLAY")
    convert = shutil.which("convert", path="/usr/bin") or shutil.which("convert")
    if platform == "xcb" and display and shutil.which("xwd") and convert:
        cmd = f"xwd -root -silent -display {display} | {convert} xwd:- png:{path}"
        done = await asyncio.to_thread(subprocess.run, ["sh", "-c", cmd], capture_output=True,
                                       timeout=30)
        if done.returncode == 0 and path.exists():
            return path
        say(f"xwd capture failed ({done.stderr.decode(errors='replace').strip()}); "
            "using QScreen.grabWindow(0)")
    if platform != "offscreen":
        screen = QGuiApplication.primaryScreen()
        if screen is not None and screen.grabWindow(0).save(str(path)):
            return path
    if widget is None or not widget.grab().save(str(path)):
        raise RuntimeError(f"could not save a screenshot to {path}")
    return path


def save_window(window: Any, path: Path) -> Path:
    """The window's own pixels (two app windows share one X screen in the two-process demo)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    window.repaint()
    if not window.grab().save(str(path)):
        raise RuntimeError(f"could not save {path}")
    return path


# -- acting like a user --------------------------------------------------------------------
def type_text(widget: Any, text: str) -> None:
    """Key press/release events carrying each character's text, delivered to ``widget`` as
    a keyboard would (QTest.keyClicks asserts on non-ASCII such as Cyrillic)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for ch in text:
        code = ord(ch.upper()) if ch.isascii() and ch.isprintable() else 0
        key = Qt.Key(code) if code else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier,
                                                     ch))


async def sign_in(controller: Any, email: str, password: str | None = None,
                  timeout: float = 120.0,
                  before_submit: Callable[[Any], Awaitable[Any]] | None = None) -> Any:
    """Fill the real sign-in dialog (demo list for the embedded sandbox, else typed e-mail and
    password), press Sign in, and wait for the main window with its first results."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    dialog = await wait_for(lambda: controller.dialog if controller.dialog is not None and
                            controller.dialog.isVisible() else None,
                            "the sign-in dialog", timeout)
    say(f"sign-in dialog shown ({dialog.profile_combo.currentText()})")
    if password is None:
        dialog.choose_demo(email)  # the same call the app's --smoke-test makes
    else:
        dialog.email.clear()
        type_text(dialog.email, email)
        dialog.secret.clear()
        type_text(dialog.secret, password)
    await settle()
    if before_submit is not None:
        await before_submit(dialog)
    QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    say(f"signing in as {email}")
    window = await wait_for(lambda: controller.window, "the main window (sign-in)", timeout,
                            signals=[dialog.signed_in])
    say(f"signed in: main window '{window.windowTitle()}', status "
        f"'{window.employee_label.text()}'")
    return window


async def wait_first_results(window: Any, timeout: float = 120.0) -> None:
    panel = window.search_panel
    await wait_for(lambda: panel.model.rowCount() > 0, "the first search results", timeout,
                   signals=[panel.results_shown])
    # The first full sync: from then on the branch cache answers searches.
    await wait_for(lambda: getattr(window, "_cache_warm", True) and
                   not window.ops.is_busy("sync"), "the first sync of the branch cache",
                   timeout)
    say(f"first results: {panel.model.rowCount()} row(s) shown; "
        f"sync: '{window.sync_label.text()}'")


async def type_search(window: Any, query: str, timeout: float = 30.0) -> None:
    """Type ``query`` into the search box key by key and wait for its results."""
    panel = window.search_panel
    window.focus_search()
    panel.search_box.clear()
    type_text(panel.search_box, query)
    await wait_for(lambda: panel.model.query == query and not panel.ops.is_busy("search")
                   and panel.model.rowCount() > 0,
                   f"results for {query!r}", timeout, signals=[panel.results_shown])
    await settle()
    say(f"typed {query!r}: {panel.model.rowCount()} row(s), summary "
        f"'{panel.summary.text()}'")


async def press_enter_open_card(window: Any, timeout: float = 60.0) -> Any:
    """Enter in the search box opens the first row's card; wait for its platform data."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from teller_app.ui.customer_card import CustomerCard

    opened: list[Any] = []
    refreshed: list[Any] = []

    def on_opened(card: Any) -> None:
        opened.append(card)
        card.refreshed.connect(lambda: refreshed.append(card))

    window.customer_card_opened.connect(on_opened)
    try:
        QTest.keyClick(window.search_panel.search_box, Qt.Key.Key_Return)
        card = await wait_for(lambda: opened[-1] if opened else None, "a customer card",
                              timeout)
        assert isinstance(card, CustomerCard)
        await wait_for(lambda: refreshed and card.account_panels, "the card's accounts "
                       "and balances from the platform", timeout)
    finally:
        window.customer_card_opened.disconnect(on_opened)
    await settle()
    ibans = [p.iban_label.text() for p in card.account_panels]
    say(f"card open: '{card.title.text()}', accounts {ibans}, balances "
        f"{card.balance_texts()}, '{card.freshness.text()}'")
    return card


# -- running the real app with a driver ----------------------------------------------------
def run_app(app_argv: list[str], scenario: Callable[[Any], Awaitable[int]],
            timeout: float = 240.0) -> int:
    """Run ``teller-app`` (``teller_app.ui.app``/``startup``) with ``scenario(controller)``
    driving it. Returns the app's exit code: the scenario's result, 1 on error/timeout."""
    from teller_app.ui import app as app_module
    from teller_app.ui import start_run, startup

    args = app_module.parse_args(app_argv)
    started_at = app_module.process_start_time()

    class DrivenController(startup.AppController):
        final_code: int | None = None
        driver: asyncio.Task[None] | None = None

        def begin(self) -> bool:
            # run() calls begin() before the loop turns; with a saved profile it shows the
            # sign-in window there and start() never runs, so the driver starts here.
            if self.driver is None:
                self.driver = asyncio.get_event_loop().create_task(self._drive())
            return super().begin()

        async def _drive(self) -> None:
            try:
                code = int(await asyncio.wait_for(scenario(self), timeout))
            except TimeoutError as exc:  # a step's own bound, or the whole scenario's
                say(f"FAIL: {exc or f'the scenario took longer than {timeout:.0f} s'}")
                code = 1
            except Exception as exc:  # report, then end the app cleanly
                say(f"FAIL: {type(exc).__name__}: {exc}")
                code = 1
            self.final_code = code
            window = self.window
            if window is not None:
                # The app's own end: closed -> shutdown (cache, session) -> quit.
                asyncio.get_event_loop().call_later(30, lambda: self.quit(code))
                window.close()
            else:
                self.quit(code)

        def quit(self, code: int) -> None:
            super().quit(self.final_code if self.final_code is not None else code)

    start_run.AppController = DrivenController  # type: ignore[misc]
    return start_run.run(args, started_at)


# -- the screenshot scenario -----------------------------------------------------------------
def pick_query(window: Any) -> str:
    """A surname prefix several of the shown customers share (a search with a few results),
    else the first customer's surname."""
    from collections import Counter

    model = window.search_panel.model
    surnames = [getattr(model.row_at(i), "surname", "") or "" for i in range(model.rowCount())]
    prefixes = Counter(s[:2] for s in surnames if len(s) >= 2)
    if prefixes:
        prefix, count = prefixes.most_common(1)[0]
        if count >= 2:
            return prefix
    return surnames[0] if surnames else ""


def screenshot_scenario(out: str, email: str, query: str | None) -> Callable[[Any],
                                                                              Awaitable[int]]:
    async def scenario(controller: Any) -> int:
        from PySide6.QtGui import QGuiApplication

        say(f"Qt platform '{QGuiApplication.platformName()}', DISPLAY "
            f"{os.environ.get('DISPLAY', '-')}")

        async def filled(dialog: Any) -> None:
            # the keyring check has answered (its note, if any, is on screen)
            await wait_for(lambda: dialog.store is not None, "the keyring check", 30)
            shot = await capture_screen(Path(f"{out}-signin.png"), dialog)
            say(f"saved {shot}")

        window = await sign_in(controller, email, before_submit=filled)
        await wait_first_results(window)
        await type_search(window, query or pick_query(window))
        shot = await capture_screen(Path(f"{out}-main.png"), window)
        say(f"saved {shot}")
        card = await press_enter_open_card(window)
        if not card.balance_texts() or not card.account_panels[0].iban_label.text():
            raise AssertionError("the card shows no balance or IBAN")
        shot = await capture_screen(Path(f"{out}-card.png"), window)
        say(f"saved {shot}")
        say("PASS: signed in, results shown, card with account panel captured")
        return 0

    return scenario


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="/tmp/teller-xvfb",
                   help="PNG prefix: OUT-signin.png, OUT-main.png, OUT-card.png")
    p.add_argument("--email", default=TELLER, help="demo employee to sign in as")
    p.add_argument("--query", help="what to type into the search box "
                   "(default: the first result's surname)")
    p.add_argument("--timeout", type=float, default=240.0)
    ours, app_argv = p.parse_known_args(argv)
    code = run_app(app_argv, screenshot_scenario(ours.out, ours.email, ours.query),
                   ours.timeout)
    say(f"app exited with {code}")
    return code


if __name__ == "__main__":
    sys.exit(main())
