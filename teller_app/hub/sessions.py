"""Hub sessions, in the database so any hub process accepts any session.

The bearer token is 256 random bits; only its SHA-256 is stored, so a database dump does not
hold usable tokens.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from .db import now, sessions
from .models import HubEmployee


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


async def create(engine: AsyncEngine, emp: HubEmployee, ttl: int) -> tuple[str, int]:
    token = secrets.token_urlsafe(32)
    t = now()
    snapshot = asdict(emp)
    snapshot["roles"] = list(emp.roles)
    async with engine.begin() as conn:
        await conn.execute(sessions.delete().where(sessions.c.expires_at < t))
        await conn.execute(sessions.insert().values(
            token_hash=token_hash(token), email=emp.email, source=emp.source,
            employee=json.dumps(snapshot), created_at=t, expires_at=t + ttl))
    return token, t + ttl


async def find(engine: AsyncEngine, token: str) -> HubEmployee | None:
    """The session's employee snapshot, or None if unknown or expired."""
    async with engine.connect() as conn:
        row = (await conn.execute(
            sa.select(sessions.c.employee)
            .where(sessions.c.token_hash == token_hash(token), sessions.c.expires_at > now())
        )).first()
    if row is None:
        return None
    data = json.loads(row.employee)
    return HubEmployee(email=data["email"], name=data["name"], roles=tuple(data["roles"]),
                       branch_guid=data["branch_guid"], head_office=bool(data["head_office"]),
                       source="dcm" if data["source"] == "dcm" else "hub")


async def delete(engine: AsyncEngine, token: str) -> bool:
    async with engine.begin() as conn:
        result = await conn.execute(sessions.delete()
                                    .where(sessions.c.token_hash == token_hash(token)))
    return bool(result.rowcount)
