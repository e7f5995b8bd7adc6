"""Sign-in as a use case the dialog (and the smoke test) call: no widgets here.

A target is a connection profile, plus, for the embedded sandbox, its demo employees.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from teller_app.core.session import Session, make_auth, open_session
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
    def uses_hub_login(self) -> bool:
        return self.profile.uses_hub_login


def sandbox_target(manifest: dict[str, Any], hub_url: str | None = None) -> SignInTarget:
    """The embedded sandbox (and its hub, when running) as a sign-in target (never saved to
    the profiles file)."""
    profile = Profile(name=SANDBOX_PROFILE_NAME, base_url=str(manifest["base_url"]),
                      counterparty_guid=str(manifest["counterparty_guid"]), is_sandbox=True,
                      hub_url=hub_url)
    names = {str(b["guid"]): str(b.get("name", "")) for b in manifest.get("branches", [])}
    return SignInTarget(profile, list(manifest.get("employees", [])), names,
                        dict(manifest.get("asset") or {}) or None)


async def read_remembered(store: SecretStore, target: SignInTarget) -> str | None:
    """The remembered password of this profile, if any."""
    return await store.get(PASSWORD)


async def sign_in(
    target: SignInTarget,
    email: str,
    secret: str,
    *,
    remember: bool,
    store: SecretStore | None,
    profiles: ProfileStore | None = None,
) -> Session:
    """Sign in and resolve the employee. ``secret`` is the password: the platform's (Mode A,
    Kratos), or for a hub profile the hub's (Mode B: the hub holds the bank's key and
    forwards DCM calls after checking role and branch). The password is remembered in the OS
    keyring only after a successful sign-in, and forgotten when ``remember`` is off."""
    register_secret(secret)  # masked in every log line and error text from now on
    profile = target.profile
    session = await open_session(profile, make_auth(profile, email, secret))
    if store is not None:
        if remember:
            await store.set(PASSWORD, secret)
        else:
            await store.delete(PASSWORD)
        await store.delete(PRIVATE_KEY)  # an older Teller kept a bank key here: the hub has it

    if profiles is not None and not target.is_sandbox:
        remembered = profile.model_copy(update={"email": email})
        await asyncio.to_thread(_save_profile, profiles, remembered)
    return session


def _save_profile(profiles: ProfileStore, profile: Profile) -> None:
    profiles.save(profile)
    profiles.set_last_profile(profile.name)
