"""The hub's cash day zone is a setting (``cash_tz``, also ``TELLER_HUB_CASH_TZ``) that
``serve`` loads before it binds: a misspelt zone or a host without zone data is exit 2 with
one clear line (it used to become UTC silently, or fail every ``/cash/authorize``); the zone
given is the one each authorization's day is filed under, and the start log names it. Real
``teller-hub serve`` processes; the filed day on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import tomllib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fe_db import scalar
from fe_helpers import start_fe_hub
from hub_proc import add_employee, branches, hub_cli, sign_in
from till_helpers import customer, draft
from till_open import open_till

from teller_app.core.embedded_sandbox import SandboxProcess

ROOT = Path(__file__).resolve().parents[2]


def _serve_refused(tmp_path: Path, env: dict[str, str], *args: str) -> str:
    """``serve`` must refuse (exit 2, one line, no traceback, nothing bound or written)."""
    data = tmp_path / "data"
    try:
        r = hub_cli("serve", "--data", str(data), "--port", "0", *args, env=env, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("teller-hub serve started instead of refusing the zone")
    assert r.returncode == 2, (r.returncode, r.stderr[-3000:])
    assert "Traceback" not in r.stderr and not r.stdout.strip()
    assert not (data / "hub.json").exists()
    return r.stderr.strip().splitlines()[-1]


def test_a_misspelt_zone_is_refused_at_start(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text('cash_tz = "Europe/Kiyv"\n')
    line = _serve_refused(tmp_path, {}, "--config", str(config))
    assert line.startswith("teller-hub: cash_tz: cannot load the time zone 'Europe/Kiyv'"), line
    # the environment's name (read directly before it was a setting) says the same
    line = _serve_refused(tmp_path, {"TELLER_HUB_CASH_TZ": "Europe/Kiyv"})
    assert "cash_tz: cannot load the time zone 'Europe/Kiyv'" in line, line


def test_a_host_without_zone_data_is_refused_at_start(tmp_path: Path) -> None:
    """No OS tz database and no tzdata package (an empty one shadows it): the default zone
    does not load, and the hub says so instead of serving a UTC day or 500s."""
    fake = tmp_path / "no-tzdata"
    (fake / "tzdata").mkdir(parents=True)
    (fake / "tzdata" / "__init__.py").write_text("")
    line = _serve_refused(tmp_path, {"PYTHONTZPATH": "", "PYTHONPATH": str(fake)})
    assert "cash_tz: cannot load the time zone 'Europe/Kyiv'" in line and "tzdata" in line


def test_tzdata_is_a_dependency_on_every_os() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    tzdata = [d for d in deps if d.split(">")[0].split(";")[0].strip() == "tzdata"]
    assert tzdata and ";" not in tzdata[0], tzdata


def _far_zone() -> str:
    """UTC-12 or UTC+14, whichever is on another date than Kyiv now (one always is: they
    are 26 hours apart), so a day filed in Kyiv's zone cannot pass for it."""
    kyiv = datetime.now(ZoneInfo("Europe/Kyiv")).date()
    for name in ("Etc/GMT+12", "Etc/GMT-14"):
        if datetime.now(ZoneInfo(name)).date() != kyiv:
            return name
    raise AssertionError("UTC-12 and UTC+14 on Kyiv's date")


def test_authorizations_are_filed_under_the_configured_zones_day(
        hub_db: str | None, sandbox: SandboxProcess, tmp_path: Path) -> None:
    zone = _far_zone()
    config = tmp_path / "hub.toml"
    config.write_text(f'cash_tz = "{zone}"\n')
    hub = start_fe_hub(tmp_path / "hub", sandbox, hub_db, TELLER_HUB_CONFIG=str(config))
    try:
        started = [json.loads(line) for line in hub.log().splitlines()
                   if line.startswith("{") and '"cash day zone"' in line]
        assert [s.get("cash_tz") for s in started] == [zone]
        b0 = branches(sandbox)[0]
        with hub.client() as http:
            teller = sign_in(http, add_employee(http, hub, roles=["Teller"], branch_guid=b0))
            sup = sign_in(http, add_employee(http, hub, roles=["Supervisor"], branch_guid=b0))
            open_till(http, teller, sup, "T-zone", {"note_100": 5}, "desk-zone")
            _, account = customer(sandbox, b0)
            guid = draft(sandbox, b0, account, "10.00")
            before = datetime.now(ZoneInfo(zone)).date().isoformat()
            r = http.post("/api/v1/cash/authorize", headers={**teller, "X-Desk-ID": "desk-zone"},
                          json={"payment_guid": guid})
            assert r.status_code == 200 and r.json()["decision"] == "allow", r.text
            after = datetime.now(ZoneInfo(zone)).date().isoformat()
        day = scalar(hub, "SELECT day FROM cash_authorizations WHERE payment_guid = :g", g=guid)
        assert day in {before, after}, (day, zone)  # not Kyiv's date (``_far_zone``)
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]
