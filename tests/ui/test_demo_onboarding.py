"""The embedded stack's demo secrets are issued once, after the desk opens, through the app's
OpRunner; a failing hub is logged, never reported as the platform being offline."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from teller_app.core import embedded_stack
from teller_app.ui.async_op import OpRunner
from teller_app.ui.demo_onboarding import DemoOnboarding


def test_onboarding_runs_once_as_an_op(qtbot, ops: OpRunner,  # type: ignore[no-untyped-def]
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []

    async def onboard(stack: Any) -> int:
        calls.append(stack)
        return 0

    monkeypatch.setattr(embedded_stack, "onboard", onboard)
    onboarding = DemoOnboarding("the stack", ops)  # type: ignore[arg-type]
    onboarding.start()
    onboarding.start()  # the first results and the timer both ask
    assert onboarding.op is not None
    qtbot.waitUntil(onboarding.op.done)
    assert calls == ["the stack"]


def test_a_failing_hub_is_logged_not_reported_offline(  # type: ignore[no-untyped-def]
        qtbot, ops: OpRunner, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    async def onboard(stack: Any) -> int:
        raise ConnectionError("hub unreachable")

    monkeypatch.setattr(embedded_stack, "onboard", onboard)
    offline: list[BaseException] = []
    ops.connectivity_error.connect(offline.append)
    onboarding = DemoOnboarding("the stack", ops)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="teller_app"):
        onboarding.start()
        assert onboarding.op is not None
        qtbot.waitUntil(onboarding.op.done)
    assert "hub onboarding failed" in caplog.text
    assert offline == []


class _Desk:
    """What ``after_desk_opens`` uses of the main window: its search panel's signal."""

    def __init__(self) -> None:
        from PySide6.QtCore import QObject, Signal

        class Panel(QObject):
            results_shown = Signal(str)

        self.search_panel = Panel()


def _scripted_onboard(monkeypatch: pytest.MonkeyPatch,
                      outcomes: list[Exception | None]) -> list[Any]:
    """``onboard`` replaced by one that meets ``outcomes`` in turn (raise, or succeed);
    the stacks it was called with."""
    calls: list[Any] = []

    async def onboard(stack: Any) -> int:
        calls.append(stack)
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome
        return 1

    monkeypatch.setattr(embedded_stack, "onboard", onboard)
    return calls


def test_a_failed_onboarding_runs_again_once_per_desk_opening(  # type: ignore[no-untyped-def]
        qtbot, ops: OpRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    outcomes: list[Exception | None] = [ConnectionError("hub unreachable"), None]
    calls = _scripted_onboard(monkeypatch, outcomes)
    onboarding = DemoOnboarding("the stack", ops)  # type: ignore[arg-type]
    desk = _Desk()
    onboarding.after_desk_opens(desk)  # type: ignore[arg-type]
    desk.search_panel.results_shown.emit("")
    assert onboarding.op is not None
    qtbot.waitUntil(onboarding.op.done)
    first = onboarding.op
    desk.search_panel.results_shown.emit("")  # every search: not again on this desk
    assert onboarding.op is first and len(calls) == 1  # no new op started

    again = _Desk()
    onboarding.after_desk_opens(again)  # type: ignore[arg-type]
    again.search_panel.results_shown.emit("")
    qtbot.waitUntil(onboarding.op.done)
    assert len(calls) == 2  # the next desk tries again
    done = onboarding.op
    onboarding.after_desk_opens(_Desk())  # type: ignore[arg-type]
    onboarding.start()
    assert onboarding.op is done and len(calls) == 2  # issued: never again in this run


def test_a_failed_onboarding_is_tried_again_on_the_same_desk(  # type: ignore[no-untyped-def]
        qtbot, ops: OpRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from teller_app.ui import demo_onboarding

    outcomes: list[Exception | None] = [ConnectionError("hub starting"),
                                        ConnectionError("hub starting"), None]
    calls = _scripted_onboard(monkeypatch, outcomes)
    monkeypatch.setattr(demo_onboarding, "RETRY_MS", (20, 20))
    onboarding = DemoOnboarding("the stack", ops)  # type: ignore[arg-type]
    desk = _Desk()
    onboarding.after_desk_opens(desk)  # type: ignore[arg-type]
    onboarding.start()
    qtbot.waitUntil(lambda: onboarding.issued, timeout=5000)  # no new desk needed
    assert len(calls) == 3
