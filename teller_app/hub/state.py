"""Everything a request needs, built once per process (``app.state.hub``)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from .crypto import MasterKey
from .directory import DcmDirectory, Directory
from .employees import PasswordStore
from .jwks import JwksCache
from .settings import HubSettings
from .vault import SealedCache


@dataclass
class HubState:
    settings: HubSettings
    engine: AsyncEngine
    master: MasterKey
    http: httpx.AsyncClient
    store: PasswordStore
    dcm: DcmDirectory
    directory: Directory
    jwks: JwksCache | None
    admin_token: str
    sealed_cache: SealedCache
