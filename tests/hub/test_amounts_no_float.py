"""Amounts in a four-eyes change and in the policy are exact: a JSON number with a fraction is
refused (422), never taken as the float the body's parser made of it
(``1234567890123456.78`` arrives as ``1234567890123456.8``); a decimal string or a whole
number is taken as sent. Real hub, SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from staffed_hub import Staffed, staffed_hub

from teller_app.core.embedded_sandbox import SandboxProcess

BIG = "1234567890123456.78"


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Staffed]:
    with staffed_hub(tmp_path_factory.mktemp("no-float-hub"), sandbox, hub_db,
                     TELLER_HUB_WATCH="0") as w:
        yield w


def _send(w: Staffed, method: str, path: str, headers: dict[str, str],
          raw: str) -> httpx.Response:
    """``raw``: the JSON body as sent (a number stays a number)."""
    return w.http.request(method, path, content=raw,
                          headers={**headers, "Content-Type": "application/json"})


def _evaluate(w: Staffed, kind: str, change: str) -> httpx.Response:
    return _send(w, "POST", "/api/v1/policy/evaluate", w.teller,
                 f'{{"kind":"{kind}","change":{change},"current":{{}}}}')


def test_a_change_amount_with_a_fraction_as_a_number_is_refused(world: Staffed) -> None:
    w = world
    r = _evaluate(w, "customer_update", f'{{"balance_allowed":{BIG}}}')
    assert r.status_code == 422 and "not a JSON number" in r.text, r.text
    r = _evaluate(w, "customer_update", f'{{"balance_allowed":"{BIG}"}}')
    assert r.status_code == 200 and r.json()["change"]["balance_allowed"] == BIG, r.text
    r = _evaluate(w, "customer_update", '{"balance_allowed":5000}')  # whole: exact
    assert r.status_code == 200 and r.json()["change"]["balance_allowed"] == "5000", r.text
    guid = "00000000-0000-4000-8000-000000000001"
    r = _evaluate(w, "cash_confirm", f'{{"payment_guid":"{guid}","amount":100.5}}')
    assert r.status_code == 422 and "not a JSON number" in r.text, r.text
    r = _evaluate(w, "cash_confirm", f'{{"payment_guid":"{guid}","amount":"100.5"}}')
    assert r.status_code == 200 and r.json()["change"]["amount"] == "100.5", r.text


def test_the_policy_threshold_with_a_fraction_as_a_number_is_refused(world: Staffed) -> None:
    w = world
    it = {"Authorization": f"Bearer {w.hub.admin_token}"}
    before = w.http.get("/api/v1/policy", headers=w.sup).json()["policy"]
    body = {k: v for k, v in before.items() if k != "cash_threshold"}
    raw = json.dumps(body)[:-1] + ', "cash_threshold": 10000.005}'
    r = _send(w, "PUT", "/api/v1/policy", it, raw)
    assert r.status_code == 422 and "not a JSON number" in r.text, r.text
    # a string with more places than kopiyky: refused too, never rounded to 10 000.00
    r = _send(w, "PUT", "/api/v1/policy", it, json.dumps({**body, "cash_threshold": "10000.005"}))
    assert r.status_code == 422, r.text
    assert w.http.get("/api/v1/policy", headers=w.sup).json()["policy"] == before
