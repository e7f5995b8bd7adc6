"""Damaging one page of a real (closed) SQLCipher cache file, for the damaged-cache tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def damage_page(path: Path, page: int) -> None:
    """64 random bytes inside ``page`` of the closed cache file: its HMAC check fails."""
    with open(path, "r+b") as fh:
        fh.seek((page - 1) * 4096 + 100)
        fh.write(os.urandom(64))


async def customers_root_page(bundle: Any) -> int:
    """The page every read of a customer's row goes through (the table's B-tree root; never
    page 1, which SQLCipher checks at open)."""
    def read() -> int:
        conn = bundle.worker.cache._conn
        return int(conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'customers'").fetchone()[0])
    return await bundle.worker.call(read)
