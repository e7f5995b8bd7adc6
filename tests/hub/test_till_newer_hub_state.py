"""A desk meets a newer hub's till state it does not know (a real hub and sandbox; the
teller's client sees the hub's answers with ``cosign`` and ``close_cosign`` renamed to states
this desk never heard of, as a newer release might add): the open dialog never says "open",
the close dialog never says "closed" — "not closed, ask a supervisor" — and no state reads
as its raw word. A state the desk knows as closed still closes the dialog."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fe_helpers import TillWorld, till_world
from hub_proc import PASSWORD

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.till import Till, TillService
from teller_app.platform.hub_client import HubClient
from teller_app.ui.async_op import OpRunner

NEWER_STATES = {"cosign": "count_review", "close_cosign": "close_review"}


class NewerHubStates(httpx.AsyncBaseTransport):
    """The real hub over HTTP; in its till answers, each state in ``NEWER_STATES`` renamed
    (everything else exactly as the hub said)."""

    def __init__(self) -> None:
        self.real = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.real.handle_async_request(request)
        if "/tills" not in request.url.path:
            return response
        body = json.loads(await response.aread() or b"null")
        headers = [(k, v) for k, v in response.headers.items()
                   if k.lower() not in ("content-length", "content-encoding",
                                        "transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers,
                              content=json.dumps(_renamed(body)).encode())

    async def aclose(self) -> None:
        await self.real.aclose()


def _renamed(value: Any) -> Any:
    if isinstance(value, list):
        return [_renamed(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _renamed(v) for k, v in value.items()}
    if "till_code" in out and out.get("state") in NEWER_STATES:
        out["state"] = NEWER_STATES[out["state"]]
    return out


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TillWorld]:
    with till_world(tmp_path_factory.mktemp("till-newer-hub"), sandbox, hub_db) as w:
        yield w


def test_unknown_till_states_never_read_as_open_or_closed(world: TillWorld, qtbot: Any,
                                                          arun: Any, qloop: Any) -> None:
    from teller_app.ui.till_close import TillCloseDialog
    from teller_app.ui.till_dialog import TillOpenDialog
    from teller_app.ui.till_report import ReportContext
    from teller_app.ui.till_text import (
        till_not_closed_text,
        till_not_open_text,
        till_state_text,
    )

    ops = OpRunner()
    teller_hub = HubClient(world.hub.base_url, transport=NewerHubStates())
    sup_hub = HubClient(world.hub.base_url)
    try:
        arun(teller_hub.open_password_session(world.teller, PASSWORD))
        arun(sup_hub.open_password_session(world.sup, PASSWORD))
        till, supervisor = TillService(teller_hub, "newer-desk"), TillService(sup_hub, "sup")

        # the opening: a first count waits for a co-sign, here under a state the desk
        # does not know
        opening = TillOpenDialog(ops, till, "T-newer")
        qtbot.addWidget(opening)
        opened: list[Till] = []
        opening.opened.connect(opened.append)
        opening.grid.spins["note_100"].setValue(1)
        opening.open_button.click()
        qtbot.waitUntil(lambda: opening.till is not None, timeout=10000)
        assert opening.till is not None and opening.till.state == "count_review"
        assert opening.status.text() == till_not_open_text() and not opened
        assert opening.refresh_button.isVisibleTo(opening)
        arun(supervisor.cosign(opening.till.id))

        # the close: past the tolerance it waits, here under a state the desk does not know
        current = arun(till.current())
        assert current is not None and current.state == "open"
        close = TillCloseDialog(ops, till, current, ReportContext("Demo Bank", "Kyiv", "O"))
        qtbot.addWidget(close)
        closed: list[Till] = []
        close.closed.connect(closed.append)
        close.grid.spins["note_100"].setValue(2)
        close.reason.setText("one note too many")
        with qtbot.waitSignal(close.waiting, timeout=10000) as waiting:
            close.close_button.click()
        assert waiting.args[0].state == "close_review"
        assert close.cosign_status.text() == till_not_closed_text()
        assert close.report is None and not closed
        assert "closed" not in close.status.text().lower()
        assert till_state_text("close_review") == "Not closed — ask a supervisor"
        # "Check" while it still waits: still not closed
        with qtbot.waitSignal(close.waiting, timeout=10000):
            close.refresh()
        assert close.report is None and not closed

        # a supervisor co-signs: the state the desk knows as closed closes the dialog
        arun(supervisor.cosign_close(current.id, Decimal("200.00")))
        with qtbot.waitSignal(close.closed, timeout=10000):
            close.refresh()
        assert close.report is not None and closed[0].state == "closed"
        assert till_state_text("closed").lower() in close.status.text().lower()
    finally:
        for c in (teller_hub, sup_hub):
            arun(c.aclose())
