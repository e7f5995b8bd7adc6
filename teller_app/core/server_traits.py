"""What the client learnt about each profile's server, remembered between starts.

One small JSON file next to the profiles file (``server-traits.json``, 0600, written
atomically), keyed by profile name and valid only for the same URL and counterparty. Not in
the branch cache: the cache is per scope and is wiped when its key is lost or another scope
signs in, while these facts belong to the server; and ``teller-app doctor --profile`` writes
them without any cache. Nothing secret is in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from teller_app.core import app_paths
from teller_app.platform import PlatformClient
from teller_app.platform.traits import ServerTraits
from teller_app.secrets import Profile

log = logging.getLogger(__name__)
FILE_NAME = "server-traits.json"


class TraitsStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or app_paths.config_dir() / FILE_NAME

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        profiles = data.get("profiles") if isinstance(data, dict) else None
        return profiles if isinstance(profiles, dict) else {}

    def load(self, profile: Profile) -> ServerTraits:
        entry = self._read().get(profile.name)
        if not isinstance(entry, dict) or entry.get("base_url") != profile.base_url or (
            entry.get("counterparty_guid") != profile.counterparty_guid
        ):
            return ServerTraits()  # another server now: learn again
        return ServerTraits.from_json(entry.get("traits"))

    def save(self, profile: Profile, traits: ServerTraits) -> None:
        profiles = self._read()
        profiles[profile.name] = {
            "base_url": profile.base_url,
            "counterparty_guid": profile.counterparty_guid,
            "traits": traits.to_json(),
        }
        text = json.dumps({"version": 1, "profiles": profiles}, ensure_ascii=False, indent=2)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".traits-", suffix=".tmp", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


async def attach_traits(
    client: PlatformClient, profile: Profile, store: TraitsStore | None = None
) -> None:
    """Give ``client`` what was learnt about this profile's server before, and store what
    it learns from now on (file work off the event loop)."""
    store = store or TraitsStore()
    stored = await asyncio.to_thread(store.load, profile)
    # what this client already learnt (e.g. at sign-in) is newer than the file
    live = {k: v for k, v in asdict(client.traits).items() if v is not None}
    client.traits = replace(stored, **live)
    if client.traits != stored:
        await asyncio.to_thread(store.save, profile, client.traits)
    loop = asyncio.get_running_loop()

    def changed(traits: ServerTraits) -> None:
        future = loop.run_in_executor(None, store.save, profile, traits)
        future.add_done_callback(_log_failure)

    client.on_traits_changed = changed


def _log_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("could not store server traits: %r", future.exception())
