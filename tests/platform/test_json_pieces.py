"""``_json.loads_in_pieces``: a big customers page is decoded element by element (the GIL is
handed over between elements) and gives exactly what ``loads`` gives, errors included."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from teller_app.platform import _json


def _page(rows: int) -> dict[str, object]:
    customers = [
        {"wallet_user_guid": f"g{i}", "surname": "Шевченко", "balance_allowed": 12.5,
         "is_disabled": False, "extra": None, "tags": [1, {"deep": ["ї", 2.25]}]}
        for i in range(rows)
    ]
    return {"customers": customers, "total": rows, "empty": [], "nested": {"a": [1]}}


@pytest.mark.parametrize("indent", [None, 2])
def test_same_result_as_loads(indent: int | None) -> None:
    text = json.dumps(_page(400), ensure_ascii=False, indent=indent)
    assert len(text) > _json.PIECES_ABOVE
    got = _json.loads_in_pieces(text)
    assert got == _json.loads(text)
    assert isinstance(got["customers"][0]["balance_allowed"], Decimal)  # exact amounts


def test_decoded_one_element_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    text = json.dumps(_page(400))
    calls: list[int] = []
    real = _json._DECODER.raw_decode

    def counting(s: str, idx: int = 0) -> tuple[object, int]:
        calls.append(idx)
        return real(s, idx)

    monkeypatch.setattr(_json._DECODER, "raw_decode", counting)
    assert len(_json.loads_in_pieces(text)["customers"]) == 400
    assert len(calls) >= 400  # never the whole page in one C call


@pytest.mark.parametrize(
    "damage",
    [lambda t: t + "x", lambda t: t[:-1], lambda t: t.replace('"total"', "total", 1),
     lambda t: t.replace("12.5", "NaN", 1), lambda t: t.replace("[]", "[1,]", 1)],
)
def test_malformed_raises_like_loads(damage: object) -> None:
    text = damage(json.dumps(_page(400)))  # type: ignore[operator]
    with pytest.raises(ValueError):
        _json.loads(text)
    with pytest.raises(ValueError):
        _json.loads_in_pieces(text)


def test_small_and_non_object_texts() -> None:
    big_list = json.dumps([{"a": "x" * 100}] * 500)
    assert _json.loads_in_pieces(big_list) == json.loads(big_list)
    assert _json.loads_in_pieces('{"a": [1, 2]}') == {"a": [1, 2]}
