"""Lock screen: "Sign out" hands the desk over without unlocking; the password is checked
where the profile signs in (platform in Mode A, the Teller Hub in Mode B)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton

from teller_app.core.embedded_stack import hub_dir, start_embedded
from teller_app.ui import lock_modes

from .conftest import TELLER, password_of


def test_locked_desk_can_be_signed_out_and_unlock_checks_the_platform(  # type: ignore[no-untyped-def]
        qtbot, main_window, sandbox, arun):
    window = main_window
    locker = window.supervision.locker
    locker.lock()
    button = window.findChild(QPushButton, "lockSignOut")
    assert button is not None and button.isVisible() and button.accessibleName() == "Sign out"
    profile = window.session.profile
    assert arun(lock_modes.verify_password(profile, TELLER, password_of(sandbox, TELLER)))
    assert not arun(lock_modes.verify_password(profile, TELLER, "wrong-password"))
    with qtbot.waitSignal(window.signed_out, timeout=5000):
        button.click()


@pytest.mark.slow
def test_hub_mode_unlock_and_switch_go_through_the_hub(qtbot, qloop, arun, tmp_path):  # type: ignore[no-untyped-def]
    stack = start_embedded(tmp_path / "stack")
    try:
        assert stack.hub is not None, stack.hub_problem
        branch = stack.sandbox.manifest["branches"][0]["guid"]
        email, password = "hub.teller@demo.bank", "Hub-Pa55word-for-tests"
        done = subprocess.run(
            [str(Path(sys.executable).with_name("teller-hub")), "employees", "add", "--data",
             str(hub_dir(tmp_path / "stack")), "--email", email, "--role", "Teller",
             "--branch", branch, "--password-stdin"],
            input=password + "\n", text=True, capture_output=True, timeout=60)
        if done.returncode != 0:
            pytest.skip(f"hub employee not added: {done.stderr[-300:]}")
        from teller_app.secrets import Profile

        profile = Profile(name="hub-bank", base_url=stack.sandbox.base_url,
                          counterparty_guid=stack.sandbox.manifest["counterparty_guid"],
                          auth_mode="hub", hub_url=stack.hub_url)
        assert arun(lock_modes.verify_password(profile, email, password), timeout=30000)
        assert not arun(lock_modes.verify_password(profile, email, "nope"), timeout=30000)
        session = arun(lock_modes.open_other_session(profile, email, password), timeout=30000)
        assert session.employee.email == email
        arun(session.close())
    finally:
        stack.stop()
