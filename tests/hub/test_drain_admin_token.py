"""Hubs that share a database share the admin token: ``serve`` on anything but the embedded
default refuses to start without one (exit 2, one line, nothing bound or written), rather
than each process making its own (admin calls through a balancer failing by turns)."""

from __future__ import annotations

import base64
from pathlib import Path

from hub_proc import database_master_key, hub_cli


def _serve(data: Path, url: str | None, **env: str) -> tuple[int, str]:
    full = {"TELLER_HUB_LOG_LEVEL": "warning", **env}
    if url is not None:
        full["TELLER_HUB_DATABASE_URL"] = url
        full["TELLER_HUB_MASTER_KEY"] = base64.b64encode(database_master_key(url)).decode()
    r = hub_cli("serve", "--data", str(data), "--port", "0", env=full, timeout=30)
    return r.returncode, r.stderr


def test_a_shared_database_needs_a_given_admin_token(hub_db: str | None,
                                                      tmp_path: Path) -> None:
    url = hub_db or f"sqlite+aiosqlite:///{tmp_path / 'shared' / 'hub.db'}"
    (tmp_path / "shared").mkdir()
    code, err = _serve(tmp_path / "data", url)
    assert code == 2, err
    lines = [ln for ln in err.splitlines() if not ln.startswith("{")]
    assert len(lines) == 1 and "admin_token is not set" in lines[0], err
    assert not (tmp_path / "data" / "hub.json").exists()
    assert not (tmp_path / "data" / "admin.token").exists()
