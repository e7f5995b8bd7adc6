"""100 000 synthetic customers: generated once, paged with limit=500, searched, reused on a
restart (slow). How long generation and paging take is the benchmarks' job (`generate`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sandbox_api import ADMIN, TELLER_KYIV, Api

from teller_app.core.embedded_sandbox import start_sandbox

N = 100_000


@pytest.mark.slow
def test_hundred_thousand_customers(tmp_path: Path) -> None:
    sb = start_sandbox(tmp_path / "big", customers=N, timeout=180)
    try:
        api = Api(sb)
        assert any(line.startswith("generated") for line in sb.output)
        first = api.get("customers", params={"limit": 500}).json()
        assert first["total"] == N
        # names are Ukrainian (Cyrillic), phones +380..., logins unique
        sample = first["customers"]
        assert all(c["phone_number"].startswith("+380") and len(c["phone_number"]) == 13
                   for c in sample)
        assert all("\u0400" <= c["surname"][0] <= "\u04ff" for c in sample)
        assert len({c["login"] for c in sample}) == len(sample)
        assert {c["branch_guid"] for c in sample} == {b["guid"] for b in api.m["branches"]}
        seen: set[str] = set()
        for offset in range(0, N, 500):
            page = api.get("customers", params={"limit": 500, "offset": offset}).json()
            seen.update(c["wallet_user_guid"] for c in page["customers"])
        assert len(seen) == N  # every customer once
        found = api.get("customers", TELLER_KYIV, params={"search_string": "ШЕВЧЕНКО",
                                                          "limit": 500}).json()
        assert found["total"] > 0
        assert all("шевченко" in (c["surname"] + c["name"] + c["login"]).casefold()
                   for c in found["customers"])
        for term in ("Ш", "ко", "шев", "ivan.p", "ОЛЕКСАНДР"):
            body = api.get("customers", ADMIN, params={"search_string": term, "limit": 50}).json()
            assert body["total"] > 0
            assert all(term.casefold() in "\x1f".join(
                (c["name"], c["surname"], c["paternal_name"], c["login"])).casefold()
                for c in body["customers"])
        assert api.get("customers", ADMIN, params={"limit": 1}).json()["total"] == N
    finally:
        sb.stop()
    # restart on the same dir: no duplicates, no regeneration
    again = start_sandbox(tmp_path / "big", customers=N, timeout=120)
    try:
        assert not any(line.startswith("generated") for line in again.output)
        assert Api(again).get("customers", params={"limit": 1}).json()["total"] == N
    finally:
        again.stop()
