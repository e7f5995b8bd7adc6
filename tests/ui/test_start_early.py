"""The embedded stack started before Qt loads (ui/start_early.py): only when the sign-in will
offer it, consumed by the controller (sign-in on it, demo secrets issued once the desk shows
its first results), and
stopped when it turns out not to be needed."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from teller_app.core.embedded_start import EarlyStart
from teller_app.ui.start_early import StartDirs, choose_dirs, start_embedded_early


def _args(**kw: object) -> argparse.Namespace:
    base: dict[str, object] = dict(lang="en", profile=None, data_dir=None, smoke_test=False,
                                   qt_args=[], smoke_timeout=60)
    base.update(kw)
    return argparse.Namespace(**base)


def test_not_started_with_a_named_or_saved_profile(tmp_path: Path) -> None:
    from teller_app.secrets import Profile, ProfileStore

    dirs = StartDirs(tmp_path / "data", None)
    assert start_embedded_early(_args(profile="prod"), dirs) is None  # no stack for --profile
    store = ProfileStore()
    store.save(Profile(name="prod", base_url="http://127.0.0.1:9",
                       counterparty_guid="00000000-0000-4000-8000-000000000000"))
    assert start_embedded_early(_args(), dirs) is None
    assert not (tmp_path / "data" / "sandbox").exists()


def test_smoke_dirs_are_throw_away(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("TELLER_DATA_DIR")
    monkeypatch.delenv("TELLER_CONFIG_DIR")
    dirs = choose_dirs(_args(smoke_test=True))
    assert dirs.temp_dir is not None and dirs.data == dirs.temp_dir / "data"
    dirs.temp_dir.rmdir()


def test_discarded_early_stack_is_stopped(tmp_path: Path) -> None:
    early = start_embedded_early(_args(), StartDirs(tmp_path / "data", None))
    assert isinstance(early, EarlyStart)
    stack = early.future.result(timeout=120)
    assert stack.sandbox.process.poll() is None and stack.hub is not None
    early.discard()  # the profiles read the full way found one after all
    assert stack.sandbox.process.wait(30) is not None
    assert stack.hub.process.wait(30) is not None


def test_controller_signs_in_on_the_early_stack(qtbot, qloop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from teller_app.ui.startup import AppController

    dirs = StartDirs(tmp_path / "data", None)
    early = start_embedded_early(_args(), dirs)
    assert early is not None
    controller = AppController(QApplication.instance(), _args(), time.time(),  # type: ignore[arg-type]
                               dirs=dirs, early=early)
    assert not controller.begin()  # no saved profiles: the splash, then the stack's sign-in
    task = qloop.create_task(controller.start())
    qtbot.waitUntil(lambda: controller.dialog is not None, timeout=120000)
    stack = early.future.result()
    assert controller.sandbox is stack  # the early stack, not a second one
    assert [t.is_sandbox for t in controller.targets] == [True]
    assert controller.early is None
    onboarding = controller.onboarding
    assert onboarding is not None and onboarding.op is None  # waits for the desk's results
    from teller_app.ui.startup import SMOKE_EMPLOYEE

    controller.dialog.choose_demo(SMOKE_EMPLOYEE)
    controller.dialog.submit()
    qtbot.waitUntil(lambda: onboarding.op is not None, timeout=60000)
    window = controller.window
    assert window is not None
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=60000)
    qtbot.waitUntil(lambda: onboarding.op is not None and onboarding.op.done(),
                    timeout=60000)
    assert stack.hub is not None and (stack.hub.data_dir / "onboarded.json").is_file()
    assert task.done()
    window.close()
    qtbot.waitUntil(lambda: controller.done.done(), timeout=30000)
    controller.cleanup()
    assert stack.sandbox.process.wait(30) is not None


def test_ready_time_counts_from_the_process_start() -> None:
    """"ready in N ms" is the process's age: never more than the parent saw pass since it
    spawned the process (psutil's create_time, with whole-second boot time, was up to a
    second more), and not less than the time this process ran before asking. Linux gives the
    start rounded down to a clock tick (10 ms), so the age may be up to one tick more."""
    import os
    import subprocess
    import sys

    code = ("import time; t0 = time.time()\n"
            "from teller_app.ui.app import process_start_time\n"
            "print(t0 - process_start_time())")
    spawned = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    seen = time.perf_counter() - spawned
    age = float(done.stdout)
    tick = 1 / os.sysconf("SC_CLK_TCK") if sys.platform == "linux" else 0.0
    assert 0 < age < seen + tick
