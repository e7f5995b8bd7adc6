"""Hub-side types: the acting employee, request bodies (with size limits) and answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

ROLES = ("Teller", "Supervisor", "Administrator")
KEYKEEPER_PREFIX = "keykeeper:"
GUID_RE = r"^[0-9A-Za-z][0-9A-Za-z-]{0,63}$"

Email = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=3,
                                         max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
Guid = Annotated[str, StringConstraints(strip_whitespace=True, pattern=GUID_RE)]
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=500,
                                              pattern=r"^[^\x00-\x1f\x7f]+$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
NEW_PASSWORD_MIN = 12
NEW_PASSWORD_MAX = 1024
# a password as typed at sign-in (any length: an older, shorter one still signs in) ...
Password = Annotated[str, StringConstraints(min_length=1, max_length=NEW_PASSWORD_MAX)]
# ... and one being set for a Mode-B employee (the admin API and `teller-hub employees`)
NewPassword = Annotated[str, StringConstraints(min_length=NEW_PASSWORD_MIN,
                                               max_length=NEW_PASSWORD_MAX)]


@dataclass(frozen=True)
class HubEmployee:
    """An employee acting through the hub; ``source`` says which directory vouches for them."""

    email: str
    name: str
    roles: tuple[str, ...]
    branch_guid: str | None
    head_office: bool
    source: Literal["hub", "dcm"]
    disabled: bool = False

    def may_act_in(self, branch_guid: str | None) -> bool:
        """Own branch only, unless head office (which may act anywhere)."""
        if self.disabled:
            return False
        return self.head_office or (branch_guid is not None and branch_guid == self.branch_guid)

    def public(self) -> EmployeeOut:
        return EmployeeOut(email=self.email, name=self.name, roles=list(self.roles),
                           branch_guid=self.branch_guid, head_office=self.head_office)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=2048)


class PasswordSessionIn(_In):
    mode: Literal["password"]
    email: Email
    password: Password


class PlatformSessionIn(_In):
    mode: Literal["platform"]
    session_token: Annotated[str, StringConstraints(min_length=8, max_length=2048,
                                                    pattern=r"^[\x21-\x7e]+$")]


SessionIn = Annotated[PasswordSessionIn | PlatformSessionIn, Field(discriminator="mode")]


class EmployeeOut(BaseModel):
    email: str
    name: str
    roles: list[str]
    branch_guid: str | None
    head_office: bool


class SessionOut(BaseModel):
    token: str
    expires_at: str
    employee: EmployeeOut


class SecretIn(_In):
    external_id: ExternalId
    branch_guid: Guid | None = None
    first_name: ShortText = ""
    last_name: ShortText = ""
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] = ""
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""

    @field_validator("external_id")
    @classmethod
    def _no_edge_spaces(cls, v: str) -> str:
        if v != v.strip():
            raise ValueError("external_id must not start or end with spaces")
        if v.startswith(KEYKEEPER_PREFIX) and not re.match(GUID_RE, v[len(KEYKEEPER_PREFIX):]):
            raise ValueError("keykeeper external id must be keykeeper:<guid>")
        return v


class SecretOut(BaseModel):
    external_id: str
    created: bool


class SecretImportIn(_In):
    items: list[SecretIn] = Field(min_length=1, max_length=10_000)


class EmployeeIn(_In):
    email: Email
    name: ShortText = ""
    password: NewPassword
    roles: list[Literal["Teller", "Supervisor", "Administrator"]] = Field(min_length=1,
                                                                           max_length=3)
    branch_guid: Guid | None = None
    head_office: bool = False


class AuthUser(BaseModel):
    """``GET /user_auth`` answer (§2.5): ``external_id`` and ``key`` mandatory."""

    external_id: Annotated[str, Field(max_length=500)]
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    key: str
