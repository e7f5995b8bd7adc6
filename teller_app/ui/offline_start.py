"""Offline start (the branch-offline case): when the platform cannot be reached at sign-in
and this employee signed in successfully on this desk within the profile's ``offline_hours``
(default 12), the desk opens anyway, against a verifier kept in the OS keyring.

The verifier is an argon2id hash of the password plus the employee record of that sign-in
(never the password itself), stored only in a persistent keyring. The offline session's
client holds the typed password like any sign-in, so once the platform answers again (the
connectivity probe, the next sync) it signs in by itself, in place, and the desk is online:
nothing to re-type. Until then the cache is what the desk shows, with the offline banner and
the data's age, and writes are disabled (``core/connectivity.py``).

The machine policy's ``offline_hours_max`` caps the profile's window (0: no offline start).
The verifier only vouches for what the platform last said: an online sign-in (or a re-login)
that the platform refuses for this employee (wrong password, disabled) deletes it, and an
offline session whose stored password the platform refuses once it answers again is signed
out (``ui/main_window_reauth``), never asked to re-type. The refusal is recorded apart from
the keyring (``core/offline_refusals``): when the keyring fails to delete the verifier, an
offline start with it is refused anyway (and its deletion tried again), and the user is told.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time

from teller_app.core.machine_policy import read_policy
from teller_app.core.offline_refusals import (
    RefusalsUnreadable,
    clear_refused,
    mark_refused,
    refused_at,
)
from teller_app.core.session import HubLink, Session, mode_a_hub
from teller_app.platform import (
    AuthError,
    Employee,
    PasswordLogin,
    PlatformClient,
    Timeout,
    Unavailable,
)
from teller_app.secrets import ProfileStore, SecretStore
from teller_app.ui.sign_in import SignInTarget, sign_in

VERIFIER = "offline_verifier"
# AuthError reasons that mean "the platform refuses this employee" (not "expired")
REFUSED = frozenset({"invalid_credentials", "disabled"})
log = logging.getLogger(__name__)


def is_refusal(exc: BaseException) -> bool:
    """True when the platform refused the employee's password or the employee itself."""
    return isinstance(exc, AuthError) and exc.reason in REFUSED


class VerifierNotForgotten(RuntimeError):
    """The platform refused an employee and the OS keyring failed while the desk deleted
    their offline verifier: it may survive there. The refusal is recorded
    (``core/offline_refusals``; ``recorded`` False: in memory only, the file failed), so
    offline start refuses them anyway; the user and IT are told."""

    def __init__(self, recorded: bool) -> None:
        super().__init__("the offline verifier could not be deleted from the OS keyring")
        self.recorded = recorded


def _keyring_failed(store: SecretStore) -> bool:
    """The keyring failed on the way (an error, a time-out), as opposed to none at all."""
    return (store.unavailable_reason or "").startswith("the OS keyring")


async def _delete_verifier(store: SecretStore, email: str) -> bool | None:
    """True: deleted; False: the keyring holds none of ``email``'s; None: not known (the
    keyring failed, or there is none to read now)."""
    raw = await store.get(VERIFIER)
    if not store.persistent:
        return None
    if not raw:
        return False
    try:
        owner = json.loads(raw).get("email")
    except (ValueError, AttributeError):
        owner = None  # unreadable: useless anyway
    if owner is not None and owner != email.strip().casefold():
        return False
    await store.delete(VERIFIER)
    return True if store.persistent else None


async def forget_offline_verifier(store: SecretStore, email: str) -> bool:
    """The platform refused ``email``: this desk no longer vouches for them offline. The
    refusal is recorded first (no keyring needed), then their verifier is deleted (another
    employee's stays) and the record dropped once the keyring holds none of theirs. True
    when deleted; raises ``VerifierNotForgotten`` when the keyring failed."""
    recorded = True
    try:
        await asyncio.to_thread(mark_refused, store.service, email, time.time())
    except OSError as exc:
        recorded = False
        log.error("an offline refusal could not be recorded on disk (%s): it holds until "
                  "this desk quits", exc)
    deleted = await _delete_verifier(store, email)
    if deleted is None:
        if not _keyring_failed(store):
            return False  # no keyring now: none can be read either; the record stays
        log.warning("the offline verifier of an employee the platform refused could not be "
                    "deleted from the OS keyring (%s): offline sign-in stays refused for them "
                    "on this desk", store.unavailable_reason)
        raise VerifierNotForgotten(recorded)
    if deleted:
        log.info("offline verifier deleted: the platform refused this employee")
    await _clear_refusal(store, email)
    return deleted


