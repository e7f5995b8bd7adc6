"""Sign-in throttling, shared by every hub process (rows in ``signin_failures``).

Each attempt is counted *before* the password is verified (argon2) or DCM is asked
(``whoami``), in one transaction that also refuses it while a lock holds: a burst of parallel
guesses gets at most the free attempts, never one per request. A success clears its e-mail's
count but only gives back its own charge to the address's: someone interleaving their own
correct sign-in must not wipe the failures of the guesses they spray from that address. A
refusal that was not the caller's fault (DCM unreachable) is given back.

- per e-mail (password mode): FREE_PER_EMAIL attempts, then a lock of FIRST_LOCK_S that
  doubles with each further failure up to MAX_LOCK_S (bounded: a real employee waits at most
  that long after an attacker stops), forgotten FORGET_S after the last failure;
- per client address (both modes): ``signin_per_address_limit`` (FREE_PER_ADDRESS by
  default; 0 = off), the same locks. Loopback is not counted (the embedded desk, or a proxy on
  this host that sends no X-Forwarded-For: uvicorn takes a client address from it only when it
  comes from 127.0.0.1, or FORWARDED_ALLOW_IPS); IPv6 by /64. Behind a load balancer that is
  not trusted for X-Forwarded-For every desk shares its address: the bank sets
  FORWARDED_ALLOW_IPS, or switches the address count off.

A DCM session token given for an e-mail outside sign-in (an approver's, ``token_attempt``) is
counted against that e-mail the same way: each refused one costs DCM a ``whoami``.

Keys are HMACs (a random key sealed with the master key, in ``hub_keys``): what someone typed
as an e-mail may be a password, and never lies in the database readable.

Forgotten counts (no failure for FORGET_S, no lock) are deleted by each process's hourly
background pass (``prune``, bounded batches), whether or not anyone signs in successfully.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import logging
import os
import time
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .crypto import DecryptError, MasterKey, Sealed
from .db import delete_in_batches, dialect_insert, metadata, now
from .errors import HubError
from .settings import SIGNIN_PER_ADDRESS_DEFAULT

log = logging.getLogger("teller_hub")
FREE_PER_EMAIL = 5
FREE_PER_ADDRESS = SIGNIN_PER_ADDRESS_DEFAULT
FIRST_LOCK_S = 30
MAX_LOCK_S = 15 * 60
FORGET_S = 60 * 60
PEPPER_NAME = "signin_throttle"
PRUNE_BATCH = 1000
PRUNE_ROUNDS = 20  # batches per prune at most (the rest waits for the next one)
SUCCESS_PRUNE_S = 3600.0  # a success prunes too, at most this often per process

signin_failures = sa.Table(
    "signin_failures", metadata,
    sa.Column("key", sa.String(64), primary_key=True),  # HMAC-SHA256 hex of "email:..."/"ip:..."
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_at", sa.BigInteger, nullable=False, index=True),
    sa.Column("locked_until", sa.BigInteger, nullable=False),
)

HUB_KEY_AAD = "hub-key:"  # + the key's name: what a hub key is sealed with (``rewrap`` too)
hub_keys = sa.Table(  # the hub's own random keys, sealed with the master key
    "hub_keys", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("key_id", sa.String(32), nullable=False),
    sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
    sa.Column("ciphertext", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)


class Throttled(Exception):
    """Too many failed sign-ins: ``retry_after`` seconds until the next attempt is heard."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Attempt:
    """The counters one sign-in attempt was charged to: (key, free attempts) pairs."""

    keys: tuple[tuple[str, int], ...]
    email_key: str | None = None  # which of them counts the e-mail (None: no e-mail given)


def lock_seconds(failures: int, free: int) -> int:
    """The lock after ``failures`` counted attempts (none below ``free``), doubling, capped."""
    if failures < free:
        return 0
    return min(MAX_LOCK_S, FIRST_LOCK_S << min(failures - free, 16))


