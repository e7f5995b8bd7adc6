"""The desk's side of version skew (the hub's: ``teller_app/hub/api_version.py``).

``DESK_API``: what this desk understands of the hub's answers (till states, refusal codes).
It goes to the hub as ``X-Teller-Desk-Api`` on every request (``_http.HttpCore``), with the
package version in ``User-Agent``. A hub whose ``min_desk_api`` is above it refuses this
desk's writes (426 ``desk_too_old``: ``errors.DeskTooOld``) and the desk says so at sign-in.
``KNOWN_HUB_API``: the newest hub API this desk was written for; a newer hub is used as it is
(a state or code the desk does not know is never read as a known one).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from teller_app import __version__

PACKAGE_VERSION = __version__
DESK_API = 1
KNOWN_HUB_API = 1

DESK_API_HEADER = "X-Teller-Desk-Api"
HUB_API_HEADER = "X-Teller-Hub-Api"
USER_AGENT = f"Teller/{PACKAGE_VERSION}"
VERSION_PATH = "/api/v1/version"


class HubVersion(BaseModel):
    """``GET /api/v1/version`` (no sign-in needed). Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    api: int
    min_desk_api: int = 0
    hub: str = ""

    @property
    def refuses_this_desk(self) -> bool:
        """The hub refuses this desk's writes (it was updated past what the desk knows)."""
        return self.min_desk_api > DESK_API

    @property
    def newer_than_desk(self) -> bool:
        return self.api > KNOWN_HUB_API