async def _clear_refusal(store: SecretStore, email: str) -> None:
    try:
        await asyncio.to_thread(clear_refused, store.service, email)
    except OSError as exc:  # a stale record only refuses an old verifier: harmless
        log.warning("an offline refusal could not be cleared (%s)", exc)


def _hash(password: str) -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)  # argon2id, random salt


def _matches(stored: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(PasswordHasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


async def remember_for_offline(store: SecretStore, session: Session, password: str) -> None:
    if not store.persistent:
        return  # a memory-only verifier would not outlive this run
    record = {"v": 1, "email": session.employee.email.casefold(), "at": time.time(),
              "hash": await asyncio.to_thread(_hash, password),
              "employee": session.employee.model_dump(mode="json"),
              "branch_name": session.branch_name}
    await store.set(VERIFIER, json.dumps(record))
    if store.persistent:  # an older verifier (refused or not) is replaced
        await _clear_refusal(store, session.employee.email)


async def offline_session(target: SignInTarget, email: str, password: str,
                          store: SecretStore, *, now: float | None = None) -> Session | None:
    """A session that starts offline, or None when this desk cannot vouch for ``email``."""
    raw = await store.get(VERIFIER)
    if not raw:
        return None
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    age = (time.time() if now is None else now) - float(record.get("at", 0))
    policy = await asyncio.to_thread(read_policy)
    # the profile's window capped by IT's; 0 = never offline
    window = policy.offline_hours(target.profile.offline_hours) * 3600
    if record.get("email") != email.strip().casefold() or not 0 <= age <= window:
        return None
    if await _refused_since(store, email, float(record.get("at", 0))):
        return None
    if not await asyncio.to_thread(_matches, str(record.get("hash", "")), password):
        return None
    profile = target.profile
    employee = Employee.model_validate(record["employee"])
    client = PlatformClient(profile.base_url, profile.counterparty_guid,
                            auth=PasswordLogin(email.strip(), password),
                            settings=profile.transport())
    # the hub link connects on first use, once the platform signs in again by itself (its
    # session token opens the hub session): four eyes, secrets and audit then work
    hub = mode_a_hub(profile)
    return Session(profile=profile, client=client, employee=employee,
                   roles=frozenset(employee.roles), branch_guid=employee.branch_guid,
                   branch_name=str(record.get("branch_name") or ""),
                   hub=HubLink(hub, client, employee.branch_guid) if hub is not None else None,
                   hub_problem="offline start: the platform was unreachable",
                   started_offline=True)


async def _refused_since(store: SecretStore, email: str, made_at: float) -> bool:
    """The platform refused ``email`` after this verifier was made (its deletion failed):
    try the deletion again, and refuse the offline start either way."""
    try:
        refused = await asyncio.to_thread(refused_at, store.service, email)
    except RefusalsUnreadable as exc:
        log.error("offline sign-in refused: %s (IT: check or remove it)", exc)
        return True
    if refused is None or made_at > refused:
        return False
    log.warning("offline sign-in refused: the platform refused this employee after this "
                "desk's offline verifier was made")
    with contextlib.suppress(VerifierNotForgotten):
        await forget_offline_verifier(store, email)
    return True


async def sign_in_or_offline(target: SignInTarget, email: str, secret: str, *,
                             remember: bool, store: SecretStore | None,
                             profiles: ProfileStore | None = None) -> Session:
    """``ui/sign_in.sign_in``, plus the offline verifier: kept after a successful sign-in,
    used when the platform cannot be reached (Mode A profiles, not the sandbox)."""
    offline_ok = store is not None and not target.is_sandbox and not target.uses_hub_login
    try:
        session = await sign_in(target, email, secret, remember=remember, store=store,
                                 profiles=profiles)
    except AuthError as exc:
        if offline_ok and store is not None and is_refusal(exc):
            with contextlib.suppress(VerifierNotForgotten):  # logged; offline stays refused
                await forget_offline_verifier(store, email)
        raise
    except (Unavailable, Timeout):
        if not offline_ok or store is None:
            raise
        offline = await offline_session(target, email, secret, store)
        if offline is None:
            raise
        from teller_app.ui.sign_in import capped_by_policy

        return capped_by_policy(offline, await asyncio.to_thread(read_policy))
    if offline_ok and store is not None:
        await remember_for_offline(store, session, secret)
    return session
