"""Sign-in as a use case the dialog (and the smoke test) call: no widgets here.

A target is a connection profile, plus, for the embedded sandbox, its demo employees.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from teller_app.core import instance_lock
from teller_app.core.session import Session, open_session
from teller_app.platform import AuthError, BankJwtLogin, PasswordLogin
from teller_app.secrets import (
    PASSWORD,
    PRIVATE_KEY,
    Profile,
    ProfileStore,
    SecretStore,
    register_secret,
)

SANDBOX_PROFILE_NAME = "sandbox"


@dataclass
class SignInTarget:
    profile: Profile
    demo_employees: list[dict[str, Any]] = field(default_factory=list)
    branch_names: dict[str, str] = field(default_factory=dict)  # sandbox: guid -> name
    asset: dict[str, Any] | None = None  # sandbox manifest["asset"]

    @property
    def is_sandbox(self) -> bool:
        return self.profile.is_sandbox

    @property
    def uses_bank_jwt(self) -> bool:
        return self.profile.auth_mode == "bank_jwt"


def sandbox_target(manifest: dict[str, Any]) -> SignInTarget:
    """The embedded sandbox as a sign-in target (never saved to the profiles file)."""
    profile = Profile(name=SANDBOX_PROFILE_NAME, base_url=str(manifest["base_url"]),
                      counterparty_guid=str(manifest["counterparty_guid"]), is_sandbox=True)
    names = {str(b["guid"]): str(b.get("name", "")) for b in manifest.get("branches", [])}
    return SignInTarget(profile, list(manifest.get("employees", [])), names,
                        dict(manifest.get("asset") or {}) or None)


async def read_remembered(store: SecretStore, target: SignInTarget) -> str | None:
    """The remembered password (or bank key) of this profile, if any."""
    return await store.get(PRIVATE_KEY if target.uses_bank_jwt else PASSWORD)


async def sign_in(
    target: SignInTarget,
    email: str,
    secret: str,
    *,
    remember: bool,
    store: SecretStore | None,
    profiles: ProfileStore | None = None,
) -> Session:
    """Sign in and resolve the employee. ``secret``: the password, or for a bank-JWT profile
    the private key in PEM (or a path to a PEM file). The secret is remembered in the OS
    keyring only after a successful sign-in, and forgotten when ``remember`` is off."""
    register_secret(secret)  # masked in every log line and error text from now on
    profile = target.profile
    key_name = PRIVATE_KEY if target.uses_bank_jwt else PASSWORD
    if target.uses_bank_jwt:
        pem = await _read_pem(secret)
        register_secret(pem)
        auth: PasswordLogin | BankJwtLogin = BankJwtLogin(email, pem, profile.jwt_kid or "")
        secret = pem
    else:
        auth = PasswordLogin(email, secret)
    # One Teller per profile per OS user: a second one would fight over the same cache.
    await asyncio.to_thread(instance_lock.acquire, profile.name)
    session = await open_session(profile, auth)
    if store is not None:
        if remember:
            await store.set(key_name, secret)
        else:
            await store.delete(key_name)
    if profiles is not None and not target.is_sandbox:
        remembered = profile.model_copy(update={"email": email})
        await asyncio.to_thread(_save_profile, profiles, remembered)
    return session


async def _read_pem(secret: str) -> str:
    if "-----BEGIN" in secret:
        return secret
    # Not a PEM: maybe a path. A pasted bare key must never reach an error message (OSError
    # and UnicodeDecodeError quote the "file name" or the bytes), so raise a text-free error.
    try:
        path = Path(secret.strip()).expanduser()
        return await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, ValueError):
        raise AuthError("the key is neither a PEM nor a readable file", reason="bad_key") from None


def _save_profile(profiles: ProfileStore, profile: Profile) -> None:
    profiles.save(profile)
    profiles.set_last_profile(profile.name)
