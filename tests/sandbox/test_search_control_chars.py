"""A control character in ``search_string`` is matched literally, never wider: a NUL cut the
SQL LIKE pattern at itself ("%\\0%" read as "%"), so with any other filter (the SQL path)
it matched everyone. The in-memory path (no other filter) and the SQL path agree."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sandbox_api import Api


@pytest.mark.parametrize("search", ["\x00", "\x00\x00\x00", "Ярина\x00", "\x00ярина",
                                    "яр\x00ина", "\x01", "яр\tина"])
def test_a_control_character_never_widens_the_search(api: Api, search: str) -> None:
    tag = uuid.uuid4().hex[:6]
    api.new_customer(name="Ярина", surname=f"Ковальчук{tag}", segment=f"seg{tag}")

    def total(**params: Any) -> int:
        resp = api.get("customers", params={"limit": 1, "search_string": search, **params})
        assert resp.status_code == 200, resp.text
        return int(resp.json()["total"])

    assert total(segments=f"seg{tag}") == 0  # SQL path (another filter)
    assert total(branch_guids=api.branch(0)["guid"]) == 0
    assert total() == 0  # in-memory path
    # the text without the control character still finds her
    resp = api.get("customers", params={"search_string": "ярина", "segments": f"seg{tag}"})
    assert resp.json()["total"] == 1
