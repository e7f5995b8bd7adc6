"""The hub's own employee store (Mode B): argon2id passwords, roles and branch per employee.

Sign-in goes through the ``IdentityProvider`` protocol, so an OIDC provider can replace the
password store later without touching sessions or routes.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import socket
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import audit
from .db import employees, now, sessions
from .models import HubEmployee

# argon2id (the library default type); a modest cost keeps sign-in ~tens of ms on 2 cores.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the e-mail is unknown, so timing does not reveal who exists. A
# constant (of a random, unrecorded password, same cost as _HASHER): hashing one at import
# cost every hub start ~50-150 ms (tests/hub/test_dummy_hash.py keeps the cost in step).
_DUMMY_HASH = ("$argon2id$v=19$m=19456,t=2,p=1$57nkhZQk7iJ9zHbvk3NEzg"
               "$ylTqh7Dz13BTuguKAu1QZqUULnzmyZ2L9KeP52yR1sM")


class EmployeeError(ValueError):
    """A store operation was refused (message is safe to show)."""


class IdentityProvider(Protocol):
    """Turns credentials into an employee. Implementations: ``PasswordStore`` (argon2id);
    later an OIDC provider (verify an ID token, map its claims to roles and branch)."""

    async def authenticate(self, email: str, password: str) -> HubEmployee | None: ...

    async def lookup(self, email: str) -> HubEmployee | None: ...


@dataclass(frozen=True)
class EmployeeRow:
    email: str
    name: str
    roles: tuple[str, ...]
    branch_guid: str | None
    head_office: bool
    disabled: bool


def _employee(row: sa.Row[tuple[object, ...]]) -> HubEmployee:
    m = row._mapping
    return HubEmployee(
        email=str(m["email"]), name=str(m["name"]),
        roles=tuple(r for r in str(m["roles"]).split(",") if r),
        branch_guid=None if m["branch_guid"] is None else str(m["branch_guid"]),
        head_office=bool(m["head_office"]), source="hub", disabled=bool(m["disabled"]),
    )


class PasswordStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def lookup(self, email: str) -> HubEmployee | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(
                sa.select(employees).where(employees.c.email == email.strip().lower())
            )).first()
        return None if row is None else _employee(row)

    async def authenticate(self, email: str, password: str) -> HubEmployee | None:
        email = email.strip().lower()
        async with self.engine.connect() as conn:
            row = (await conn.execute(
                sa.select(employees).where(employees.c.email == email)
            )).first()
        stored = _DUMMY_HASH if row is None else str(row.password_hash)
        ok = await asyncio.to_thread(_verify, stored, password)
        if row is None or not ok:
            return None
        emp = _employee(row)
        if _HASHER.check_needs_rehash(stored):
            await self._rehash(int(row.id), stored, password)
        return None if emp.disabled else emp

    async def _rehash(self, employee_id: int, verified_hash: str, password: str) -> bool:
        """Store ``password`` under the current parameters, but only while the stored hash
        is still the one just verified: a reset that landed since (it writes a hash of a
        new password) must win, never be overwritten with a hash of the old one. False when
        something else changed the hash first."""
        new_hash = await asyncio.to_thread(_HASHER.hash, password)
        async with self.engine.begin() as conn:
            result = await conn.execute(
                employees.update()
                .where(employees.c.id == employee_id,
                       employees.c.password_hash == verified_hash)
                .values(password_hash=new_hash, updated_at=now()))
        return bool(result.rowcount == 1)

    async def add(self, email: str, name: str, password: str, roles: list[str],
                  branch_guid: str | None, head_office: bool, *, by: str | None = None) -> bool:
        """Add an employee; False (and nothing changed) if the e-mail exists. ``by``: who,
        for the audit entry written with it (None: the operator of ``teller-hub`` CLI)."""
        if not head_office and not branch_guid:
            raise EmployeeError("an employee needs a branch guid or head office")
        password_hash = await asyncio.to_thread(_HASHER.hash, password)
        t = now()
        branch = None if head_office else branch_guid
        async with self.engine.begin() as conn:
            exists = (await conn.execute(
                sa.select(employees.c.id).where(employees.c.email == email)
            )).first()
            if exists is not None:
                return False
            await conn.execute(employees.insert().values(
                email=email, name=name, roles=",".join(dict.fromkeys(roles)),
                branch_guid=branch, head_office=head_office,
                password_hash=password_hash, disabled=False, created_at=t, updated_at=t,
            ))
            await _audit(conn, by, "employee_added", email, branch,
                         {"roles": list(dict.fromkeys(roles)), "head_office": head_office})
        return True

    async def set_disabled(self, email: str, disabled: bool, *, by: str | None = None) -> None:
        async with self.engine.begin() as conn:
            result = await conn.execute(
                employees.update().where(employees.c.email == email)
                .values(disabled=disabled, updated_at=now()))
            if result.rowcount != 1:
                raise EmployeeError(f"no employee {email}")
            ended = 0
            if disabled:  # end their sessions everywhere at once
                ended = (await conn.execute(
                    sessions.delete().where(sessions.c.email == email))).rowcount
            await _audit(conn, by, "employee_disabled" if disabled else "employee_enabled",
                         email, await _branch_of(conn, email),
                         {"sessions_ended": ended} if disabled else {})

    async def reset_password(self, email: str, password: str, *, by: str | None = None) -> None:
        password_hash = await asyncio.to_thread(_HASHER.hash, password)
        async with self.engine.begin() as conn:
            result = await conn.execute(
                employees.update().where(employees.c.email == email)
                .values(password_hash=password_hash, updated_at=now()))
            if result.rowcount != 1:
                raise EmployeeError(f"no employee {email}")
            ended = (await conn.execute(sessions.delete().where(sessions.c.email == email))
                     ).rowcount
            await _audit(conn, by, "password_reset", email, await _branch_of(conn, email),
                         {"sessions_ended": ended})

    async def list(self) -> list[EmployeeRow]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(sa.select(employees).order_by(employees.c.email))).all()
        out = []
        for row in rows:
            e = _employee(row)
            out.append(EmployeeRow(e.email, e.name, e.roles, e.branch_guid, e.head_office,
                                   e.disabled))
        return out


def cli_actor() -> str:
    """Who runs ``teller-hub`` on this host (the audit's actor of an employee change made
    with the CLI, which holds no employee session)."""
    try:
        return f"cli:{getpass.getuser()}@{socket.gethostname()}"[:254]
    except (OSError, KeyError):  # no login name (a container without a passwd entry)
        return f"cli:uid {os.getuid()}" if hasattr(os, "getuid") else "cli"


async def _branch_of(conn: AsyncConnection, email: str) -> str | None:
    found = (await conn.execute(sa.select(employees.c.branch_guid)
                                .where(employees.c.email == email))).scalar()
    return None if found is None else str(found)


async def _audit(conn: AsyncConnection, by: str | None, action: str, email: str,
                 branch_guid: str | None, detail: dict[str, Any]) -> None:
    """An employee change in the audit, in the change's transaction (never a password)."""
    await audit.append(conn, audit.Entry(
        actor=by or cli_actor(), action=action, entity=f"employee:{email}",
        branch_guid=branch_guid, detail={"employee": email, **detail}))


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
