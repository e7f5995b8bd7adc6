"""Branches, employees, roles, segments, categories."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from ._base import Bool, Int, NullList, OptGuid, Str, Timestamp, WireModel


class Branch(WireModel):
    guid: str
    counterparty_guid: Str = ""
    name: Str = ""
    is_deleted: Bool = False
    created_at: Timestamp = None
    updated_at: Timestamp = None


class BranchPage(WireModel):
    branches: Annotated[list[Branch], NullList] = Field(default_factory=list, alias="list")
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
    roles: Annotated[list[str], NullList] = Field(default_factory=list)
    is_disabled: Bool = False
    verified: Bool = False
    created_at: Timestamp = None
    updated_at: Timestamp = None

    @model_validator(mode="before")
    @classmethod
    def _guid_key(cls, data: Any) -> Any:
        # The docs' create answer names it employee_guid; a list may too.
        if isinstance(data, dict) and not data.get("guid") and data.get("employee_guid"):
            data = {**data, "guid": data["employee_guid"]}
        return data

    @property
    def display_name(self) -> str:
        full = " ".join(p for p in (self.surname, self.name, self.paternal_name) if p)
        return full or self.email or self.login


class EmployeePage(WireModel):
    employees: Annotated[list[Employee], NullList] = Field(default_factory=list)
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
    account_types: Annotated[list[SegmentAccountType], NullList] = Field(default_factory=list)


class Category(WireModel):
    guid: str
    name: Str = ""  # the code, e.g. "04"
    description: Str = ""
    created_at: Timestamp = None
    updated_at: Timestamp = None
    deleted_at: Timestamp = None
