"""Sign-in as a use case the dialog (and the smoke test) call: no widgets here.

A target is a connection profile, plus, for the embedded sandbox, its demo employees.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from teller_app.core import instance_lock
from teller_app.core.machine_policy import MachinePolicy, read_policy
from teller_app.secrets import PASSWORD, PRIVATE_KEY, SESSION_TOKEN, SecretStore, register_secret

if TYPE_CHECKING:  # the session and HTTP stack load when signing in, not before the paint
    from teller_app.core.session import Session
    from teller_app.platform.auth import Auth

    # Profiles (pydantic) load after the sign-in window is painted.
    from teller_app.secrets.profiles import Profile, ProfileStore

SANDBOX_PROFILE_NAME = "sandbox"
log = logging.getLogger(__name__)


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
    from teller_app.secrets.profiles import Profile

    profile = Profile(name=SANDBOX_PROFILE_NAME, base_url=str(manifest["base_url"]),
                      counterparty_guid=str(manifest["counterparty_guid"]), is_sandbox=True,
                      hub_url=hub_url)
    names = {str(b["guid"]): str(b.get("name", "")) for b in manifest.get("branches", [])}
    return SignInTarget(profile, list(manifest.get("employees", [])), names,
                        dict(manifest.get("asset") or {}) or None)


def remember_key(email: str) -> str:
    """Keyring entry of one employee's remembered session (never shared between e-mails)."""
    return f"{SESSION_TOKEN}:{email.strip().lower()}"


async def read_remembered(store: SecretStore, target: SignInTarget, email: str) -> str | None:
    """The remembered (revocable) Kratos session token of this employee, if any. Only Mode A
    has one; a password is never remembered."""
    if target.uses_hub_login or not email.strip():
        return None
    if not (await asyncio.to_thread(read_policy)).remember_sign_in:
        await store.delete(remember_key(email))  # IT turned Remember off: forgotten
        return None
    return await store.get(remember_key(email))


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
    forwards DCM calls after checking role and branch). An empty password signs in with the
    employee's remembered session token (Mode A). With ``remember`` the new session token
    (revocable, never the password) is kept in the OS keyring under this e-mail only."""
    from teller_app.core.session import make_auth, open_session
    from teller_app.platform import AuthError, PasswordLogin

    register_secret(secret)  # masked in every log line and error text from now on
    profile = target.profile
    policy = await asyncio.to_thread(read_policy)
    remember = remember and policy.remember_sign_in  # IT's "no Remember" wins
    remembered: str | None = None
    if not secret and store is not None:
        remembered = await read_remembered(store, target, email)
    if not secret and not remembered:
        raise AuthError("no password and nothing remembered", reason="invalid_credentials")
    auth: Auth = (PasswordLogin(email, None, session_token=remembered) if remembered
                  else make_auth(profile, email, secret))
    # One Teller per profile per OS user: a second one would fight over the same cache.
    await asyncio.to_thread(instance_lock.acquire, profile.name)
    try:
        session = await open_session(profile, auth)
    except AuthError as exc:
        if remembered and store is not None:  # expired or revoked: forget it, ask again
            await store.delete(remember_key(email))
            raise AuthError("the remembered sign-in has expired",
                            reason="remembered_expired") from exc
        raise
    try:  # a failure from here on fails the sign-in: its platform session must not stay open
        if store is not None:
            for legacy in (PASSWORD, PRIVATE_KEY):  # older versions kept these (the hub has keys)
                await store.delete(legacy)
            token = session.client.session_token
            if remember and token:
                await store.set(remember_key(email), token)
            else:
                await store.delete(remember_key(email))
        if profiles is not None and not target.is_sandbox:
            await _remember_email(profiles, profile.model_copy(update={"email": email}))
    except BaseException:  # shielded: a second cancel (the window closing) does not cut it
        await asyncio.shield(_revoke(session, store, email))
        raise
    return capped_by_policy(session, policy)


def capped_by_policy(session: Session, policy: MachinePolicy) -> Session:
    """The session's profile with the machine policy's caps (idle lock, offline hours): what
    the desk reads from ``session.profile`` then never exceeds what IT allows."""
    profile = session.profile
    idle = policy.idle_lock_minutes(profile.idle_lock_minutes)
    offline = policy.offline_hours(profile.offline_hours)
    if (idle, offline) != (profile.idle_lock_minutes, profile.offline_hours):
        session.profile = profile.model_copy(
            update={"idle_lock_minutes": idle, "offline_hours": offline})
    return session


async def sign_out(session: Session, store: SecretStore | None = None) -> None:
    """An explicit sign-out (not quitting the app) ends the sign-in: the platform session is
    revoked (Mode A: Kratos logout; Mode B: the hub session closed) and this employee's
    remembered token forgotten, so nobody at this desk signs in as them with an empty
    password. A keyring or network failure is logged and never stops the sign-out."""
    await forget_remembered(session.profile.name, signed_in_emails(session), store)
    await session.close(sign_out=True)


def signed_in_emails(session: Session) -> frozenset[str]:
    """The e-mails a remembered token of this session may be kept under: the employee's and
    the one typed at sign-in."""
    from teller_app.platform import HubLogin, PasswordLogin

    emails = {session.employee.email.strip().lower()}
    auth = session.client.auth
    if isinstance(auth, PasswordLogin | HubLogin) and auth.email.strip():
        emails.add(auth.email.strip().lower())
    return frozenset(e for e in emails if e)


async def forget_remembered(profile_name: str, emails: frozenset[str],
                            store: SecretStore | None = None) -> None:
    """Forget the remembered sign-in of each of ``emails``; a keyring failure is logged (the
    platform revokes the token anyway, or it expires)."""
    try:
        keyring = store if store is not None else await SecretStore.open(profile_name)
        for email in sorted(emails):
            await keyring.delete(remember_key(email))
    except Exception as exc:
        log.warning("sign-out: the remembered sign-in was not forgotten (%s)",
                    type(exc).__name__)


async def _remember_email(profiles: ProfileStore, profile: Profile) -> None:
    """The profile saved with the e-mail just used, the last one chosen; a full disk leaves
    it as it was (logged), it does not stop the sign-in."""
    try:
        await asyncio.to_thread(_save_profile, profiles, profile)
    except OSError as exc:
        log.warning("sign-in: the profile's last e-mail was not saved (%s)",
                    type(exc).__name__)


async def _revoke(session: Session, store: SecretStore | None, email: str) -> None:
    """A failed sign-in's platform session revoked, and its token not remembered."""
    try:
        if store is not None:
            await store.delete(remember_key(email))
    except Exception as exc:
        log.warning("sign-in: the remembered sign-in was not forgotten (%s)",
                    type(exc).__name__)
    try:
        await session.close(sign_out=True)
    except Exception as exc:
        log.warning("sign-in: the platform session was not closed (%s)", type(exc).__name__)


def _save_profile(profiles: ProfileStore, profile: Profile) -> None:
    profiles.save(profile)
    profiles.set_last_profile(profile.name)
