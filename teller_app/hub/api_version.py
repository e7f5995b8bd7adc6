"""Version skew, in one place: what this hub speaks, which desks may write through it, and
which controls its code enforces (docs/OPERATIONS.md, "Upgrades").

- ``HUB_API``: the desk API this hub speaks. Every answer says it (``X-Teller-Hub-Api``);
  ``GET /api/v1/version`` gives it with ``MIN_DESK_API`` and the package version.
- ``MIN_DESK_API``: the oldest desk API whose writes this hub takes. A desk says its API in
  ``X-Teller-Desk-Api`` on every request; a desk that says nothing is API 0 (the desks from
  before the header). A release that changes what a desk must understand (a new till state,
  a new refusal) raises it: older desks then get 426 ``desk_too_old`` on every write, while
  sign-in and sign-out stay open so such a desk signs in and is told.
- ``HUB_CODE_LEVEL``: the controls this code enforces. ``teller-hub migrate`` raises the
  database's ``min_hub_code`` to it (``code_level``); a process of this release or later whose
  level is below the database's refuses writes (503 ``hub_too_old``) and is not ready. A
  release raises it when its controls must not be skipped by an older process still serving
  (then its old processes are drained before ``migrate``).

Other modules read these through the module (``api_version.HUB_CODE_LEVEL``), never a copy:
a test starts a process "of a newer release" by changing them before anything runs.
"""

from __future__ import annotations

from teller_app.platform.api_version import PACKAGE_VERSION

HUB_API = 1
MIN_DESK_API = 0
# 2 (2026-12-07): cash counted on its confirm day, one approved customer change at a time, a
# customer moved since filing never changed, a heartbeat never takes a till: an older
# process still serving would skip them
HUB_CODE_LEVEL = 2

HUB_VERSION = PACKAGE_VERSION  # the package's: hub and desk ship as one

DESK_TOO_OLD = "desk_too_old"
HUB_TOO_OLD = "hub_too_old"


def desk_api(value: str | None) -> int:
    """A desk's ``X-Teller-Desk-Api``: none, or anything but a small number, is API 0."""
    if value is None:
        return 0
    text = value.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else 0
