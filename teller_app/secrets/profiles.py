"""Connection profiles and app settings, in a JSON file under the user's config dir.

No secret ever goes in this file (passwords, tokens and keys live in ``SecretStore``).
``TELLER_CONFIG_DIR`` overrides the directory (tests)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from teller_app.platform.transport import (
    TransportSecurityError,
    TransportSettings,
    check_proxy,
    check_url,
    parse_pin,
)
from teller_app.secrets.profiles_raw import SETTINGS_FILE, config_dir

FILE_VERSION = 1
__all__ = ["SETTINGS_FILE", "Profile", "ProfileStore", "config_dir"]


class Profile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=100)
    base_url: str
    counterparty_guid: str
    # "password": Mode A (DCM Kratos); "hub": Mode B through the Teller Hub (e-mail + password
    # to the hub, which holds the bank key). "bank_jwt" is read as "hub": the desk no longer
    # holds the bank's key.
    auth_mode: Literal["password", "hub", "bank_jwt"] = "password"
    email: str = ""
    jwt_kid: str | None = None  # unused since Mode B goes through the hub; kept for old files
    hub_url: str | None = None  # the bank's Teller Hub (Auth Service, secrets, Mode-B proxy)
    is_sandbox: bool = False
    # app settings
    idle_lock_minutes: int = Field(default=5, ge=1, le=240)
    sensitive_changes: list[str] = Field(
        default_factory=lambda: ["is_disabled", "status_blocked", "kyc_down"]
    )
    cash_confirm_threshold: Decimal = Decimal("10000.00")
    language: str = "uk"
    # A head-office workstation keeps a head-office cache after sign-out; a branch desk
    # (the default) wipes it, key included, so the next employee cannot read the whole bank.
    head_office_desk: bool = False
    # Offline start: hours after this employee's last online sign-in on this desk (0 = never).
    offline_hours: float = Field(default=12.0, ge=0, le=168)
    # transport (see teller_app.platform.transport): the environment's proxy is never used
    proxy: str | None = None
    ca_bundle: str | None = None
    spki_pins: list[str] = Field(default_factory=list)

    @field_validator("base_url")
    @classmethod
    def _secure_url(cls, value: str) -> str:
        try:
            check_url(value)
        except TransportSecurityError as exc:
            raise ValueError(exc.message) from None
        return value

    @field_validator("proxy")
    @classmethod
    def _proxy_url(cls, value: str | None) -> str | None:
        if value:
            try:
                check_proxy(value)
            except TransportSecurityError as exc:
                raise ValueError(exc.message) from None
        return value or None

    @field_validator("spki_pins")
    @classmethod
    def _pins(cls, value: list[str]) -> list[str]:
        try:
            for pin in value:
                parse_pin(pin)
        except TransportSecurityError as exc:
            raise ValueError(exc.message) from None
        return value

    def transport(self) -> TransportSettings:
        return TransportSettings(self.proxy, self.ca_bundle, tuple(self.spki_pins))

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if "/" in value or value != value.strip():
            raise ValueError("profile name must not contain '/' or surrounding spaces")
        return value

    @property
    def uses_hub_login(self) -> bool:
        """Mode B: employees sign in to the hub, DCM calls go through its proxy."""
        return self.auth_mode in ("hub", "bank_jwt")

    @property
    def keyring_service(self) -> str:
        return f"Teller/{self.name}"


class ProfileStore:
    """Profiles file: load/save/list/delete; written atomically with mode 0600."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / SETTINGS_FILE

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"version": FILE_VERSION, "profiles": [], "last_profile": None}
        if not isinstance(data, dict):
            raise ValueError(f"{self.path} is not a profiles file")
        data.setdefault("profiles", [])
        return data

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        fd, tmp = tempfile.mkstemp(prefix=".profiles-", suffix=".tmp", dir=self.path.parent)
        try:
            with contextlib.suppress(OSError):
                os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)

    def list(self) -> list[Profile]:
        return [Profile.model_validate(p) for p in self._read()["profiles"]]

    def load(self, name: str) -> Profile:
        for profile in self.list():
            if profile.name == name:
                return profile
        raise KeyError(name)

    def save(self, profile: Profile) -> None:
        data = self._read()
        items = [p for p in data["profiles"] if p.get("name") != profile.name]
        items.append(profile.model_dump(mode="json"))
        data["profiles"] = items
        self._write(data)

    def delete(self, name: str) -> bool:
        data = self._read()
        items = [p for p in data["profiles"] if p.get("name") != name]
        if len(items) == len(data["profiles"]):
            return False
        data["profiles"] = items
        if data.get("last_profile") == name:
            data["last_profile"] = None
        self._write(data)
        return True

    @property
    def last_profile(self) -> str | None:
        value = self._read().get("last_profile")
        return value if isinstance(value, str) else None

    def set_last_profile(self, name: str | None) -> None:
        data = self._read()
        data["last_profile"] = name
        self._write(data)
