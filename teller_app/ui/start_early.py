"""What the app does before Qt loads (``ui/app.py``): its data and config dirs are chosen, the
machine's policy is read (``core/machine_policy.py``: a stat when there is none) and, when the
embedded sandbox + hub will be needed (no ``--profile``, no saved profiles, none offered by
the machine, and the policy allows the demo), they start at once on a thread
(``core.embedded_start.EarlyStart``). Their start (a second or more, mostly their own
imports) then overlaps the app's imports and first paint instead of following them. No Qt
here."""

from __future__ import annotations

import argparse
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from teller_app.core import app_paths
from teller_app.core.machine_policy import MachinePolicy, read_policy

if TYPE_CHECKING:
    from teller_app.core.embedded_start import EarlyStart


@dataclass(frozen=True)
class StartDirs:
    data: Path
    temp_dir: Path | None  # the smoke test's throw-away dir, removed at exit
    # the machine's policy (choose_dirs reads it; made by hand, as in tests: none)
    policy: MachinePolicy = field(default_factory=MachinePolicy)


def choose_dirs(args: argparse.Namespace) -> StartDirs:
    """``--data-dir``, or the smoke test's temporary dirs (it never reads or writes the real
    profiles or data), else the per-user data dir; exported as ``TELLER_DATA_DIR`` /
    ``TELLER_CONFIG_DIR`` for everything the app starts."""
    temp_dir: Path | None = None
    if args.data_dir:
        os.environ["TELLER_DATA_DIR"] = str(Path(args.data_dir).resolve())
    elif args.smoke_test:
        temp_dir = Path(tempfile.mkdtemp(prefix="teller-smoke-"))
        os.environ["TELLER_DATA_DIR"] = str(temp_dir / "data")
    if args.smoke_test and not os.environ.get("TELLER_CONFIG_DIR"):
        temp_dir = temp_dir or Path(tempfile.mkdtemp(prefix="teller-smoke-"))
        os.environ["TELLER_CONFIG_DIR"] = str(temp_dir / "config")
    return StartDirs(app_paths.data_dir(), temp_dir, read_policy())


def start_embedded_early(args: argparse.Namespace, dirs: StartDirs) -> EarlyStart | None:
    """The embedded stack, started now when the sign-in will offer it: no ``--profile``, no
    saved profiles and none in the machine's profiles file (the plain read; when the
    validated read later finds profiles after all, the controller discards the stack), and
    the machine's policy allows the demo."""
    if args.profile or not dirs.policy.embedded_demo:
        return None
    from teller_app.secrets.profiles_raw import read_preview

    if read_preview(None) is not None:
        return None
    machine = dirs.policy.profiles_file
    if machine is not None and read_preview(None, machine) is not None:
        return None
    from teller_app.core.embedded_start import EarlyStart

    return EarlyStart(dirs.data)
