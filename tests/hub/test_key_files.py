"""Files that hold the hub's secrets: the bank's signing key (PEM) and a TOML config with
master_key/admin_token/dcm_tech_password are refused when others may read them, as the
master key file is; the bank key's ``kid`` follows the key (RFC 7638 thumbprint) unless the
settings name one, and a configured kid over a rotated key is logged as an error."""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers
from hub_proc import hub_cli

from teller_app.hub.proxy_tokens import jwk_thumbprint, minter_for
from teller_app.hub.settings import HubSettings, SettingsError, load_settings

# RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint
RFC_N = ("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_B"
         "JECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0"
         "_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTW"
         "hAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")
RFC_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def _pem_file(path: Path, mode: int = 0o600) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tmp = path.with_name(path.name + ".new")
    tmp.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    tmp.chmod(mode)
    os.replace(tmp, path)  # how a key is rotated in place
    return key


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def test_a_config_holding_secrets_must_be_private(tmp_path: Path) -> None:
    cfg = tmp_path / "hub.toml"
    for name in ("admin_token", "dcm_tech_password", "master_key", "master_key_previous"):
        cfg.write_text(f'[hub]\n{name} = "c2VjcmV0LXZhbHVlLWF0LWxlYXN0LTMyLWJ5dGVzLWxvbmc="\n')
        cfg.chmod(0o644)
        with pytest.raises(SettingsError, match="readable by others") as refused:
            load_settings(cfg, environ={})
        assert "c2VjcmV0" not in str(refused.value), name  # the value is never echoed
        cfg.chmod(0o640)
        with pytest.raises(SettingsError, match="readable by others"):
            load_settings(cfg, environ={})
        cfg.chmod(0o600)
        assert load_settings(cfg, environ={}) is not None
    cfg.write_text('[hub]\ndcm_url = "https://dcm.example"\n')  # nothing secret: as it was
    cfg.chmod(0o644)
    assert load_settings(cfg, environ={}).dcm_url == "https://dcm.example"


def test_a_bank_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    pem = tmp_path / "bank.pem"
    _pem_file(pem, 0o644)
    settings = HubSettings(bank_key_file=pem, bank_key_kid="kid-open")
    with pytest.raises(SettingsError, match=r"bank key file .* readable by others"):
        minter_for(settings)
    pem.chmod(0o600)
    assert minter_for(settings).kid == "kid-open"
    pem.chmod(0o604)
    os.utime(pem, ns=(1, 1))  # a changed file is re-read (and re-checked)
    with pytest.raises(SettingsError, match="readable by others"):
        minter_for(settings)


def test_serve_refuses_a_bank_key_readable_by_others(tmp_path: Path) -> None:
    pem = tmp_path / "bank.pem"
    _pem_file(pem, 0o644)
    r = hub_cli("serve", "--data", str(tmp_path / "hub"), "--port", "0",
                env={"TELLER_HUB_BANK_KEY_FILE": str(pem), "TELLER_HUB_DATABASE_URL": ""},
                timeout=30)
    assert r.returncode == 2 and "bank key file" in r.stderr and "chmod 600" in r.stderr
    assert not (tmp_path / "hub" / "hub.json").exists()


def test_the_kid_is_the_keys_thumbprint_unless_configured(tmp_path: Path) -> None:
    raw_n = base64.urlsafe_b64decode(RFC_N + "=" * (-len(RFC_N) % 4))
    rfc_key = RSAPublicNumbers(65537, int.from_bytes(raw_n, "big")).public_key()
    assert jwk_thumbprint(rfc_key) == RFC_THUMBPRINT

    pem = tmp_path / "bank.pem"
    first = _pem_file(pem)
    settings = HubSettings(bank_key_file=pem)
    kid = _kid(minter_for(settings).mint("teller@bank.test", "sign-in", "obj"))
    assert kid == jwk_thumbprint(first.public_key())
    second = _pem_file(pem)  # rotated in place: the tokens name the new key
    kid2 = _kid(minter_for(settings).mint("teller@bank.test", "sign-in", "obj"))
    assert kid2 == jwk_thumbprint(second.public_key()) != kid
    jwt.decode(minter_for(settings).mint("t@bank.test", "sign-in", "obj"),
               second.public_key(), algorithms=["RS256"], audience="dcm")


def test_a_configured_kid_over_a_rotated_key_is_an_error(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    pem = tmp_path / "bank.pem"
    _pem_file(pem)
    configured = f"registered-{os.getpid()}-{tmp_path.name}"
    settings = HubSettings(bank_key_file=pem, bank_key_kid=configured)
    with caplog.at_level(logging.INFO, logger="teller_hub.bank_key"):
        assert minter_for(settings).kid == configured
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        _pem_file(pem)
        token = minter_for(settings).mint("teller@bank.test", "sign-in", "obj")
    assert _kid(token) == configured  # the configured kid still works as it did
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "bank_key_kid still names the old key" in errors[0].message