def client_address(host: str | None) -> str | None:
    """The counted address: None for loopback or no address; an IPv6 client by its /64."""
    if not host:
        return None
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class SignInThrottle:
    def __init__(self, engine: AsyncEngine, master: MasterKey, *,
                 per_address: int = FREE_PER_ADDRESS) -> None:
        self.engine = engine
        self.master = master
        self.per_address = per_address  # 0: addresses are not counted
        self._pepper: bytes | None = None
        self._pruned_at = float("-inf")

    async def attempt(self, *, email: str | None = None, address: str | None = None,
                      scope: str = "email") -> Attempt:
        """Charge an attempt to its counters, or raise ``Throttled`` (nothing charged).
        ``scope`` names the e-mail's counter: "email" for passwords, "dcm-email" for DCM
        session tokens, so guessing a password anyone may type never locks an employee's
        Mode A sign-in or decisions."""
        pepper = await self._key()
        keys: list[tuple[str, int]] = []
        email_key = _mac(pepper, f"{scope}:" + email.strip().lower()) if email else None
        if email_key:
            keys.append((email_key, FREE_PER_EMAIL))
        if address and self.per_address > 0:
            keys.append((_mac(pepper, "ip:" + address), self.per_address))
        keys.sort()  # one lock order for every process (no deadlock on PostgreSQL)
        if not keys:
            return Attempt(())
        t = now()
        async with self.engine.begin() as conn:
            for key, _free in keys:
                await _charge(conn, key, t)
            rows = {r.key: r for r in (await conn.execute(
                sa.select(signin_failures).where(
                    signin_failures.c.key.in_([k for k, _ in keys])))).all()}
            waits = [int(r.locked_until) - t for r in rows.values() if r.locked_until > t]
            if waits:
                raise Throttled(max(waits))  # rolls the charges back
            for key, free in keys:
                lock = lock_seconds(int(rows[key].failures), free)
                if lock:  # this attempt may be the last free one: the lock holds if it fails
                    await conn.execute(signin_failures.update().where(
                        signin_failures.c.key == key).values(locked_until=t + lock))
        return Attempt(tuple(keys), email_key)

    async def succeeded(self, attempt: Attempt) -> None:
        """The e-mail's count goes; the address's only loses this attempt's own charge."""
        async with self.engine.begin() as conn:
            for key, free in attempt.keys:
                if key == attempt.email_key:
                    await conn.execute(
                        signin_failures.delete().where(signin_failures.c.key == key))
                else:
                    await _give_back(conn, key, free)
        if time.monotonic() - self._pruned_at >= SUCCESS_PRUNE_S:  # the hourly pass does it
            self._pruned_at = time.monotonic()
            await prune(self.engine, rounds=1)

    async def forgive(self, attempt: Attempt) -> None:
        """The attempt failed for a reason not the caller's (DCM unreachable): give it back."""
        async with self.engine.begin() as conn:
            for key, free in attempt.keys:
                await _give_back(conn, key, free)

    async def _key(self) -> bytes:
        if self._pepper is None:
            self._pepper = await _load_or_make_key(self.engine, self.master, PEPPER_NAME)
        return self._pepper


_BY_ENGINE: weakref.WeakKeyDictionary[AsyncEngine, SignInThrottle] = \
    weakref.WeakKeyDictionary()


def throttle_for(engine: AsyncEngine, master: MasterKey) -> SignInThrottle:
    """A process's throttle for e-mail-only counting (its key read from the database once)."""
    found = _BY_ENGINE.get(engine)
    if found is None:
        found = _BY_ENGINE[engine] = SignInThrottle(engine, master)
    return found


