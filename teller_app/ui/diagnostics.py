""""Save diagnostics": logs, versions and settings in one zip for the bank's IT, without
secrets. Every text goes through the redaction filter (every password, token and key this
process has seen is masked, plus bearer tokens and URL queries) before it is zipped; the
keyring is never read. Built off the UI thread; the zip is 0600."""

from __future__ import annotations

import contextlib
import json
import os
import time
import zipfile
from pathlib import Path
from typing import Any

from teller_app.core import app_paths
from teller_app.secrets import config_dir, redact_text

MAX_LOG_BYTES = 5_000_000  # per file: the newest part matters
CONFIG_FILES = ("profiles.json", "desk-settings.json", "server-traits.json")


def session_facts(session: Any) -> dict[str, Any]:
    """What the session may tell IT: who (GUID, roles, branch), where; no token."""
    if session is None:
        return {}
    profile = session.profile
    employee = session.employee
    return {
        "profile": profile.name, "platform": profile.base_url, "hub": profile.hub_url,
        "auth_mode": profile.auth_mode, "sandbox": profile.is_sandbox,
        "employee_guid": employee.guid, "roles": list(employee.roles),
        "branch_guid": employee.branch_guid, "hub_available": session.hub_available,
    }


def build_zip(target: Path, *, versions: dict[str, str], session: dict[str, Any],
              log_dir: Path | None = None, settings_dir: Path | None = None) -> Path:
    log_dir = log_dir or app_paths.log_dir()
    settings_dir = settings_dir or config_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w",
                                                        zipfile.ZIP_DEFLATED) as zf:
            about = {"created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "versions": versions,
                     "session": session}
            zf.writestr("about.json", _clean(json.dumps(about, indent=2, ensure_ascii=False)))
            for name in CONFIG_FILES:
                path = settings_dir / name
                if path.is_file():
                    zf.writestr(f"settings/{name}", _clean(_read(path)))
            if log_dir.is_dir():
                for path in sorted(log_dir.glob("*.log*")):
                    if path.is_file():
                        zf.writestr(f"logs/{path.name}", _clean(_read(path)))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        os.chmod(target, 0o600)
    return target


def _read(path: Path) -> str:
    size = path.stat().st_size
    with path.open("rb") as fh:
        if size > MAX_LOG_BYTES:
            fh.seek(size - MAX_LOG_BYTES)
        return fh.read().decode("utf-8", errors="replace")


def _clean(text: str) -> str:
    return "\n".join(redact_text(line) for line in text.splitlines()) + "\n"


def default_name() -> str:
    return time.strftime("teller-diagnostics-%Y%m%d-%H%M%S.zip")
