"""The hub's own employee store (Mode B): argon2id passwords, roles and branch per employee.

Sign-in goes through the ``IdentityProvider`` protocol, so an OIDC provider can replace the
password store later without touching sessions or routes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.ext.asyncio import AsyncEngine

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
                  branch_guid: str | None, head_office: bool) -> bool:
        """Add an employee; False (and nothing changed) if the e-mail exists."""
        if not head_office and not branch_guid:
            raise EmployeeError("an employee needs a branch guid or head office")
        password_hash = await asyncio.to_thread(_HASHER.hash, password)
        t = now()
        async with self.engine.begin() as conn:
            exists = (await conn.execute(
                sa.select(employees.c.id).where(employees.c.email == email)
            )).first()
            if exists is not None:
                return False
            await conn.execute(employees.insert().values(
                email=email, name=name, roles=",".join(dict.fromkeys(roles)),
                branch_guid=None if head_office else branch_guid, head_office=head_office,
                password_hash=password_hash, disabled=False, created_at=t, updated_at=t,
            ))
        return True

    async def set_disabled(self, email: str, disabled: bool) -> None:
        async with self.engine.begin() as conn:
            result = await conn.execute(
                employees.update().where(employees.c.email == email)
                .values(disabled=disabled, updated_at=now()))
            if result.rowcount != 1:
                raise EmployeeError(f"no employee {email}")
            if disabled:  # end their sessions everywhere at once
                await conn.execute(sessions.delete().where(sessions.c.email == email))

    async def reset_password(self, email: str, password: str) -> None:
        await self._set_hash(email, await asyncio.to_thread(_HASHER.hash, password),
                             end_sessions=True)

    async def _set_hash(self, email: str, password_hash: str, end_sessions: bool = False) -> None:
        async with self.engine.begin() as conn:
            result = await conn.execute(
                employees.update().where(employees.c.email == email)
                .values(password_hash=password_hash, updated_at=now()))
            if result.rowcount != 1:
                raise EmployeeError(f"no employee {email}")
            if end_sessions:
                await conn.execute(sessions.delete().where(sessions.c.email == email))

    async def list(self) -> list[EmployeeRow]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(sa.select(employees).order_by(employees.c.email))).all()
        out = []
        for row in rows:
            e = _employee(row)
            out.append(EmployeeRow(e.email, e.name, e.roles, e.branch_guid, e.head_office,
                                   e.disabled))
        return out


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
