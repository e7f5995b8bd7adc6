"""The main window's hub notice after a Mode-A sign-in names what the hub did: a hub that
answered (refused the session, refused this desk's version, could not read DCM) is never
told as one that cannot be reached."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from teller_app.core.hub_problem import HubProblem
from teller_app.ui.error_text import desk_too_old_text
from teller_app.ui.start_main_window import hub_notice

UNREACHABLE = "cannot be reached"


def _session(kind: HubProblem | None) -> Any:
    return cast(Any, SimpleNamespace(profile=SimpleNamespace(hub_url="http://127.0.0.1:9"),
                                     hub_available=False, hub_problem_kind=kind))


@pytest.mark.parametrize("kind", [HubProblem.REFUSED, HubProblem.DESK_TOO_OLD,
                                  HubProblem.DCM_UNREADABLE])
def test_a_hub_that_answered_is_not_told_as_unreachable(qapp: Any, kind: HubProblem) -> None:
    text = hub_notice(_session(kind))
    assert text and UNREACHABLE not in text


def test_each_kind_has_its_own_words(qapp: Any) -> None:
    texts = {kind: hub_notice(_session(kind)) for kind in HubProblem
             if kind is not HubProblem.NOT_CONFIGURED}
    assert texts[HubProblem.DESK_TOO_OLD] == desk_too_old_text()
    assert UNREACHABLE in (texts[HubProblem.UNREACHABLE] or "")
    assert len(set(texts.values())) == len(texts)
