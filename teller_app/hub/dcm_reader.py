"""How the hub itself reaches DCM: its reader (technical account or bank key) and the bank-JWT
login an approver's Mode-B execution uses; shared by the executor, the filing and watchers."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.datastructures import State

from teller_app.platform import BankJwtLogin, PasswordLogin, PlatformClient
from teller_app.platform.models import Customer

from .errors import HubError
from .proxy_tokens import minter_for
from .state import HubState


class Reader:
    """The hub's technical DCM account (Mode A) or, without one, the bank key (Mode B):
    reads customers for filing, resuming and the watcher. One client per process."""

    def __init__(self, state: HubState) -> None:
        self.state = state
        self._client: PlatformClient | None = None
        self._lock = asyncio.Lock()

    @property
    def available(self) -> bool:
        s = self.state.settings
        return bool(s.dcm_url and s.dcm_counterparty and (
            s.tech_account_configured or s.bank_key_file is not None))

    async def client(self) -> PlatformClient:
        async with self._lock:
            if self._client is None:
                s = self.state.settings
                if not self.available:
                    raise HubError(503, "the hub cannot read DCM (no technical account or key)")
                if s.tech_account_configured:
                    assert s.dcm_tech_password is not None
                    auth: Any = PasswordLogin(s.dcm_tech_login,
                                              s.dcm_tech_password.get_secret_value())
                else:
                    auth = bank_auth(self.state, "teller-hub")
                self._client = PlatformClient(s.dcm_url, s.dcm_counterparty, auth=auth,
                                              timeout=10.0)
            return self._client

    async def customer(self, guid: str) -> Customer:
        return await (await self.client()).get_customer(guid)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()


def app_reader(app_state: State) -> Reader | None:
    """The process's reader, kept by the four-eyes runtime (``fe_runtime.lifespan``); None
    while that has not started (or in an app without it). The one place that looks for it."""
    runtime = getattr(app_state, "four_eyes", None)
    reader = getattr(runtime, "reader", None)
    return reader if isinstance(reader, Reader) else None


def bank_auth(state: HubState, email: str) -> BankJwtLogin:
    s = state.settings
    if s.bank_key_file is None:
        raise HubError(503, "the hub has no bank key (bank_key_file): cannot act in Mode B")
    try:  # the minter's kid: the configured one, else the key's thumbprint (file checked)
        kid = minter_for(s).kid
        pem = s.bank_key_file.read_bytes()
    except (OSError, ValueError) as exc:  # SettingsError is a ValueError
        raise HubError(503, "the hub's bank key cannot be used: see the hub's log") from exc
    return BankJwtLogin(email, pem, kid, audience=s.token_audience)
