"""100 000 synthetic customers: generation time, paging with limit=500, search (slow)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sandbox_api import ADMIN, TELLER_KYIV, Api

from teller_app.core.embedded_sandbox import start_sandbox

N = 100_000


@pytest.mark.slow
def test_hundred_thousand_customers(tmp_path: Path) -> None:
    t0 = time.perf_counter()
    sb = start_sandbox(tmp_path / "big", customers=N, timeout=180)
    startup = time.perf_counter() - t0
    try:
        api = Api(sb)
        generated = [line for line in sb.output if line.startswith("generated")]
        print(f"\nstartup with {N} customers: {startup:.1f}s ({generated})")
        assert startup < 60
        first = api.get("customers", params={"limit": 500}).json()
        assert first["total"] == N
        # names are Ukrainian (Cyrillic), phones +380..., logins unique
        sample = first["customers"]
        assert all(c["phone_number"].startswith("+380") and len(c["phone_number"]) == 13
                   for c in sample)
        assert all("\u0400" <= c["surname"][0] <= "\u04ff" for c in sample)
        assert len({c["login"] for c in sample}) == len(sample)
        assert {c["branch_guid"] for c in sample} == {b["guid"] for b in api.m["branches"]}
        seen = 0
        times = []
        t1 = time.perf_counter()
        for offset in range(0, N, 500):
            t = time.perf_counter()
            page = api.get("customers", params={"limit": 500, "offset": offset}).json()
            times.append(time.perf_counter() - t)
            seen += len(page["customers"])
        total_paging = time.perf_counter() - t1
        times.sort()
        print(f"paged {seen} in {total_paging:.1f}s; median {times[len(times) // 2] * 1000:.0f} "
              f"ms, p95 {times[int(len(times) * 0.95)] * 1000:.0f} ms")
        assert seen == N
        assert times[len(times) // 2] < 0.5
        t = time.perf_counter()
        found = api.get("customers", TELLER_KYIV, params={"search_string": "ШЕВЧЕНКО",
                                                          "limit": 500}).json()
        print(f"search: {found['total']} in {(time.perf_counter() - t) * 1000:.0f} ms")
        assert found["total"] > 0
        assert all("шевченко" in (c["surname"] + c["name"] + c["login"]).casefold()
                   for c in found["customers"])
        for term in ("Ш", "ко", "шев", "ivan.p", "ОЛЕКСАНДР"):
            t = time.perf_counter()
            got = api.get("customers", ADMIN, params={"search_string": term, "limit": 50})
            ms = (time.perf_counter() - t) * 1000
            body = got.json()
            print(f"search {term!r}: {body['total']} in {ms:.0f} ms")
            assert body["total"] > 0
            assert all(term.casefold() in "\x1f".join(
                (c["name"], c["surname"], c["paternal_name"], c["login"])).casefold()
                for c in body["customers"])
        assert api.get("customers", ADMIN, params={"limit": 1}).json()["total"] == N
    finally:
        sb.stop()
    # restart on the same dir: no duplicates, no regeneration
    t0 = time.perf_counter()
    again = start_sandbox(tmp_path / "big", customers=N, timeout=120)
    try:
        print(f"restart: {time.perf_counter() - t0:.1f}s")
        assert not any(line.startswith("generated") for line in again.output)
        assert Api(again).get("customers", params={"limit": 1}).json()["total"] == N
    finally:
        again.stop()
