"""Documented answer bodies (OpenAPI only: handlers build their JSON themselves, and the
contract run in ``tests/contract`` checks every answer against these)."""

from __future__ import annotations

from pydantic import BaseModel


class Customer(BaseModel):
    wallet_user_guid: str
    counterparty_guid: str
    login: str
    kyc_level: int
    is_disabled: bool
    balance_allowed: float | None
    balance_asset_code: str | None
    balance_asset_issuer: str | None
    branch_guid: str | None
    branch_name: str | None
    name: str | None
    paternal_name: str | None
    phone_number: str | None
    segment: str | None
    status: str | None
    surname: str | None
    created_at: str
    updated_at: str


class CustomerPage(BaseModel):
    customers: list[Customer]
    total: int


class KratosTraits(BaseModel):
    email: str


class KratosIdentity(BaseModel):
    id: str
    traits: KratosTraits


class KratosSession(BaseModel):
    id: str
    active: bool
    expires_at: str
    identity: KratosIdentity


class KratosLogin(BaseModel):
    session_token: str
    session: KratosSession
