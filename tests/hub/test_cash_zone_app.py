"""The cash day's zone (``cash_tz``) is the settings' in every hub app, not only in one
``serve`` started: an app built with ``create_app`` used the default zone whatever its
settings said (the zone was set by ``serve`` alone), so its daily limits reset at Kyiv's
midnight. Then it was a process-wide value the last app started set: two apps in one process
(the tests, an embedded hub) shared the last one's day. Each app keeps its own now. Real
apps on migrated embedded databases, served in-process."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from teller_app.hub.app import create_app
from teller_app.hub.files import private_dir
from teller_app.hub.serve_cmd import migrate_sqlite
from teller_app.hub.settings import CASH_TZ_DEFAULT, HubSettings
from teller_app.hub.till_money import app_cash_zone, cash_day

ZONE = "Pacific/Kiritimati"  # UTC+14: its day is not Kyiv's for 12 hours of every day
NOON_UTC = 1_767_268_800  # 2026-01-01 12:00 UTC: already 2 January at UTC+14


def _settings(tmp_path: Path, name: str, **zone: str) -> HubSettings:
    settings = HubSettings(data_dir=private_dir(tmp_path / name), **zone)
    migrate_sqlite(settings)
    return settings


def test_each_app_files_cash_under_its_own_settings_zone(tmp_path: Path) -> None:
    far = create_app(_settings(tmp_path, "far", cash_tz=ZONE))
    home = create_app(_settings(tmp_path, "home"))  # the default zone, started second
    with TestClient(far) as far_client, TestClient(home) as home_client:
        assert far_client.get("/readyz").status_code == 200
        assert home_client.get("/readyz").status_code == 200
        assert app_cash_zone(far.state).key == ZONE  # not the app started last
        assert app_cash_zone(home.state).key == CASH_TZ_DEFAULT
        assert cash_day(app_cash_zone(far.state), NOON_UTC) == "2026-01-02"
        assert cash_day(app_cash_zone(home.state), NOON_UTC) == "2026-01-01"
