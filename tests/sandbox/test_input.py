"""Unsafe text in customer fields (issue 16 item 5): control characters and bidi controls in
any name or free-text field, and formula-like leading characters in names, are a clear 400."""

from __future__ import annotations

import uuid

import pytest
from sandbox_api import ADMIN, Api

UNSAFE = ["\u202eevil", "a\u202ab", "x\u202cy", "\u2066iso\u2069", "mark\u200e", "\u200fr",
          "nul\x00byte", "new\nline", "cr\rhere", "tab\there", "del\x7f", "c1\x85"]
FIELDS = ["name", "surname", "paternal_name", "status", "login"]


def _create(api: Api, **fields: str) -> tuple[int, str]:
    body = {"asset_code": "UAH", "asset_issuer": api.m["asset"]["issuer"],
            "login": f"in-{uuid.uuid4().hex[:10]}@test.ua", "name": "Тест",
            "surname": "Тестенко", "phone_number": "+380501112233", **fields}
    resp = api.post("customers", ADMIN, json=body)
    return resp.status_code, resp.json().get("error", "")


@pytest.mark.parametrize("field", FIELDS)
def test_control_and_bidi_characters_refused_on_create(api: Api, field: str) -> None:
    for value in UNSAFE:
        status, error = _create(api, **{field: value})
        assert status == 400, (field, value)
        assert error.startswith(f"{field} contains U+"), error


@pytest.mark.parametrize("field", ["name", "surname", "paternal_name"])
def test_formula_like_names_refused(api: Api, field: str) -> None:
    for value in ("=HYPERLINK(1)", "+380", "-1", "@SUM(A1)", "  =x"):
        status, error = _create(api, **{field: value})
        assert (status, error) == (400, f"{field} must not start with '=', '+', '-' or '@'")


def test_ordinary_names_and_phone_logins_pass(api: Api) -> None:
    status, error = _create(api, name="Анна-Марія", surname="Д'Артаньян",
                            paternal_name="О’Коннор", status="VIP: клієнт (з 2020)",
                            login=f"+38050{uuid.uuid4().int % 10**7:07d}")
    assert status == 200, error


def test_update_refuses_the_same(api: Api) -> None:
    guid = api.new_customer()["customer_guid"]
    for field, value in (("name", "Ів\u202eан"), ("surname", "=cmd"), ("status", "a\nb"),
                         ("paternal_name", "\x00")):
        resp = api.put(f"customers/{guid}", json={field: value})
        assert resp.status_code == 400, (field, value)
        assert resp.json()["error"].startswith(field)
    assert api.get(f"customers/{guid}").json()["name"] == "Тест"  # nothing was written
