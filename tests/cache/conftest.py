"""Fixtures for cache tests: a real (encrypted) SQLite file in tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from teller_app.cache import BranchCache, cache_path


@pytest.fixture()
def key() -> bytes:
    return os.urandom(32)


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    return cache_path(tmp_path / "data", "demo", "branch-kyiv")


@pytest.fixture()
def cache(db_path: Path, key: bytes) -> Iterator[BranchCache]:
    c = BranchCache.open(db_path, key)
    yield c
    c.close()


def cust(guid: str, surname: str = "", name: str = "", **kw: Any) -> dict[str, Any]:
    return {
        "wallet_user_guid": guid,
        "surname": surname,
        "name": name,
        "updated_at": kw.pop("updated_at", "2024-05-01T10:00:00.000001Z"),
        **kw,
    }


def guids(rows: list[Any]) -> list[str]:
    return [r.guid for r in rows]


def misses(cache: BranchCache, guid: str, queries: list[str]) -> list[str]:
    """The queries whose results (page and count) leave ``guid`` out."""
    return [q for q in queries
            if guid not in guids(cache.search(q, 0, 100)) or cache.count(q).n == 0]
