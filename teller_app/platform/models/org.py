"""Branches, employees, roles, segments, categories."""

from __future__ import annotations

from pydantic import Field

from ._base import Int, OptGuid, Str, Timestamp, WireModel


class Branch(WireModel):
    guid: str
    counterparty_guid: Str = ""
    name: Str = ""
    is_deleted: bool = False
    created_at: Timestamp = None
    updated_at: Timestamp = None


class BranchPage(WireModel):
    branches: list[Branch] = Field(default_factory=list, alias="list")
    total: Int = 0


class Employee(WireModel):
    guid: str
    counterparty_guid: Str = ""
    email: Str = ""
    login: Str = ""
    name: Str = ""
    surname: Str = ""
    paternal_name: Str = ""
    phone: Str = ""
    branch_guid: OptGuid = None
    branch_name: Str = ""
    roles: list[str] = Field(default_factory=list)
    is_disabled: bool = False
    verified: bool = False
    created_at: Timestamp = None
    updated_at: Timestamp = None

    @property
    def display_name(self) -> str:
        full = " ".join(p for p in (self.surname, self.name, self.paternal_name) if p)
        return full or self.email or self.login


class EmployeePage(WireModel):
    employees: list[Employee] = Field(default_factory=list)
    total: Int = 0


class SegmentAccountType(WireModel):
    account_type_guid: Str = ""
    asset_code: Str = ""
    asset_issuer: Str = ""
    counterparty_guid: Str = ""
    kind: Str = ""  # customer | processing | emission (open set)
    segment_name: Str = ""


class Segment(WireModel):
    """One segment of the counterparty and the account types it allows."""

    name: str
    account_types: list[SegmentAccountType] = Field(default_factory=list)


class Category(WireModel):
    guid: str
    name: Str = ""  # the code, e.g. "04"
    description: Str = ""
    created_at: Timestamp = None
    updated_at: Timestamp = None
    deleted_at: Timestamp = None
