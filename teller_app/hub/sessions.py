"""Hub sessions, in the database so any hub process accepts any session.

The bearer token is 256 random bits; only its SHA-256 is stored, so a database dump does not
hold usable tokens. A Mode A session (``source == "dcm"``) ends no later than the DCM session
it was opened with, and keeps that DCM session token sealed with the master key (bound to
this session's row), so the hub can ask DCM whether it still lives
(``platform_liveness``): a dump holds no usable DCM token either.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from .crypto import DecryptError, MasterKey, Sealed
from .db import now, sessions
from .models import HubEmployee

PLATFORM_AAD = "platform-session:"  # + the hub token's hash: a sealed DCM token's AAD


@dataclass(frozen=True)
class Found:
    """A live session: its employee snapshot, and (Mode A) the sealed DCM session token."""

    employee: HubEmployee
    token_hash: str
    platform: Sealed | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


async def create(engine: AsyncEngine, emp: HubEmployee, ttl: int, *,
                 not_after: int | None = None, platform_token: str | None = None,
                 master: MasterKey | None = None) -> tuple[str, int]:
    """A new session for ``ttl`` seconds, ending at ``not_after`` at the latest (the DCM
    session's expiry in Mode A); ``platform_token`` (with ``master``) is kept sealed."""
    token = secrets.token_urlsafe(32)
    t = now()
    expires = t + ttl if not_after is None else min(t + ttl, not_after)
    snapshot: dict[str, object] = dict(asdict(emp))
    snapshot["roles"] = list(emp.roles)
    digest = token_hash(token)
    if platform_token is not None and master is not None:
        sealed = master.seal(PLATFORM_AAD + digest, platform_token.encode())
        snapshot["platform"] = {"key_id": sealed.key_id,
                                "wrapped_key": _b64(sealed.wrapped_key),
                                "ciphertext": _b64(sealed.ciphertext)}
    async with engine.begin() as conn:
        await conn.execute(sessions.delete().where(sessions.c.expires_at < t))
        await conn.execute(sessions.insert().values(
            token_hash=digest, email=emp.email, source=emp.source,
            employee=json.dumps(snapshot), created_at=t, expires_at=expires))
    return token, expires


async def find(engine: AsyncEngine, token: str) -> HubEmployee | None:
    """The session's employee snapshot, or None if unknown or expired."""
    found = await find_session(engine, token)
    return found.employee if found is not None else None


async def find_session(engine: AsyncEngine, token: str) -> Found | None:
    digest = token_hash(token)
    async with engine.connect() as conn:
        row = (await conn.execute(
            sa.select(sessions.c.employee)
            .where(sessions.c.token_hash == digest, sessions.c.expires_at > now())
        )).first()
    if row is None:
        return None
    data = json.loads(row.employee)
    emp = HubEmployee(email=data["email"], name=data["name"], roles=tuple(data["roles"]),
                      branch_guid=data["branch_guid"], head_office=bool(data["head_office"]),
                      source="dcm" if data["source"] == "dcm" else "hub")
    sealed = data.get("platform")
    platform = Sealed(str(sealed["key_id"]), base64.b64decode(sealed["wrapped_key"]),
                      base64.b64decode(sealed["ciphertext"])) if isinstance(sealed, dict) else None
    return Found(emp, digest, platform)


def platform_token(master: MasterKey, found: Found) -> str | None:
    """The DCM session token a Mode A session was opened with; None when it has none (opened
    before the hub kept them) or it no longer opens (its master key is gone)."""
    if found.platform is None:
        return None
    try:
        return master.open(PLATFORM_AAD + found.token_hash, found.platform).decode()
    except (DecryptError, UnicodeDecodeError):
        return None


async def delete(engine: AsyncEngine, token: str) -> bool:
    async with engine.begin() as conn:
        result = await conn.execute(sessions.delete()
                                    .where(sessions.c.token_hash == token_hash(token)))
    return bool(result.rowcount)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
