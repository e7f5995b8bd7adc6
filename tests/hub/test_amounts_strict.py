"""The hub's cash and till amounts are decimal strings: a JSON number with a fraction is
refused (422; a whole one is exact), never taken as the float the body's parser made of it
(``1234567890123456.70`` used to be filed as ``1234567890123456.80``: more precision is
refused, never rounded). The desk always sends strings; the OpenAPI document says so. Real
hub, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from staffed_hub import Staffed, staffed_hub

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.hub.cash_limits import CashLimits
from teller_app.hub.till_bodies import CloseCosignIn, PreviewIn, TransferIn

BIG = "1234567890123456.70"  # 18 digits: a float keeps 17 (…456.75, read "…456.8")


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Staffed]:
    with staffed_hub(tmp_path_factory.mktemp("amounts-hub"), sandbox, hub_db,
                     TELLER_HUB_WATCH="0") as w:
        w.open_till("T-amounts", {"note_100": 5}, "desk-A")
        yield w


def _raw(**fields: str) -> str:
    """A JSON object of raw values, as sent: ``"1.5"`` a number, ``'"1.5"'`` a string (a
    number given to ``json.dumps`` would be a float first)."""
    return "{" + ",".join(f'"{k}":{v}' for k, v in fields.items()) + "}"


def _post(w: Staffed, path: str, headers: dict[str, str], raw: str) -> httpx.Response:
    """``raw``: the JSON body as sent (a number stays a number)."""
    return w.http.post(path, headers={**headers, "X-Desk-ID": "desk-A",
                                      "Content-Type": "application/json"}, content=raw)


def _refused_as_number(r: httpx.Response) -> None:
    assert r.status_code == 422, r.text
    assert "decimal string" in r.text and "not a JSON number" in r.text, r.text


def test_a_preview_amount_is_a_string(world: Staffed) -> None:
    w = world
    for number in (BIG, "100.5", "1e3", "100.0"):  # a fraction (or an exponent): a float
        _refused_as_number(_post(w, "/api/v1/cash/preview", w.teller,
                                 _raw(kind='"deposit"', amount=number)))
    r = _post(w, "/api/v1/cash/preview", w.teller, _raw(kind='"deposit"', amount="100"))
    assert r.status_code == 200 and r.json()["amount"] == "100.00", r.text  # whole: exact
    r = _post(w, "/api/v1/cash/preview", w.teller, _raw(kind='"deposit"', amount=f'"{BIG}"'))
    assert r.status_code == 200 and r.json()["amount"] == BIG, r.text  # exact
    r = _post(w, "/api/v1/cash/preview", w.teller, '{"kind":"deposit","amount":"100.005"}')
    assert r.status_code == 422, r.text  # more precision: refused, never rounded


def test_a_transfer_amount_is_a_string(world: Staffed) -> None:
    w = world
    path = "/api/v1/tills/current/transfers"
    _refused_as_number(_post(w, path, w.teller, _raw(direction='"to_till"', amount=BIG)))
    r = _post(w, path, w.teller, _raw(direction='"to_till"', amount=f'"{BIG}"'))
    assert r.status_code == 200 and r.json()["amount"] == BIG, r.text


def test_a_close_cosign_count_is_a_string(world: Staffed) -> None:
    w = world
    _refused_as_number(_post(w, "/api/v1/tills/no-such-till/close-cosign", w.sup,
                             _raw(counted="500.5")))


def test_cash_limits_are_strings(world: Staffed) -> None:
    w = world
    it = {"Authorization": f"Bearer {w.hub.admin_token}"}
    before = w.http.get("/api/v1/cash/limits", headers=w.sup).json()
    for name in ("teller_daily_limit", "teller_unapproved_daily", "customer_daily_threshold",
                 "close_tolerance"):
        r = w.http.put("/api/v1/cash/limits", headers={**it, "Content-Type": "application/json"},
                       content=_raw(**{name: "100.5"}))
        _refused_as_number(r)
    assert w.http.get("/api/v1/cash/limits", headers=w.sup).json() == before
    r = w.http.put("/api/v1/cash/limits", headers=it, json={**before,
                                                            "teller_daily_limit": "400000"})
    assert r.status_code == 200 and r.json()["teller_daily_limit"] == "400000.00", r.text
    r = w.http.put("/api/v1/cash/limits", headers={**it, "Content-Type": "application/json"},
                   content=_raw(teller_daily_limit="500000"))  # IT's scripts: a whole number
    assert r.status_code == 200 and r.json()["teller_daily_limit"] == "500000.00", r.text


def test_the_documented_schema_says_string() -> None:
    """What the OpenAPI document (and the contract fuzzing drawn from it) shows."""
    for model, field in ((PreviewIn, "amount"), (TransferIn, "amount"),
                         (CloseCosignIn, "counted"), (CashLimits, "teller_daily_limit")):
        schema = model.model_json_schema()["properties"][field]
        assert schema["type"] == "string" and "anyOf" not in schema, (model, schema)
