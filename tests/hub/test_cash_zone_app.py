"""The cash day's zone (``cash_tz``) is the settings' in every hub app, not only in one
``serve`` started: an app built with ``create_app`` used the default zone whatever its
settings said (the zone was set by ``serve`` alone), so its daily limits reset at Kyiv's
midnight. A real app on a migrated embedded database, served in-process."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from teller_app.hub import till_money
from teller_app.hub.app import create_app
from teller_app.hub.files import private_dir
from teller_app.hub.serve_cmd import migrate_sqlite
from teller_app.hub.settings import CASH_TZ_DEFAULT, HubSettings

ZONE = "Pacific/Kiritimati"  # UTC+14: its day is not Kyiv's for 12 hours of every day


def test_an_app_files_cash_under_its_settings_zone(tmp_path: Path) -> None:
    settings = HubSettings(data_dir=private_dir(tmp_path / "hub"), cash_tz=ZONE)
    migrate_sqlite(settings)
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            assert client.get("/readyz").status_code == 200
            assert till_money.cash_zone().key == ZONE
            noon_utc = 1_767_268_800  # 2026-01-01 12:00 UTC: already 2 January at UTC+14
            assert till_money.cash_day(noon_utc) == "2026-01-02"
    finally:  # one hub app per process: the next test's starts from the default
        till_money.use_cash_zone(ZoneInfo(CASH_TZ_DEFAULT))
