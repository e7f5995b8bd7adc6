"""Draining (from SIGTERM, or the lifespan's shutdown) says so on ``/readyz``: 503, so a
balancer that still reaches the process sends the work elsewhere."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from teller_app.hub.app import create_app
from teller_app.hub.files import private_dir
from teller_app.hub.serve_cmd import migrate_sqlite
from teller_app.hub.settings import HubSettings


def test_readyz_is_503_once_the_hub_drains(tmp_path: Path) -> None:
    settings = HubSettings(data_dir=private_dir(tmp_path / "hub"))
    migrate_sqlite(settings)  # a real, migrated embedded database: ready until draining
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
        app.state.drain.begin()  # what serve's SIGTERM handler does
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json()["error"] == "the hub is stopping"
        assert client.get("/healthz").status_code == 200  # alive, only not taking work
