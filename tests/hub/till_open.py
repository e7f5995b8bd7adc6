"""A teller's till opened as a test's set-up: the hub asks a supervisor to co-sign an opening
count that differs from the till's last close (a first opening always does), so the set-up
co-signs when asked and the test starts with the till ``open``. Tests of the opening itself
make their own calls."""

from __future__ import annotations

from typing import Any

import httpx

from teller_app.core.till import TillService
from teller_app.core.till_models import Till
from teller_app.platform.hub_client import HubClient


def open_till(http: httpx.Client, teller: dict[str, str], cosigner: dict[str, str], code: str,
              counts: dict[str, int], desk: str) -> dict[str, Any]:
    """The hub's answer for till ``code`` opened by ``teller`` (signed-in headers) at ``desk``,
    co-signed by ``cosigner`` when the hub asks for it."""
    r = http.post("/api/v1/tills/open", headers={**teller, "X-Desk-ID": desk},
                  json={"till_code": code, "counts": counts})
    assert r.status_code == 200, r.text
    if r.json()["state"] == "cosign":
        r = http.post(f"/api/v1/tills/{r.json()['id']}/cosign",
                      headers={**cosigner, "X-Desk-ID": desk})
        assert r.status_code == 200, r.text
    assert r.json()["state"] == "open", r.text
    return dict(r.json())


async def open_cosigned(till: TillService, sup_hub: HubClient, code: str,
                        counts: dict[str, int]) -> Till:
    """Till ``code`` opened through the desk's ``till`` service, co-signed by the supervisor
    signed in on ``sup_hub`` when the hub asks for it (the desk's own client path)."""
    opened = await till.open(code, counts)
    if opened.needs_cosign:
        opened = await TillService(sup_hub, "sup-desk").cosign(opened.id)
        assert opened.state == "open", opened
    return opened
