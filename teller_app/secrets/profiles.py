"""Connection profiles and app settings, in a JSON file under the user's config dir.

No secret ever goes in this file (passwords, tokens and keys live in ``SecretStore``; a
proxy's password in the keyring too, see ``proxy_secret``: an older file that has one in its
proxy URL is moved when read). ``TELLER_CONFIG_DIR`` overrides the directory (tests)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from teller_app.platform.transport import (
    TransportSecurityError,
    TransportSettings,
    check_proxy,
    check_url,
    parse_pin,
)
from teller_app.secrets.profiles_raw import SETTINGS_FILE, config_dir
from teller_app.secrets.proxy_secret import (
    ProxyPasswords,
    join_proxy,
    names_a_user,
    split_proxy,
)
from teller_app.secrets.store import KeyringUnavailable, service_for

log = logging.getLogger("teller_app.secrets")

FILE_VERSION = 1
__all__ = ["SETTINGS_FILE", "Profile", "ProfileStore", "ProxyPasswordNotKept", "config_dir"]


class ProxyPasswordNotKept(RuntimeError):
    """A proxy password was given but the OS keyring cannot keep it, so nothing was saved
    (``reason``: why, never the password)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the proxy password cannot be kept ({reason}); nothing was saved")
        self.reason = reason


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
    # app settings (the machine policy's idle_lock_minutes_max caps it at sign-in)
    idle_lock_minutes: int = Field(default=5, ge=1, le=240)
    sensitive_changes: list[str] = Field(
        default_factory=lambda: ["is_disabled", "status_blocked", "kyc_down"]
    )
    cash_confirm_threshold: Decimal = Decimal("10000.00")
    language: str = "uk"
    # A head-office workstation keeps a head-office cache after sign-out; a branch desk
    # (the default) wipes it, key included, so the next employee cannot read the whole bank.
    head_office_desk: bool = False
    # Offline start: hours after this employee's last online sign-in on this desk (0 = never);
    # the machine policy's offline_hours_max caps it (ui/offline_start).
    offline_hours: float = Field(default=12.0, ge=0, le=168)
    # transport (see teller_app.platform.transport): the environment's proxy is never used.
    # ``proxy`` never holds a password: it is split off into ``_proxy_password`` when the
    # profile is built, and kept in the OS keyring (``ProfileStore``).
    proxy: str | None = None
    ca_bundle: str | None = None
    spki_pins: list[str] = Field(default_factory=list)
    _proxy_password: str | None = PrivateAttr(default=None)
    # the profile whose keyring entry holds ``_proxy_password`` (None: not stored yet)
    _proxy_password_of: str | None = PrivateAttr(default=None)

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

    @model_validator(mode="after")
    def _split_proxy_password(self) -> Profile:
        self.proxy, password = split_proxy(self.proxy)
        if password is not None:
            self._proxy_password, self._proxy_password_of = password, None
        return self

    def keep_proxy_password(self, other: Profile | None) -> None:
        """Take ``other``'s proxy password when this profile has none and the same proxy URL
        (an edited or duplicated profile: the editor never shows the password)."""
        if (other is not None and self._proxy_password is None and self.proxy is not None
                and self.proxy == other.proxy):
            self._proxy_password = other._proxy_password
            self._proxy_password_of = other._proxy_password_of

    def transport(self) -> TransportSettings:
        proxy = self.proxy
        if proxy and self._proxy_password is not None:
            proxy = join_proxy(proxy, self._proxy_password)
        return TransportSettings(proxy, self.ca_bundle, tuple(self.spki_pins))

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
        return service_for(self.name)


