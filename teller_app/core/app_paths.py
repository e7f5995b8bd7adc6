"""Where Teller keeps its files: per-OS dirs from platformdirs, overridable for tests.

``TELLER_CONFIG_DIR`` / ``TELLER_DATA_DIR`` redirect everything (tests point them at tmp_path
so they never touch the real home).
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

APP_NAME = "Teller"
APP_AUTHOR = "Prozora"


def config_dir() -> Path:
    override = os.environ.get("TELLER_CONFIG_DIR")
    return Path(override) if override else Path(user_config_dir(APP_NAME, APP_AUTHOR))


def data_dir() -> Path:
    override = os.environ.get("TELLER_DATA_DIR")
    return Path(override) if override else Path(user_data_dir(APP_NAME, APP_AUTHOR))


def sandbox_dir(base: Path | None = None) -> Path:
    """The embedded sandbox's data: reused on the next start so demo data survives."""
    return (base or data_dir()) / "sandbox"


def cache_dir(base: Path | None = None) -> Path:
    return (base or data_dir()) / "cache"


def log_dir(base: Path | None = None) -> Path:
    return (base or data_dir()) / "logs"
