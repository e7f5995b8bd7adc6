""""Test connection" in the profile manager and ``teller-app doctor --profile`` run one check
(``core/profile_check.py``): for the same profile they show the same steps with the same
results, so a profile the CLI calls compatible is one the desk can use, and the other way
round."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.secrets import Profile, ProfileStore
from teller_app.ui.profile_manager import ProfileManagerDialog
from tests.profile_doctor import doctor, steps

from .conftest import TELLER, password_of

DEAD = "http://127.0.0.1:9"  # nothing listens there
PROFILES: dict[str, dict[str, Any]] = {
    "direct": {},
    "dead-proxy": {"proxy": DEAD},
    "hub-mode-dead-hub": {"auth_mode": "hub", "hub_url": DEAD},
}


@pytest.mark.parametrize("kind", list(PROFILES))
def test_test_connection_says_what_the_doctor_says(  # type: ignore[no-untyped-def]
        qtbot, ops, sandbox: SandboxProcess, tmp_path: Path, kind: str) -> None:
    profile = Profile(name=kind, base_url=sandbox.base_url, email=TELLER,
                      counterparty_guid=sandbox.counterparty_guid, **PROFILES[kind])
    password = password_of(sandbox, TELLER)
    code, report, err = doctor(tmp_path / "cli", profile, password)

    manager = ProfileManagerDialog(ops, ProfileStore())
    qtbot.addWidget(manager)
    with qtbot.waitSignal(manager.loaded, timeout=10000):
        manager.show()
    manager.form.load(profile)
    manager.form.password_edit.setText(password)
    with qtbot.waitSignal(manager.checks_done, timeout=60000) as blocker:
        manager.test_connection()
    shown = [(c.name, c.status) for c in blocker.args[0]]

    assert shown == steps(report), err
    assert [manager.results.item(row, 0).text() for row in range(manager.results.rowCount())
            ] == [name for name, _status in shown]
    failed = sum(status == "failed" for _name, status in shown)
    if kind == "direct":
        assert code == 0 and failed == 0
        assert manager.message.text().startswith("All ")
    else:  # the audit's probes: not compatible, in both
        assert code == 1 and failed == 1 and len(shown) == 1
        assert manager.message.text() == "1 of 1 checks failed."
        assert shown[0][0] == ("platform" if kind == "dead-proxy" else "Teller Hub")
