"""Profile export/import (no secrets) and the corrupt-file way out, for the profile manager.

No Qt here: plain functions the dialog runs off the UI thread. An export holds profiles only
(``Profile`` has no secret fields; the keyring keeps passwords, a proxy's too: its URL is
exported without one), so IT can roll one file out to every desk; each workstation then types
or remembers its own password.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from teller_app.core.private_files import write_private
from teller_app.secrets import Profile, ProfileStore

EXPORT_KIND = "teller-profiles"
EXPORT_VERSION = 1
# Never exported: per-desk state, not part of a bank's roll-out.
_PER_DESK = ("email", "is_sandbox")


def backup_and_reset(store: ProfileStore) -> Path:
    """Move an unreadable profiles file aside (``profiles.json.broken-<time>``, kept for IT)
    so the next start begins with no profiles. Returns the backup's path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = store.path.with_name(f"{store.path.name}.broken-{stamp}")
    n = 1
    while backup.exists():
        backup = store.path.with_name(f"{store.path.name}.broken-{stamp}-{n}")
        n += 1
    os.replace(store.path, backup)
    with contextlib.suppress(OSError):
        os.chmod(backup, 0o600)
    return backup


def export_profiles(profiles: list[Profile], path: Path) -> int:
    """Write ``profiles`` (no secrets, no per-desk e-mail) to ``path``, 0600, atomically."""
    items = []
    for profile in profiles:
        if profile.is_sandbox:
            continue
        data = profile.model_dump(mode="json")
        for key in _PER_DESK:
            data.pop(key, None)
        items.append(data)
    text = json.dumps({"kind": EXPORT_KIND, "version": EXPORT_VERSION, "profiles": items},
                      ensure_ascii=False, indent=2)
    write_private(path, text.encode("utf-8"))
    return len(items)


class ExportUnreadable(ValueError):
    """Why an export cannot be imported: ``kind`` is ``not_json``, ``not_export`` or
    ``bad_profile`` (then ``profile`` names it when it has a name, ``detail`` is pydantic's
    first complaint); the dialog words it."""

    def __init__(self, kind: str, detail: str = "", profile: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind, self.detail, self.profile = kind, detail, profile


def read_export(path: Path) -> list[Profile]:
    """Profiles from an export file. Raises ``ExportUnreadable`` naming what is wrong."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ExportUnreadable("not_json") from None
    if isinstance(data, dict) and data.get("kind") == EXPORT_KIND:
        items = data.get("profiles")
    elif isinstance(data, dict) and "profiles" in data:  # a copy of profiles.json itself
        items = data["profiles"]
    else:
        raise ExportUnreadable("not_export")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ExportUnreadable("not_export")
    out: list[Profile] = []
    for item in items:
        clean = {k: v for k, v in item.items() if k not in _PER_DESK}
        try:
            out.append(Profile.model_validate(clean))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first.get("loc", ()))
            problem = str(first.get("msg", "")).removeprefix("Value error, ")
            raise ExportUnreadable("bad_profile", f"{where}: {problem}",
                                   str(item.get("name") or "")) from None
    return out


def import_profiles(store: ProfileStore, profiles: list[Profile]) -> list[str]:
    """Save every profile (same name = replaced, keeping this desk's remembered e-mail).
    Returns the names saved."""
    existing = {p.name: p for p in store.list()}
    names = []
    for profile in profiles:
        old = existing.get(profile.name)
        if old is not None and old.email:
            profile = profile.model_copy(update={"email": old.email})
        store.save(profile)
        names.append(profile.name)
    return names


def unique_name(base: str, taken: set[str]) -> str:
    """``base (2)``, ``base (3)``... the first name not taken (for Duplicate)."""
    if base not in taken:
        return base
    n = 2
    while f"{base} ({n})" in taken:
        n += 1
    return f"{base} ({n})"