async def prune(engine: AsyncEngine, *, rounds: int = PRUNE_ROUNDS) -> int:
    """Drop forgotten counts (no failure for FORGET_S, not locked), a bounded batch per
    transaction, at most ``rounds`` batches; rows another sign-in is charging are skipped
    (PostgreSQL), never waited for. Returns how many went."""
    t = now()
    return await delete_in_batches(engine, signin_failures.c.key,
                                   signin_failures.c.last_at < t - FORGET_S,
                                   signin_failures.c.locked_until < t,
                                   batch=PRUNE_BATCH, rounds=rounds)


DCM_SCOPE = "dcm-email"  # DCM session tokens given for an e-mail (see ``attempt``)


@contextlib.asynccontextmanager
async def token_attempt(engine: AsyncEngine, master: MasterKey,
                        email: str) -> AsyncIterator[None]:
    """A check of a DCM session token someone gives for ``email`` (the approver's in a
    Mode A decision), counted like a sign-in against that e-mail, before DCM is asked:
    raises ``HubError(429, code "sign_in_throttled")`` while the e-mail is locked (nothing
    is asked). The check inside refusing with 401/403 stays counted; any other failure
    (DCM unreachable) is given back; a success clears the e-mail's count."""
    throttle = throttle_for(engine, master)
    try:
        attempt = await throttle.attempt(email=email, scope=DCM_SCOPE)
    except Throttled as exc:
        raise HubError(429, "too many refused platform sessions for this employee: try again "
                       f"in {exc.retry_after} s", "sign_in_throttled") from None
    try:
        yield
    except HubError as exc:
        if exc.status not in (401, 403):
            await throttle.forgive(attempt)
        raise
    except Exception:
        await throttle.forgive(attempt)
        raise
    await throttle.succeeded(attempt)


async def _charge(conn: AsyncConnection, key: str, t: int) -> None:
    """failures + 1 (from 1 when the last failure is forgotten); nothing while locked."""
    table = signin_failures
    insert = dialect_insert(conn, table).values(key=key, failures=1, last_at=t, locked_until=0)
    await conn.execute(insert.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": sa.case((table.c.last_at < t - FORGET_S, 1),
                                  else_=table.c.failures + 1),
              "last_at": t},
        where=table.c.locked_until <= t))


async def _give_back(conn: AsyncConnection, key: str, free: int) -> None:
    """failures - 1; the lock goes when that is under the free attempts again."""
    await conn.execute(signin_failures.update().where(
        signin_failures.c.key == key, signin_failures.c.failures > 0).values(
            failures=signin_failures.c.failures - 1,
            locked_until=sa.case((signin_failures.c.failures - 1 < free, 0),
                                 else_=signin_failures.c.locked_until)))


def _mac(pepper: bytes, text: str) -> str:
    return hmac.new(pepper, text.encode("utf-8"), hashlib.sha256).hexdigest()


async def _load_or_make_key(engine: AsyncEngine, master: MasterKey, name: str) -> bytes:
    """A random 32-byte key shared by every process through the database, sealed with the
    master key. One that no key of this process opens is refused, never replaced: the other
    processes still count with it (a process with a wrong master key must not reset them)."""
    sealed = master.seal(HUB_KEY_AAD + name, os.urandom(32))
    async with engine.begin() as conn:
        await conn.execute(dialect_insert(conn, hub_keys).values(
            name=name, key_id=sealed.key_id, wrapped_key=sealed.wrapped_key,
            ciphertext=sealed.ciphertext, created_at=now()).on_conflict_do_nothing())
        row = (await conn.execute(sa.select(hub_keys).where(hub_keys.c.name == name))).one()
    try:
        return master.open(HUB_KEY_AAD + name, Sealed(
            str(row.key_id), bytes(row.wrapped_key), bytes(row.ciphertext)))
    except DecryptError:
        log.error("hub key does not open: this master key does not match the database",
                  extra={"key_name": name, "stored_key_id": str(row.key_id),
                         "key_id": master.key_id})
        raise HubError(503, "the hub's master key does not match its database (see its log)",
                       "master_key_mismatch") from None
