"""Hub settings: defaults < TOML file < environment (``TELLER_HUB_*``) < command line."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

ENV_PREFIX = "TELLER_HUB_"
SIGNIN_PER_ADDRESS_DEFAULT = 30
# phone number checks an employee may have the hub run in a minute (``phone_probe_limit``):
# a Save costs one or two, so a teller never gets near it; a probe gets a few dozen numbers
PHONE_CHECKS_PER_MINUTE_DEFAULT = 20
DCM_TOKEN_MAX_LIFETIME_DEFAULT = 300
CASH_TZ_DEFAULT = "Europe/Kyiv"
# what a config file must not hand to anyone else on the host (and database_url when it
# carries a password: ``url_has_password``)
SECRET_FIELDS = frozenset({"master_key", "master_key_previous", "admin_token",
                           "dcm_tech_password"})


class SettingsError(ValueError):
    """A setting is missing or malformed (the message names it, never its value)."""


class HubSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path | None = None
    database_url: str = ""
    # the database password in a 0600 file instead of in database_url (or libpq's PGPASSFILE)
    database_password_file: Path | None = None
    master_key_file: Path | None = None
    # base64 of 32 bytes: the environment, or the settings line on stdin (the embedded hub,
    # from the desk's OS keyring); a bank's secret store may mount master_key_file instead
    master_key: SecretStr | None = None
    # a rotation in progress: the retired key(s) that still open older records until
    # ``teller-hub secrets rewrap`` has moved them (base64, comma-separated; or a 0600 file
    # of 32 raw bytes, as master_key_file)
    master_key_previous: SecretStr | None = None
    master_key_previous_file: Path | None = None
    dcm_url: str = ""
    dcm_counterparty: str = ""
    dcm_tech_login: str = ""
    dcm_tech_password: SecretStr | None = None
    bank_key_file: Path | None = None
    bank_key_kid: str = ""
    token_audience: str = "dcm"
    # DCM's X-Session-ID (Auth Service): the longest ``exp - iat`` accepted, and the ``iss`` /
    # ``aud`` it must carry when set (PLATFORM_API §2.4 names neither: empty = not checked)
    dcm_token_max_lifetime: int = Field(default=DCM_TOKEN_MAX_LIFETIME_DEFAULT, ge=1, le=3600)
    # a jti spent once (replay refused); off only for a DCM that re-sends one token
    dcm_token_single_use: bool = True
    dcm_token_issuer: str = ""
    dcm_token_audience: str = ""
    admin_token: SecretStr | None = None
    session_ttl: int = Field(default=8 * 3600, ge=60, le=7 * 24 * 3600)
    directory_refresh_s: float = Field(default=30.0, gt=0)
    # failed sign-ins counted per client address before a lock; 0 = none (the per-e-mail
    # limit always holds). Behind a balancer not trusted for X-Forwarded-For (uvicorn's
    # FORWARDED_ALLOW_IPS) every desk has the balancer's address: set that, or 0 here.
    signin_per_address_limit: int = Field(default=SIGNIN_PER_ADDRESS_DEFAULT, ge=0)
    # whether a phone number is held in the bank, asked by one employee in a minute (the
    # one-customer-per-number rule answers it: ``phone_probe_limit``); always on
    phone_checks_per_minute: int = Field(default=PHONE_CHECKS_PER_MINUTE_DEFAULT, ge=1,
                                         le=10_000)
    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535)
    # TLS: the hub's own (uvicorn's ssl options), or a TLS terminator in front of it; a host
    # off loopback needs one of the two (``teller-hub serve``)
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    behind_tls_proxy: bool = False
    openapi_docs: bool = False  # /docs and /openapi.json (off: they map the whole surface)
    log_level: str = "info"
    # SIGTERM (a rolling restart): stop taking work, then let what runs finish for up to
    # this long; longer than a DCM call (10 s) plus the hub's own writes after it
    shutdown_drain_s: float = Field(default=30.0, ge=0, le=600)
    # PostgreSQL: connections per process (pool + overflow; N processes need N times as many
    # under max_connections), how long a request waits for one, and each statement's limit
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    db_pool_timeout_s: float = Field(default=5.0, gt=0, le=300)
    db_connect_timeout_s: float = Field(default=5.0, gt=0, le=300)
    db_command_timeout_s: float = Field(default=15.0, gt=0, le=3600)
    # the bank's business day (an IANA zone): daily cash limits reset at its midnight and
    # each cash authorization is filed under its date; ``serve`` loads it before it binds
    # (exit 2 when it cannot: never a silent UTC day)
    cash_tz: str = CASH_TZ_DEFAULT

    @field_validator("dcm_url")
    @classmethod
    def _https_off_loopback(cls, value: str) -> str:
        """The hub sends bank JWTs and employees' tokens to DCM, and trusts its JWKS: https
        anywhere off loopback, as on the desk."""
        if value:
            from teller_app.platform.transport import TransportSecurityError, check_url

            try:
                check_url(value, what="DCM")
            except TransportSecurityError:  # the value is never echoed
                raise ValueError("must be an https:// URL (plain http:// only for a loopback "
                                 "address)") from None
        return value

    @field_validator("cash_tz")
    @classmethod
    def _zone_name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must be an IANA time zone name, such as Europe/Kyiv")
        return value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return _with_password(self.database_url, self.database_password_file)
        if self.data_dir is None:
            raise SettingsError("database_url is not set and there is no data dir (--data)")
        return f"sqlite+aiosqlite:///{self.data_dir / 'hub.db'}"

    @property
    def database_in_data_dir(self) -> bool:
        """The embedded default: an SQLite file in the data dir (the one case where the hub
        makes its own master key file, DIR/master.key)."""
        if self.data_dir is None or not self.is_sqlite:
            return False
        from sqlalchemy.engine import make_url

        name = make_url(self.effective_database_url).database or ""
        return bool(name) and name != ":memory:" and \
            Path(name).resolve().parent == self.data_dir.resolve()

    @property
    def effective_master_key_file(self) -> Path | None:
        if self.master_key_file is not None:
            return self.master_key_file
        return self.data_dir / "master.key" if self.data_dir is not None else None

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def dcm_configured(self) -> bool:
        return bool(self.dcm_url)

    @property
    def tech_account_configured(self) -> bool:
        return bool(self.dcm_url and self.dcm_counterparty and self.dcm_tech_login
                    and self.dcm_tech_password is not None)


_FIELDS = tuple(HubSettings.model_fields)


def load_settings(
    config_file: Path | None = None,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> HubSettings:
    """Merge TOML (top level or a ``[hub]`` table), environment and explicit overrides."""
    values: dict[str, Any] = {}
    if config_file is not None:
        try:
            data = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SettingsError(f"cannot read config file {config_file}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"config file {config_file} is not valid TOML: {exc}") from None
        table = data.get("hub", data)
        if not isinstance(table, dict):
            raise SettingsError("config file: [hub] must be a table")
        unknown = sorted(set(table) - set(_FIELDS))
        if unknown:
            raise SettingsError(f"config file: unknown settings {', '.join(unknown)}")
        if SECRET_FIELDS & set(table) or url_has_password(table.get("database_url")):
            require_private(config_file, "config file (it holds secrets)")
        values.update(table)
    env = os.environ if environ is None else environ
    for name in _FIELDS:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            values[name] = raw
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return HubSettings.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"invalid settings: {problems}") from None


def url_has_password(url: object) -> bool:
    """A database URL carrying a password (a config file holding it must be 0600)."""
    if not isinstance(url, str) or not url:
        return False
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return bool(make_url(url).password)
    except ArgumentError:  # not a URL: make_engine says so; treat it as secret meanwhile
        return True


def _with_password(url: str, password_file: Path | None) -> str:
    """``url`` with the password read from ``password_file`` (0600, one line)."""
    if password_file is None:
        return url
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    require_private(password_file, "database password file")
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingsError("database_url is not a valid SQLAlchemy URL") from None
    if parsed.password:
        raise SettingsError("database_url carries a password and database_password_file is "
                            "set: keep the password in one place")
    try:
        password = password_file.read_text(encoding="utf-8").strip("\r\n")
    except OSError as exc:
        raise SettingsError(f"cannot read database password file {password_file}: "
                            f"{exc.strerror}") from None
    if not password:
        raise SettingsError(f"database password file {password_file} is empty")
    return parsed.set(password=password).render_as_string(hide_password=False)


def require_private(path: Path, what: str, *, group_reads: bool = False) -> None:
    """Refuse a file that holds a secret (a key, a config with secrets) when its group or
    others may read or write it (POSIX modes; elsewhere the OS's ACLs decide).
    ``group_reads``: its group may read it (a TLS key as Debian keeps it: root:ssl-cert
    0640, the service user in ssl-cert), never write it; others nothing."""
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise SettingsError(f"cannot read {what} {path}: {exc.strerror}") from None
    if stat.S_IMODE(mode) & (0o037 if group_reads else 0o077):
        raise SettingsError(f"{what} {path} is readable by others "
                            f"({'chmod 640 at most' if group_reads else 'chmod 600'})")
