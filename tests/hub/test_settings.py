"""Settings: TOML < environment < command line; bad values named, never echoed."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from teller_app.hub.crypto import DecryptError, MasterKey, load_master_key
from teller_app.hub.settings import SettingsError, load_settings


def test_toml_env_and_overrides(tmp_path: Path) -> None:
    cfg = tmp_path / "hub.toml"
    cfg.write_text('[hub]\ndcm_url = "https://dcm.example"\nsession_ttl = 600\n'
                   'token_audience = "from-toml"\n')
    s = load_settings(cfg, {"data_dir": tmp_path},
                      environ={"TELLER_HUB_TOKEN_AUDIENCE": "from-env"})
    assert s.dcm_url == "https://dcm.example" and s.session_ttl == 600
    assert s.token_audience == "from-env"
    assert s.effective_database_url == f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    assert s.effective_master_key_file == tmp_path / "master.key"


def test_dcm_must_be_https_off_loopback(tmp_path: Path) -> None:
    """The hub sends bank JWTs and employees' tokens to DCM and trusts its JWKS."""
    with pytest.raises(SettingsError, match="dcm_url") as refused:
        load_settings(None, {"data_dir": tmp_path, "dcm_url": "http://dcm.bank.internal"},
                      environ={})
    assert "dcm.bank.internal" not in str(refused.value)  # named, never echoed
    local = load_settings(None, {"data_dir": tmp_path, "dcm_url": "http://127.0.0.1:8080"},
                          environ={})
    assert local.dcm_url == "http://127.0.0.1:8080"


def test_bad_settings_are_named(tmp_path: Path) -> None:
    cfg = tmp_path / "hub.toml"
    cfg.write_text("session_ttl = 5\n")
    with pytest.raises(SettingsError, match="session_ttl"):
        load_settings(cfg, environ={})
    cfg.write_text("nonsense = 1\n")
    with pytest.raises(SettingsError, match="unknown settings nonsense"):
        load_settings(cfg, environ={})
    cfg.write_text("not toml [\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(cfg, environ={})
    with pytest.raises(SettingsError, match="no data dir"):
        _ = load_settings(None, environ={}).effective_database_url


def test_the_sign_in_count_per_address_is_a_setting(tmp_path: Path) -> None:
    assert load_settings(None, environ={}).signin_per_address_limit == 30
    off = load_settings(None, environ={"TELLER_HUB_SIGNIN_PER_ADDRESS_LIMIT": "0"})
    assert off.signin_per_address_limit == 0
    with pytest.raises(SettingsError, match="signin_per_address_limit"):
        load_settings(None, {"signin_per_address_limit": -1}, environ={})


def test_master_key_from_env_and_file(tmp_path: Path) -> None:
    raw = bytes(range(32))
    s = load_settings(None, {"data_dir": tmp_path},
                      environ={"TELLER_HUB_MASTER_KEY": base64.b64encode(raw).decode()})
    assert load_master_key(s).key_id == MasterKey(raw).key_id
    assert not (tmp_path / "master.key").exists()
    s = load_settings(None, {"data_dir": tmp_path / "d"}, environ={})
    first = load_master_key(s)
    assert (tmp_path / "d" / "master.key").stat().st_mode & 0o777 == 0o600
    assert load_master_key(s).key_id == first.key_id  # reused, not regenerated
    (tmp_path / "d" / "master.key").chmod(0o644)
    with pytest.raises(SettingsError, match="readable by others"):
        load_master_key(s)
    bad = load_settings(None, {"data_dir": tmp_path}, environ={"TELLER_HUB_MASTER_KEY": "%%"})
    with pytest.raises(SettingsError, match="base64"):
        load_master_key(bad)


def test_envelope_binds_external_id_and_master_key() -> None:
    k1, k2 = MasterKey(b"\x01" * 32), MasterKey(b"\x02" * 32)
    sealed = k1.seal("alice@x.ua", b"payload")
    assert k1.open("alice@x.ua", sealed) == b"payload"
    assert b"payload" not in sealed.ciphertext + sealed.wrapped_key
    with pytest.raises(DecryptError, match="moved"):
        k1.open("bob@x.ua", sealed)
    with pytest.raises(DecryptError, match="different master key"):
        k2.open("alice@x.ua", sealed)
    assert k1.seal("alice@x.ua", b"payload").ciphertext != sealed.ciphertext  # fresh data key
