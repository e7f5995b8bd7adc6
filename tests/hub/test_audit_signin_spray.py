"""A spray of failed sign-ins from many client addresses (SQLite and PostgreSQL, a real hub
over HTTP): each address is under its own per-minute cap, yet the audit chain gets at most
``signin_audit.ROWS_PER_MINUTE`` of them a minute from the process, then one summary row;
a known employee's wrong password is still written."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from hub_proc import HubProc, add_employee, sign_in, unique_email

from teller_app.hub.signin_audit import ROWS_PER_MINUTE, SUMMARY
from teller_app.ui.audit_details import details_text

SPRAY = 3 * ROWS_PER_MINUTE


def _attempt(hub: HubProc, n: int) -> int:
    with hub.client() as http:
        return http.post("/api/v1/sessions", headers={"X-Forwarded-For": f"10.77.{n // 250}."
                                                                          f"{n % 250 + 1}"},
                         json={"mode": "password", "email": unique_email("spray"),
                               "password": "whatever it is"}).status_code


def _trail(http: httpx.Client, admin: dict[str, str]) -> list[dict[str, Any]]:
    r = http.get("/api/v1/audit", headers=admin,
                 params={"limit": 1000, "action": "sign_in_failed"})
    assert r.status_code == 200, r.text
    return list(r.json()["entries"])


def test_a_spray_from_many_addresses_is_capped_per_minute(hub: HubProc,
                                                          http: httpx.Client) -> None:
    admin = sign_in(http, add_employee(http, hub, roles=["Administrator"], head_office=True))
    teller = add_employee(http, hub, roles=["Teller"], head_office=True)
    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(lambda n: _attempt(hub, n), range(SPRAY)))
    assert codes == [401] * SPRAY
    wrong = http.post("/api/v1/sessions", headers={"X-Forwarded-For": "10.78.0.1"},
                      json={"mode": "password", "email": teller, "password": "not it"})
    assert wrong.status_code == 401

    rows = _trail(http, admin)
    one_by_one = [e for e in rows if e["entity"].startswith("address:10.77.")]
    summaries = [e for e in rows if e["entity"] == "address:*"]
    minutes = {e["ts_ms"] // 60_000 for e in one_by_one + summaries}
    assert len(one_by_one) <= ROWS_PER_MINUTE * len(minutes), (len(one_by_one), minutes)
    assert 1 <= len(summaries) <= len(minutes)
    assert all(e["actor"] == "" and e["detail"] == {
        "refusal": SUMMARY, "recorded_per_minute": ROWS_PER_MINUTE} for e in summaries)
    assert len(one_by_one) + len(summaries) < SPRAY
    # a known employee's failure is the supervisors' to see: always written
    assert [e["detail"]["refusal"] for e in rows if e["actor"] == teller] == ["wrong_password"]
    # the desk's audit trail words the summary (no raw code)
    text = details_text(summaries[0]["detail"])
    assert SUMMARY not in text and "recorded_per_minute" not in text, text
    assert "too many failed sign-ins" in text, text
