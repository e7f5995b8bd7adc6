"""The machine's policy at start-up (``core/machine_policy.py``, ``ui/start_early.py``,
``ui/startup.py``): with ``embedded_demo = false`` a user with no profile is told to ask IT,
with the profile manager as a way on, and the sandbox never starts; a machine profiles file
is offered (painted at once) to a user who has none."""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QPushButton

from teller_app.core import machine_policy
from teller_app.core.machine_policy import POLICY_ENV
from teller_app.secrets import Profile, ProfileStore
from teller_app.ui.start_early import choose_dirs, start_embedded_early
from teller_app.ui.startup import AppController


def _args(**kw: object) -> argparse.Namespace:
    base: dict[str, object] = dict(lang="en", profile=None, data_dir=None, smoke_test=False,
                                   qt_args=[], smoke_timeout=60)
    base.update(kw)
    return argparse.Namespace(**base)


@pytest.fixture()
def etc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for /etc/teller (0755, files 0644), named by TELLER_POLICY_FILE (the
    machine has no policy of its own: this computer's /etc/teller is not read)."""
    folder = tmp_path / "etc-teller"
    folder.mkdir()
    folder.chmod(0o755)
    monkeypatch.setattr(machine_policy, "MACHINE_POLICY_FILE", tmp_path / "none.toml")
    monkeypatch.setenv(POLICY_ENV, str(folder / "policy.toml"))
    return folder


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)


@pytest.fixture()
def controllers() -> Iterator[list[AppController]]:
    made: list[AppController] = []
    yield made
    for controller in made:
        if controller.dialog is not None:
            controller.dialog.rejected.disconnect()  # closing must not quit the test's app
            controller.dialog.close()
        for name in ("no_profile_box", "no_profile_dialog"):
            widget = getattr(controller, name, None)
            if widget is not None and shiboken6.isValid(widget):  # a closed manager is gone
                widget.close()
        controller.ops.cancel_all()
        controller.cleanup()


def test_no_profile_and_no_demo_asks_for_it_and_never_starts_the_sandbox(  # type: ignore[no-untyped-def]
        qtbot, qloop, etc: Path, controllers: list[AppController]) -> None:
    _write(etc / "policy.toml", "embedded_demo = false\n")
    dirs = choose_dirs(_args())
    assert dirs.policy.embedded_demo is False
    assert start_embedded_early(_args(), dirs) is None  # nothing starts before Qt either
    controller = AppController(QApplication.instance(), _args(), time.time(),  # type: ignore[arg-type]
                               dirs=dirs)
    controllers.append(controller)
    assert not controller.begin()
    qloop.create_task(controller.start())
    qtbot.waitUntil(lambda: getattr(controller, "no_profile_box", None) is not None,
                    timeout=10000)
    box = controller.no_profile_box
    assert box.isVisible() and "Ask IT" in box.text() and "demo off" in box.text()
    assert controller.sandbox is None and controller.dialog is None and not controller.targets
    assert not (dirs.data / "sandbox").exists() and not controller.done.done()

    # Profiles…: the employee adds the profile IT gave them; closing the manager resumes.
    box.findChild(QPushButton, "manageProfiles").click()
    qtbot.waitUntil(lambda: getattr(controller, "no_profile_dialog", None) is not None,
                    timeout=5000)
    ProfileStore().save(Profile(name="prod", base_url="https://dcm.bank.example",
                                counterparty_guid="cp-1", email="me@bank.ua"))
    controller.no_profile_dialog.close()
    qtbot.waitUntil(lambda: controller.dialog is not None, timeout=10000)
    assert [t.profile.name for t in controller.dialog.targets] == ["prod"]
    assert controller.sandbox is None and not (dirs.data / "sandbox").exists()


def test_quit_from_the_message_ends_the_app(  # type: ignore[no-untyped-def]
        qtbot, qloop, etc: Path, controllers: list[AppController]) -> None:
    _write(etc / "policy.toml", "embedded_demo = false\n")
    controller = AppController(QApplication.instance(), _args(), time.time())  # type: ignore[arg-type]
    controllers.append(controller)
    qloop.create_task(controller.start())
    qtbot.waitUntil(lambda: getattr(controller, "no_profile_box", None) is not None,
                    timeout=10000)
    controller.no_profile_box.findChild(QPushButton, "quitProfiles").click()
    qtbot.waitUntil(controller.done.done, timeout=5000)
    assert controller.done.result() == 2 and controller.sandbox is None


@pytest.mark.parametrize("wanted", [None, "kyiv"])
def test_a_user_with_no_profiles_is_offered_the_machines(  # type: ignore[no-untyped-def]
        qtbot, qloop, etc: Path, controllers: list[AppController], wanted: str | None) -> None:
    items = [{"name": n, "base_url": "https://dcm.bank.example", "counterparty_guid": "cp-1",
              "email": f"{n}@bank.ua"} for n in ("kyiv", "lviv")]
    _write(etc / "profiles.json", json.dumps({"profiles": items, "last_profile": "lviv"}))
    _write(etc / "policy.toml", 'profiles_file = "profiles.json"\n')  # the demo stays allowed
    args = _args(profile=wanted)
    dirs = choose_dirs(args)
    assert start_embedded_early(_args(), dirs) is None  # the machine has profiles: no demo
    controller = AppController(QApplication.instance(), args, time.time(), dirs=dirs)  # type: ignore[arg-type]
    controllers.append(controller)
    assert controller.begin()  # painted at once from the machine's file
    dialog = controller.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: bool(dialog.targets), timeout=10000)  # validated after the paint
    expected = ["lviv", "kyiv"] if wanted is None else [wanted]
    assert [t.profile.name for t in dialog.targets] == expected
    assert controller.dialog is dialog and controller.sandbox is None
    assert not ProfileStore().path.exists()  # nothing copied before a sign-in


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="the machine's policy must be root-owned")
def test_teller_policy_file_does_not_bring_the_demo_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "etc-teller"
    folder.mkdir()
    folder.chmod(0o755)
    _write(folder / "policy.toml", "embedded_demo = false\n")  # root-owned: the machine's
    monkeypatch.setattr(machine_policy, "MACHINE_POLICY_FILE", folder / "policy.toml")
    monkeypatch.setenv(POLICY_ENV, "/nonexistent/policy.toml")
    dirs = choose_dirs(_args())
    assert dirs.policy.embedded_demo is False
    assert dirs.policy.source == str(folder / "policy.toml")
    assert start_embedded_early(_args(), dirs) is None
