"""Wire models of the hub's sessions and customer secrets, as ``HubClient`` reads them (the
four-eyes models are in ``hub_models.py``). Unknown fields are ignored so a newer hub does
not break an older desk; a session token never shows in a repr."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class HubEmployee(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    email: str
    name: str = ""
    roles: tuple[str, ...] = ()
    branch_guid: str | None = None
    head_office: bool = False


class HubSession(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    token: str = Field(repr=False)
    expires_at: datetime | None = None
    employee: HubEmployee


class SecretIssued(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    external_id: str
    created: bool


class _Exists(BaseModel):
    model_config = ConfigDict(extra="ignore")

    exists: bool
