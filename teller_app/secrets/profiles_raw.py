"""The profiles file read without pydantic: what the app needs to paint its sign-in window
(profile names, the chosen profile's language and e-mail) before the models are imported
(~110 ms). The full, validated read (``profiles.ProfileStore``) follows the first paint."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

SETTINGS_FILE = "profiles.json"


def config_dir() -> Path:
    override = os.environ.get("TELLER_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("Teller", "Prozora"))


@dataclass(frozen=True)
class ProfilesPreview:
    """The sign-in choice as the validated read will make it: ``names[0]`` is chosen."""

    names: list[str]
    email: str
    language: str | None


def read_preview(wanted: str | None = None, path: Path | None = None) -> ProfilesPreview | None:
    """The saved profiles in sign-in order (the last used first; only ``wanted`` when given).
    None when there is nothing plain to show (no file, no profiles, not JSON, odd entries,
    ``wanted`` missing): the caller then reads the file the full way, which reports what is
    wrong."""
    path = path or config_dir() / SETTINGS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("profiles"), list):
        return None
    items = data["profiles"]
    if not items or not all(isinstance(p, dict) and isinstance(p.get("name"), str)
                            for p in items):
        return None
    last = data.get("last_profile")
    items = sorted(items, key=lambda p: p["name"] != last)  # stable, as ProfileStore's reader
    if wanted is not None:
        items = [p for p in items if p["name"] == wanted][:1]
        if not items:
            return None
    chosen = items[0]
    email, language = chosen.get("email", ""), chosen.get("language", "uk")
    return ProfilesPreview([str(p["name"]) for p in items],
                           email if isinstance(email, str) else "",
                           language if isinstance(language, str) else None)
