"""The machine policy's ``idle_lock_minutes_max`` caps the idle lock: a teller's setting above
it is clamped (read, shown, applied), Settings says the cap, and a profile's idle lock is
capped at sign-in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from teller_app.ui.settings import SettingsDialog, apply_settings
from teller_app.ui.settings_store import load_settings, settings_path
from teller_app.ui.sign_in import sandbox_target, sign_in
from tests.policy_files import policy_path, write_policy

from .conftest import TELLER, password_of


@pytest.fixture()
def capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_policy(policy_path(tmp_path, monkeypatch), "idle_lock_minutes_max = 10\n")
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"idle_lock_minutes": 30}))  # the teller's own choice


def test_a_setting_above_the_cap_is_clamped_and_the_dialog_says_so(  # type: ignore[no-untyped-def]
        qtbot, main_window, capped) -> None:
    window = main_window
    settings = load_settings()
    assert settings.idle_lock_minutes == 10
    apply_settings(settings, window, window.session, language_changed=False)
    assert window.supervision.locker.tracker.idle_seconds == 10 * 60
    dialog = SettingsDialog(window.ops, window.session, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.idle_cap == 10 and dialog.desk_box.isEnabled(),
                    timeout=5000)
    assert dialog.idle.maximum() == 10 and dialog.idle.value() == 10
    assert dialog.idle_cap_note.isVisible() and "10" in dialog.idle_cap_note.text()
    assert dialog.values().idle_lock_minutes == 10


def test_the_profiles_idle_lock_is_capped_at_sign_in(arun, sandbox, capped) -> None:  # type: ignore[no-untyped-def]
    target = sandbox_target(sandbox.manifest)
    target.profile = target.profile.model_copy(update={"idle_lock_minutes": 60})
    session = arun(sign_in(target, TELLER, password_of(sandbox, TELLER), remember=False,
                           store=None))
    try:
        assert session.profile.idle_lock_minutes == 10
    finally:
        arun(session.close())
