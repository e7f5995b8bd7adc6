"""Every result the hub can write on a request (its audit rows, its events, the request
itself) is one the desk words (``ui/audit_request_text.result_text``), not shown in the
hub's English: the hub's source is read for each place that writes a result, and each
result it can write there is worded through the translators. A new result in the hub fails
here until the desk words it (and this test knows how to make one like it). Only the
platform's own message is shown as it came."""

from __future__ import annotations

import ast
import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from teller_app.hub import bank_settings, customer_drift
from teller_app.platform.hub_models import PHONE_TAKEN
from teller_app.ui.audit_request_text import result_text

from .marking import marked

HUB = Path(__file__).parents[2] / "teller_app" / "hub"
DETAIL = "42"  # what a detail of a result (a message, a number, a name) is made of here
# Calls that write a request's result: the result's positional place (else ``result=``).
WRITERS = {"_finish": 2, "_finish_once": 2, "report_interrupted": 2}
# Results made by a call: a result like each.
MADE = {
    "STALE.format(entity=setting.entity)": [bank_settings.STALE.format(entity="policy"),
                                            bank_settings.STALE.format(entity="cash_limits")],
    "stale_result(moved)": [customer_drift.stale_result({"segment": {"was": "a",
                                                                     "now": "vip"}})],
    "exc.result": [customer_drift.stale_result({"status": {"was": "active",
                                                           "now": "blocked"}})],
    "phone_holders.taken_result(exc.holder, cmd.branch_guid)": [
        PHONE_TAKEN + json.dumps({"login": "ivan.petrenko"})],
}
# Where a result is passed on (a parameter, a stored one) or is the platform's own message.
PASSED_ON = {"result", "message", "self.result", "cmd.result"}
PLATFORMS_OWN = {"exc.message or type(exc).__name__"}


def _constant(node: ast.expr, module: ModuleType) -> str | None:
    """A name or ``module.NAME`` of the hub that holds a text, else None."""
    if isinstance(node, ast.Name):
        value = getattr(module, node.id, None)
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        value = getattr(getattr(module, node.value.id, None), node.attr, None)
    else:
        return None
    return value if isinstance(value, str) else None


def _samples(node: ast.expr, module: ModuleType, local: dict[str, ast.expr]) -> list[str]:
    """Results ``node`` can make, each detail as ``DETAIL``; a node this test cannot read
    fails it (teach it, and the desk, the new result)."""
    source = ast.unparse(node)
    if source in MADE:
        return MADE[source]
    if isinstance(node, ast.Subscript):  # result[:1000]
        return _samples(node.value, module, local)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _samples(node.body, module, local) + _samples(node.orelse, module, local)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [left + right for left in _samples(node.left, module, local)
                for right in _samples(node.right, module, local)]
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
            else:
                assert isinstance(part, ast.FormattedValue)
                parts.append(_constant(part.value, module) or DETAIL)
        return ["".join(parts)]
    named = _constant(node, module)
    if named is not None:
        return [named]
    if isinstance(node, ast.Name) and node.id in local:  # made before, in the function
        return _samples(local[node.id], module, local)
    if source in PASSED_ON or source in PLATFORMS_OWN:
        return []
    if isinstance(node, ast.Attribute):  # a detail, as ``setting.entity``
        return [DETAIL]
    raise AssertionError(f"a result the test cannot read: {source!r} in {module.__name__}")


def _written(module: ModuleType, tree: ast.Module) -> Iterator[tuple[str, ast.expr,
                                                                     dict[str, ast.expr]]]:
    """(where, the result's expression, the function's local texts) of each result
    written: a writer's argument, a ``result=`` keyword, a ``"result"`` key."""
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        params = {a.arg for a in function.args.args + function.args.kwonlyargs}
        local = {t.id: n.value for n in ast.walk(function) if isinstance(n, ast.Assign)
                 for t in n.targets if isinstance(t, ast.Name) and t.id not in params}
        where = f"{module.__name__}.{function.name}"
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else \
                    func.id if isinstance(func, ast.Name) else ""
                place = WRITERS.get(name)
                if place is not None and len(node.args) > place:
                    yield where, node.args[place], local
                for keyword in node.keywords:
                    if keyword.arg == "result":
                        yield where, keyword.value, local
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "result":
                        yield where, value, local


def hub_results() -> list[tuple[str, str]]:
    """(where, a result like one written there) for every result the hub can write."""
    found = []
    for path in sorted(HUB.glob("*.py")):
        module = importlib.import_module(f"teller_app.hub.{path.stem}")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for where, node, local in _written(module, tree):
            found += [(where, sample) for sample in _samples(node, module, local)]
    return found


@pytest.fixture()
def marking(qapp: Any) -> Iterator[None]:
    with marked("AuditDetails", "ApprovalsInbox"):
        yield


def test_the_hub_writes_the_results_this_test_reads() -> None:
    results = {sample for _where, sample in hub_results()}
    # the scan finds the results it is about (it would pass vacuously otherwise)
    assert "applied" in results and "applied (already on DCM)" in results
    assert any(r.startswith("in doubt: ") for r in results)
    assert any(r.startswith("DCM unreachable, not applied: ") for r in results)
    assert bank_settings.STALE.format(entity="policy") in results
    assert len(results) >= 15, results


def test_every_result_the_hub_writes_is_worded(marking: None) -> None:
    raw = [(where, sample) for where, sample in hub_results()
           if not result_text(sample).startswith("<")]
    assert raw == []


def test_the_platforms_own_message_is_shown_as_it_came(marking: None) -> None:
    message = "Payment amount exceeds the customer's allowed balance"
    assert result_text(message) == message


def test_a_call_without_an_answer_is_said_in_the_desk_s_words(marking: None) -> None:
    """The hub's "no answer in time" (and the client's, with the exception's name) inside a
    result; and an in-doubt result whose reason the hub cut at 800 characters, ")" and all."""
    assert result_text("DCM unreachable, not applied: no answer in time") == (
        "<not applied: the platform could not be reached (<no answer in time>)>")
    inner = "DCM did not answer the confirm (no answer in time (ReadTimeout))"
    assert result_text(f"in doubt: {inner}; DCM is read until it settles [since 17]") == (
        "<not known yet (<the platform did not answer the confirm: <no answer in time> "
        "(ReadTimeout)>): the platform is read until it settles>")
    cut = "DCM did not answer the confirm (" + "x" * 200  # its ")" cut off
    assert result_text(cut) == "<the platform did not answer the confirm: " + "x" * 200 + ">"
