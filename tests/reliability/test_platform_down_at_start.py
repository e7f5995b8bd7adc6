"""Platform down at start: sign-in fails with the connectivity message (not "wrong
password"), nothing remembered or cached is touched, and the same attempt works once the
platform is back."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from keyring.backends import fail
from reliability_helpers import TELLER, password_of

from teller_app.core.embedded_sandbox import start_sandbox
from teller_app.platform import Unavailable
from teller_app.secrets import SecretStore
from teller_app.ui.sign_in import remember_key, sandbox_target, sign_in


def test_platform_down_at_start(qapp: Any, fresh_sandbox: Any, tmp_path: Path) -> None:
    from teller_app.ui.error_text import sign_in_message

    sb = fresh_sandbox
    target = sandbox_target(sb.manifest)
    store = SecretStore("sandbox", backend=fail.Keyring())
    asyncio.run(store.set(remember_key(TELLER), "ory_st_remembered"))
    port = urlparse(sb.base_url).port
    sb.stop()
    try:
        asyncio.run(sign_in(target, TELLER, password_of(sb, TELLER), remember=False,
                            store=store))
        raise AssertionError("signed in with the platform down")
    except Unavailable as exc:
        assert "cannot be reached" in sign_in_message(exc)
    # A failed attempt forgets nothing (the remembered session of this employee stays).
    assert asyncio.run(store.get(remember_key(TELLER))) == "ory_st_remembered"
    back = start_sandbox(sb.data_dir, port=port)
    try:
        async def again() -> str:
            session = await sign_in(target, TELLER, password_of(sb, TELLER), remember=False,
                                    store=None)
            await session.close()
            return str(session.employee.email)

        assert asyncio.run(again()) == TELLER
    finally:
        back.stop()
