"""A machine policy file for a test: ``TELLER_POLICY_FILE`` names it and the machine has none of
its own. The file is readable by all but writable by its owner only, as the desk requires."""

from __future__ import annotations

from pathlib import Path

import pytest

from teller_app.core import machine_policy
from teller_app.core.machine_policy import POLICY_ENV


def policy_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "policy"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)  # whatever the umask
    monkeypatch.setattr(machine_policy, "MACHINE_POLICY_FILE", tmp_path / "none.toml")
    monkeypatch.setenv(POLICY_ENV, str(folder / "policy.toml"))
    return folder / "policy.toml"


def write_policy(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
