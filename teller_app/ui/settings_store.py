"""This desk's own settings (not the bank's): language, theme, idle lock, sync interval,
sounds and notifications, window state. A small JSON file next to the profiles, 0600, written
atomically; an unreadable file means defaults (nothing in it matters for safety).

No Qt here; ``ui/settings.py`` is the dialog and applies the values live."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from teller_app.secrets.profiles_raw import config_dir  # no pydantic before the paint

log = logging.getLogger(__name__)
FILE = "desk-settings.json"
LANGUAGES = ("", "uk", "en")  # "" = the profile's (or the system's)
THEMES = ("system", "light", "dark")


@dataclass
class DeskSettings:
    language: str = ""
    theme: str = "system"
    idle_lock_minutes: int = 5
    sync_interval_minutes: int = 5
    sounds: bool = True
    notifications: bool = True
    window: dict[str, str] = field(default_factory=dict)  # geometry/state, base64

    def clean(self, idle_cap: int | None = None) -> DeskSettings:
        """Values in range; ``idle_cap``: the machine policy's idle_lock_minutes_max."""
        self.language = self.language if self.language in LANGUAGES else ""
        self.theme = self.theme if self.theme in THEMES else "system"
        self.idle_lock_minutes = min(240, max(1, int(self.idle_lock_minutes)))
        if idle_cap is not None:  # IT's cap wins over the teller's setting
            self.idle_lock_minutes = min(self.idle_lock_minutes, max(1, idle_cap))
        self.sync_interval_minutes = min(120, max(1, int(self.sync_interval_minutes)))
        self.window = {str(k): str(v) for k, v in dict(self.window).items()}
        return self


def settings_path() -> Path:
    return config_dir() / FILE


def idle_lock_cap() -> int | None:
    """The machine policy's cap on the idle lock in minutes (None: none). Blocking (a small
    root-owned file, or the registry): off the UI thread where it can be."""
    from teller_app.core.machine_policy import read_policy

    cap = read_policy().idle_lock_minutes_max
    return None if cap is None else max(1, cap)


def load_settings(path: Path | None = None) -> DeskSettings:
    """The desk's settings, the idle lock capped by the machine policy."""
    path = path or settings_path()
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return DeskSettings().clean(idle_lock_cap())
    except (OSError, ValueError) as exc:
        log.warning("desk settings unreadable (%s): defaults used", type(exc).__name__)
        return DeskSettings().clean(idle_lock_cap())
    if not isinstance(data, dict):
        return DeskSettings().clean(idle_lock_cap())
    known = {f.name for f in fields(DeskSettings)}
    try:
        return DeskSettings(**{k: v for k, v in data.items() if k in known}).clean(
            idle_lock_cap())
    except (TypeError, ValueError):
        return DeskSettings().clean(idle_lock_cap())


def save_settings(settings: DeskSettings, path: Path | None = None) -> None:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    from teller_app.core.private_files import write_private

    write_private(path, json.dumps(asdict(settings.clean()), ensure_ascii=False,
                                   indent=2).encode("utf-8"))


def desk_language() -> str | None:
    """The language chosen in Settings, if any (start-up reads it before the profile's)."""
    return load_settings().language or None
