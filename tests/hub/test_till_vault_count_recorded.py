"""A vault count whose answer was lost and that the desk then found by its id was recorded:
when the branch cash position read that follows fails, the dialog says it was recorded (and
that the position could not be read), never "may not be recorded". A count id re-sent with
other figures (``count_id_taken``) is worded in the desk's words. Real hub and sandbox over
HTTP; SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fe_helpers import TillWorld, till_world
from hub_proc import PASSWORD
from lost_answers import LoseAnswers, no_wait

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.till import VAULT_PATH, TillService
from teller_app.platform import Conflict
from teller_app.platform.hub_client import HubClient
from teller_app.ui.async_op import OpRunner

POSITION_PATH = "/api/v1/cash/position"


@pytest.fixture(scope="module")
def world(hub_db: str | None, sandbox: SandboxProcess,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TillWorld]:
    with till_world(tmp_path_factory.mktemp("vault-count-recorded"), sandbox, hub_db) as w:
        yield w


@pytest.fixture()
def ops(qloop: Any) -> OpRunner:
    return OpRunner()


class LoseThenNoPosition(LoseAnswers):
    """The vault count's answer is lost (the hub recorded it), and the branch cash position
    cannot be read while ``position_down``."""

    def __init__(self) -> None:
        super().__init__("PUT", VAULT_PATH, lose_next=1)
        self.position_down = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.position_down and request.url.path == POSITION_PATH:
            raise httpx.ConnectError("injected: the position cannot be read", request=request)
        return await super().handle_async_request(request)


def test_a_count_found_by_its_id_is_said_recorded(world: TillWorld, qtbot: Any, arun: Any,
                                                  ops: OpRunner) -> None:
    from teller_app.ui.till_vault_count import VaultCountDialog

    transport = LoseThenNoPosition()
    hub = HubClient(world.hub.base_url, transport=transport, sleep=no_wait)
    try:
        arun(hub.open_password_session(world.sup, PASSWORD))
        service = TillService(hub, "sup-desk")
        dialog = VaultCountDialog(ops, service, None)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.grid.spins["note_1000"].setValue(7)  # differs from the book: it waits
        dialog.reason.setText("recount")
        dialog.save.click()
        qtbot.waitUntil(lambda: "recorded" in dialog.status.text(), timeout=10000)
        said = dialog.status.text()
        assert "may not" not in said and "not known" not in said, said
        assert "position could not be read" in said, said
        assert transport.count() == 1  # sent once, found by its id: never re-sent
        assert dialog.waiting and not dialog.save.isEnabled()  # waits for its co-sign
        transport.position_down = False
        position = arun(service.position())
        assert [c.counted_by for c in position.pending_vault_counts] == [world.sup]
        # the core says so too
        from teller_app.core.till import VaultCountRecorded

        transport.lose_next, transport.position_down = 1, True
        with pytest.raises(VaultCountRecorded) as raised:
            arun(service.count_vault({"note_1000": 8}, reason="recount"))
        assert raised.value.count.counted_by == world.sup and raised.value.count.pending
    finally:
        arun(hub.aclose())


def test_a_count_id_taken_is_worded(world: TillWorld, arun: Any, qapp: Any) -> None:
    from teller_app.ui.error_text import friendly_message
    from teller_app.ui.till_text import hub_code_text

    hub = HubClient(world.hub.base_url)
    try:
        arun(hub.open_password_session(world.sup, PASSWORD))
        service = TillService(hub, "sup-desk")
        cid = str(uuid.uuid4())
        arun(service.count_vault({"note_500": 3}, reason="recount", count_id=cid))
        with pytest.raises(Conflict) as refused:
            arun(service.count_vault({"note_500": 4}, reason="recount", count_id=cid))
        assert refused.value.reason == "count_id_taken"
        words = hub_code_text("count_id_taken")
        assert words and friendly_message(refused.value) == words
        assert "recorded" in words and "count_id" not in words
    finally:
        arun(hub.aclose())
