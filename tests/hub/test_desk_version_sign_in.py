"""The desk meets hubs of other releases (real sandbox and hub processes, SQLite and
PostgreSQL): at sign-in (Mode A and Mode B) it reads the hub's version once; a hub that
allows no desk this old is said after sign-in ("ask IT to update Teller") and every write it
refuses says the same, the hub's own API and the /dcm proxy alike; a hub whose API is newer
than the desk knows is used as it is."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from fe_helpers import fe_env
from hub_proc import PASSWORD, HubProc, add_employee, branches
from skewed_hub import start_skewed_hub

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.session import Session, make_auth, open_session
from teller_app.platform import CustomerUpdate, PlatformError
from teller_app.platform.api_version import DESK_API, KNOWN_HUB_API
from teller_app.platform.errors import DeskTooOld
from teller_app.secrets import Profile
from teller_app.ui.error_text import desk_too_old_text, desk_version_notice, friendly_message

MODE_A_TELLER = "teller.kyiv@demo.bank"


def _hub(tmp_path: Path, sandbox: SandboxProcess, hub_db: str | None, **skew: int) -> HubProc:
    return start_skewed_hub(tmp_path / "hub", fe_env(sandbox, hub_db), **skew)


async def _sign_in(profile: Profile, email: str, password: str) -> Session:
    """The desk's sign-in (``core.session``, where the hub's version is read)."""
    return await open_session(profile, make_auth(profile, email, password))


def _mode_b(hub: HubProc, sandbox: SandboxProcess) -> Any:
    with hub.client() as http:
        email = add_employee(http, hub, roles=["Teller"], branch_guid=branches(sandbox)[0])
    profile = Profile(name="bank-b", base_url=sandbox.base_url, auth_mode="hub",
                      counterparty_guid=sandbox.counterparty_guid, hub_url=hub.base_url)
    return _sign_in(profile, email, PASSWORD)


def _mode_a(hub: HubProc, sandbox: SandboxProcess) -> Any:
    password = next(e["password"] for e in sandbox.manifest["employees"]
                    if e["email"] == MODE_A_TELLER)
    profile = Profile(name="bank-a", base_url=sandbox.base_url,
                      counterparty_guid=sandbox.counterparty_guid, hub_url=hub.base_url)
    return _sign_in(profile, MODE_A_TELLER, password)


def _audit_entry() -> list[dict[str, Any]]:
    return [{"action": "other", "entity": "desk-version", "client_id": uuid.uuid4().hex}]


def test_a_hub_that_allows_no_desk_this_old_is_said_at_sign_in_and_on_writes(
        arun: Any, sandbox: SandboxProcess, hub_db: str | None, tmp_path: Path) -> None:
    hub = _hub(tmp_path, sandbox, hub_db, min_desk_api=DESK_API + 1)
    try:
        session = arun(_mode_b(hub, sandbox))
        try:
            assert session.hub_available and session.desk_too_old
            assert session.hub_version is not None
            assert session.hub_version.min_desk_api == DESK_API + 1
            notice = desk_version_notice(session)
            assert notice == desk_too_old_text() and "ask IT to update Teller" in notice
            assert session.hub is not None
            with pytest.raises(DeskTooOld) as hub_write:  # the hub's own API
                arun(session.hub.call(lambda h: h.issue_secret(
                    f"v.{uuid.uuid4().hex[:10]}@example.ua", session.branch_guid)))
            assert friendly_message(hub_write.value) == desk_too_old_text()
            # its audit outbox still goes: what it wrote straight to DCM is recorded
            arun(session.hub.call(lambda h: h.append_audit(_audit_entry(), "d")))
            with pytest.raises(PlatformError) as dcm_write:  # a DCM write through /dcm
                arun(session.client.update_customer(str(uuid.uuid4()),
                                                    CustomerUpdate(name="Олена")))
            assert dcm_write.value.status_code == 426
            assert friendly_message(dcm_write.value) == desk_too_old_text()
            assert arun(session.client.list_customers(limit=1)).customers  # reads go on
        finally:
            arun(session.close(sign_out=True))

        mode_a = arun(_mode_a(hub, sandbox))
        try:
            assert mode_a.hub_available and mode_a.desk_too_old
            assert desk_version_notice(mode_a) == desk_too_old_text()
        finally:
            arun(mode_a.close(sign_out=True))
    finally:
        assert hub.stop() == 0


def test_a_hub_newer_than_the_desk_knows_is_used(
        arun: Any, sandbox: SandboxProcess, hub_db: str | None, tmp_path: Path) -> None:
    hub = _hub(tmp_path, sandbox, hub_db, api=KNOWN_HUB_API + 1)
    try:
        session = arun(_mode_b(hub, sandbox))
        try:
            assert session.hub_version is not None and session.hub_version.newer_than_desk
            assert not session.desk_too_old and desk_version_notice(session) is None
            assert session.hub is not None
            appended = arun(session.hub.call(lambda h: h.append_audit(_audit_entry(), "d")))
            assert len(appended.appended) == 1
        finally:
            arun(session.close(sign_out=True))
    finally:
        assert hub.stop() == 0
