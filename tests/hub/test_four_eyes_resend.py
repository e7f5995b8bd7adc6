"""A change request sent again after a lost answer is filed once (four eyes).

The teller's desk (a real main window, Mode A) asks for a change; the hub files it but every
answer of that send is lost (the client's own retries too), so the dialog says the outcome is
unknown and stays open. Pressing Send again sends the same request id (one id per change in
the dialog), and the hub answers with the request it already filed: one pending request, not
two. Real hub and sandbox; a transport in front of the hub only loses answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fe_helpers import password_of, start_fe_hub
from hub_proc import HubProc
from lost_answers import LoseAnswers, no_wait
from till_helpers import customer

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform.hub_client import REQUESTS_PATH, HubClient

TELLER = "teller.kyiv@demo.bank"


@pytest.fixture(scope="module")
def fe_hub(hub_db: str | None, sandbox: SandboxProcess,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    proc = start_fe_hub(tmp_path_factory.mktemp("fe-resend-hub"), sandbox, hub_db)
    yield proc
    assert proc.stop() == 0, proc.log()[-3000:]


@pytest.fixture()
def private_dirs(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TELLER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TELLER_DATA_DIR", str(tmp_path / "data"))
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_send_again_after_a_lost_answer_files_one_request(
        fe_hub: HubProc, sandbox: SandboxProcess, qtbot: Any, arun: Any,
        private_dirs: None) -> None:
    from PySide6.QtWidgets import QPushButton

    from teller_app.core.session import open_session
    from teller_app.platform import PasswordLogin
    from teller_app.secrets import Profile
    from teller_app.ui.async_op import OpRunner
    from teller_app.ui.change_request_dialog import ChangeRequestDialog
    from teller_app.ui.main_window import MainWindow

    profile = Profile(name="resend-desk", base_url=sandbox.base_url,
                      counterparty_guid=sandbox.counterparty_guid, hub_url=fe_hub.base_url)
    session = arun(open_session(profile, PasswordLogin(TELLER, password_of(sandbox, TELLER))))
    assert session.hub is not None
    lossy = LoseAnswers("POST", REQUESTS_PATH)
    first = session.hub.hub
    session.hub.hub = HubClient(fe_hub.base_url, transport=lossy, sleep=no_wait)
    arun(first.aclose())
    window = MainWindow(session, OpRunner(), profile_name="resend-desk",
                        sandbox_asset=sandbox.manifest["asset"])
    qtbot.addWidget(window)
    window.show()
    try:
        guid, _account = customer(sandbox, str(session.branch_guid))
        card = window.open_customer(arun(session.client.get_customer(guid)))
        qtbot.waitUntil(lambda: card.findChild(QPushButton, "requestChangeButton") is not None,
                        timeout=10000)
        card.findChild(QPushButton, "requestChangeButton").click()
        dialog = window.findChild(ChangeRequestDialog)
        assert dialog is not None and dialog.change() == {"is_disabled": True}
        dialog.reason.setPlainText("Клієнт загубив картку")
        dialog.send_button.click()
        qtbot.waitUntil(lambda: dialog.send_button.isEnabled() and dialog.error.text() != "",
                        timeout=15000)
        assert "not known" in dialog.error.text()
        assert lossy.count() >= 1  # it reached the hub; only the answers were lost
        lossy.losing = False
        with qtbot.waitSignal(dialog.accepted, timeout=10000):
            dialog.send_button.click()
        pending = arun(session.hub.call(lambda hub: hub.list_requests(
            states=("pending",), mine=True, customer_guid=guid)))
        assert [r.change for r in pending] == [{"is_disabled": True}]
    finally:
        window.supervision.locker.stop()
        window.supervision.stop_feed()
        window.ops.cancel_all()
