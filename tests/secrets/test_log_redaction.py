"""A full session logged at DEBUG (httpx/httpcore included) never shows a secret."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))

from sandbox_helpers import (
    bank_jwt_auth,
    expire_session,
    new_customer,
    password_client,
)

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import CustomerUpdate, Operation, PlatformClient
from teller_app.secrets import install_redaction, redact_text, register_secret


def test_patterns() -> None:
    register_secret("correct horse battery staple")
    jwt_like = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    text = redact_text(f"pw=correct horse battery staple Authorization: bearer abc.def "
                       f"{jwt_like} http://h/api?logins=me@x.com")
    for leak in ("correct horse", "abc.def", jwt_like, "me@x.com"):
        assert leak not in text


@pytest.mark.asyncio
async def test_full_session_log_has_no_secrets(sandbox: SandboxProcess, tmp_path: Path) -> None:
    log_file = tmp_path / "debug.log"
    root = logging.getLogger()
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in ("httpx", "httpcore", "teller_app"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    install_redaction()
    secrets: list[str] = []
    try:
        client = password_client(sandbox)
        async with client:
            secrets += [client.auth._password, client.session_token or ""]  # type: ignore[union-attr]
            created = await client.create_customer(new_customer(sandbox))
            expire_session(sandbox, client.session_token)
            await client.list_customers(search_string="Шевченко")
            secrets.append(client.session_token or "")
            await client.update_customer(created.customer_guid, CustomerUpdate(name="Log"))
            logging.getLogger("test").debug("token is %s", client.session_token)
        auth = bank_jwt_auth(sandbox)
        async with PlatformClient(sandbox.base_url, sandbox.counterparty_guid,
                                  auth=auth) as jwt_client:
            await jwt_client.whoami()
            await jwt_client.create_customer(new_customer(sandbox))
            token = auth.token(Operation(), sandbox.counterparty_guid)
            secrets.append(token)
            logging.getLogger("test").info("jwt %s", token)
            secrets += [line for line in auth._key_pem.decode().splitlines()
                        if len(line) > 20]
            try:
                raise RuntimeError(f"boom {token}")
            except RuntimeError:
                logging.getLogger("test").exception("failure")
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(old_level)
    text = log_file.read_text(encoding="utf-8")
    assert "HTTP Request" in text or "send_request" in text  # httpx/httpcore did log
    assert "/customers" in text
    for secret in filter(None, secrets):
        assert secret not in text, "a secret leaked into the log"
    assert "eyJ" not in text


def test_a_proxy_urls_credentials_are_masked_in_logs_and_texts(caplog) -> None:  # type: ignore[no-untyped-def]
    """A profile's proxy may be ``http://user:password@proxy``: logs, dialogs and the
    diagnostics bundle (all through ``redact_text``) never show its userinfo."""
    import logging

    from teller_app.secrets import install_redaction, redact_text

    install_redaction()
    text = redact_text('{"proxy": "http://alice:s3cret@proxy.bank.ua:3128"} socks5h://b:pw@h:1')
    assert "s3cret" not in text and "alice" not in text and ":pw@" not in text
    assert "proxy.bank.ua:3128" in text and "mail@bank.ua" in redact_text("mail@bank.ua")
    with caplog.at_level(logging.INFO):
        logging.getLogger("teller_app.test").info("proxy %s", "http://alice:s3cret@p:3128")
    assert "s3cret" not in caplog.text and "p:3128" in caplog.text