class ProfileStore:
    """Profiles file: load/save/list/delete; written atomically with mode 0600.

    A proxy password goes to the OS keyring (the machine's, or ``keyring_backend``):
    ``list``/``load`` put it back into the profiles and move one an older file still has in
    its proxy URL; ``save`` stores it; ``delete`` removes it. Blocking (file and keyring): the
    app calls these off the UI thread. Profiles without a proxy user never touch the keyring.
    """

    def __init__(self, path: Path | None = None, *, keyring_backend: Any = None) -> None:
        self.path = path or config_dir() / SETTINGS_FILE
        self.proxy_passwords = ProxyPasswords(keyring_backend)

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
        data = self._read()
        profiles = [Profile.model_validate(p) for p in data["profiles"]]
        moved: dict[str, str | None] = {}
        for profile in profiles:
            password = profile._proxy_password
            if password is not None:  # an older file's: moved to the keyring
                if self._store_proxy_password(profile.name, password, "moved") is None:
                    profile._proxy_password_of = profile.name
                    moved[profile.name] = profile.proxy
            elif names_a_user(profile.proxy):
                self._read_from_keyring(profile)
        if moved:
            for item in data["profiles"]:
                if item.get("name") in moved:
                    item["proxy"] = moved[item["name"]]
            self._write(data)
        return profiles

    def load(self, name: str) -> Profile:
        for profile in self.list():
            if profile.name == name:
                return profile
        raise KeyError(name)

    def save(self, profile: Profile) -> None:
        """Raises ``ProxyPasswordNotKept`` (nothing written) when the profile has a new proxy
        password and the keyring cannot keep it."""
        data = self._read()
        old = next((p for p in data["profiles"] if p.get("name") == profile.name), None)
        old_proxy = old.get("proxy") if isinstance(old, dict) else None
        old_url, old_password = split_proxy(old_proxy)
        password = profile._proxy_password
        if password is None and old_password is not None and old_url == profile.proxy:
            password = old_password  # an older file's, not moved yet: kept for this proxy
        entry = profile.model_dump(mode="json")  # never the proxy password
        if password is not None:
            if profile._proxy_password_of != profile.name or password != profile._proxy_password:
                why = self._store_proxy_password(profile.name, password, "saved")
                if why is None:
                    profile._proxy_password, profile._proxy_password_of = password, profile.name
                elif (old_url, old_password) == (profile.proxy, password):
                    entry["proxy"] = old_proxy  # as the file had it, until a keyring works
                else:
                    raise ProxyPasswordNotKept(why)
        elif old_url != profile.proxy and (names_a_user(old_url) or names_a_user(profile.proxy)):
            self._forget_proxy_password(profile.name)  # never sent to another proxy or user
        items = [p for p in data["profiles"] if p.get("name") != profile.name]
        items.append(entry)
        data["profiles"] = items
        self._write(data)

    def delete(self, name: str) -> bool:
        data = self._read()
        items = [p for p in data["profiles"] if p.get("name") != name]
        if len(items) == len(data["profiles"]):
            return False
        gone = [p for p in data["profiles"] if p.get("name") == name]
        data["profiles"] = items
        if data.get("last_profile") == name:
            data["last_profile"] = None
        self._write(data)
        if any(names_a_user(p.get("proxy")) for p in gone):
            self._forget_proxy_password(name)
        return True

    # -- the proxy password in the keyring ------------------------------------------------
    def _store_proxy_password(self, name: str, password: str, what: str) -> str | None:
        """None once the keyring keeps it, else why not (logged)."""
        try:
            self.proxy_passwords.set(name, password)
        except KeyringUnavailable as exc:
            log.warning("the proxy password of profile %r cannot be %s to the OS keyring: %s",
                        name, what, exc)
            return str(exc)
        return None

    def _read_from_keyring(self, profile: Profile) -> None:
        try:
            password = self.proxy_passwords.get(profile.name)
        except KeyringUnavailable as exc:
            log.warning("the proxy password of profile %r cannot be read: %s", profile.name, exc)
            return
        if password is not None:
            profile._proxy_password, profile._proxy_password_of = password, profile.name

    def _forget_proxy_password(self, name: str) -> None:
        try:
            self.proxy_passwords.delete(name)
        except KeyringUnavailable as exc:
            log.warning("the proxy password of profile %r cannot be deleted: %s", name, exc)

    @property
    def last_profile(self) -> str | None:
        value = self._read().get("last_profile")
        return value if isinstance(value, str) else None

    def set_last_profile(self, name: str | None) -> None:
        data = self._read()
        data["last_profile"] = name
        self._write(data)
