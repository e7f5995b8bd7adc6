"""Cash drafts DCM fails: a module's own sandbox under the ``confirm-failed-status`` dialect
(a confirm DCM refuses leaves the payment FAILED, final: §5.2 [A], §7 #9), a customer with
money on it, and their spending it so that a later confirm of their draft is refused. In the
module, in place of the shared default sandbox:

    sandbox = sandbox_fixture()  # from failed_drafts
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from till_helpers import confirm, customer, draft

from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.platform import PlatformClient
from teller_app.platform.models import NewPayment

DIALECT = "confirm-failed-status"


def sandbox_fixture() -> Any:
    """The module-scoped ``sandbox`` fixture of a module."""

    @pytest.fixture(scope="module", name="sandbox")
    def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
        proc = start_sandbox(tmp_path_factory.mktemp("sb-failed-drafts"), dialects=[DIALECT])
        assert proc.manifest["dialects"] == [DIALECT]
        yield proc
        proc.stop()

    return sandbox


def rich(sandbox: SandboxProcess, branch: str, amount: str) -> tuple[str, str]:
    """(customer, account) holding ``amount`` (deposited on the platform directly)."""
    cust, account = customer(sandbox, branch)
    confirm(sandbox, branch, draft(sandbox, branch, account, amount))
    return cust, account


async def drain(dcm: PlatformClient, account: str, to: str, amount: str) -> None:
    """The customer pays someone else (no cash): a draft of theirs may no longer be covered."""
    asset = (await dcm.get_account(account)).assets[0]
    guid = await dcm.create_payment(NewPayment(
        amount=Decimal(amount), asset_code=asset.code, asset_issuer=asset.stellar_issuer,
        purpose="rent", sender_id=account, receiver_id=to))
    await dcm.confirm_payment(guid)
