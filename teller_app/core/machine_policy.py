"""The machine-wide policy IT deploys, read-only for the desk's users:

- Linux: the TOML file ``/etc/teller/policy.toml``; macOS:
  ``/Library/Application Support/Teller/policy.toml``::

      embedded_demo = false                        # no profile: "ask IT", never the sandbox
      profiles_file = "/etc/teller/profiles.json"  # offered to a user who has no profiles
      remember_sign_in = false        # no "Remember on this workstation"; tokens forgotten
      offline_hours_max = 4           # caps a profile's offline_hours (0: no offline start)
      idle_lock_minutes_max = 10      # caps the idle lock a user or profile sets
      wipe_cache_at_sign_out = true   # an explicit sign-out removes the cache and its key

- Windows: the registry key ``HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Teller`` (where Group
  Policy writes; only administrators can): ``EmbeddedDemo`` (REG_DWORD 0 or 1) and
  ``ProfilesFile`` (REG_SZ, an absolute path whose ACL IT keeps), and the REG_DWORDs
  ``RememberSignIn`` (0 or 1), ``OfflineHoursMax``, ``IdleLockMinutesMax`` and
  ``WipeCacheAtSignOut`` (0 or 1), read as the TOML keys above. No file is trusted there: any
  user may create folders under ``%ProgramData%``.

The shared-PC keys (``remember_sign_in``, ``offline_hours_max``, ``idle_lock_minutes_max``,
``wipe_cache_at_sign_out``) only ever tighten: a value of the wrong type (or out of range) is
ignored with a warning and the desk's default applies. Where several employees share ONE OS
account they share its keyring too: set ``remember_sign_in = false`` and
``wipe_cache_at_sign_out = true`` there (better: one OS account per employee).

The machine's own policy always applies when there is one. Only when there is none does
``TELLER_POLICY_FILE`` name a policy file instead (tests, a packaged test bench); the user
who set it may own that file (and what it names): it changes nothing IT decided.

On POSIX a policy file (and the profiles file it names) that someone other than root can
write — its owner, its group or others' write bit, or a directory above it — is ignored
with a warning: anyone could have written it. A trusted policy that cannot be read or parsed
turns the demo off: IT meant something by deploying it.

Read before Qt loads (``ui/start_early.py``): only ``os``/``stat`` when there is no file,
``tomllib`` when there is (``winreg`` on Windows). No Qt, no pydantic until the profiles are
read (off the UI thread).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from teller_app.secrets.profiles import Profile

POLICY_ENV = "TELLER_POLICY_FILE"
POLICY_NAME = "policy.toml"
KNOWN = frozenset({"embedded_demo", "profiles_file", "remember_sign_in", "offline_hours_max",
                   "idle_lock_minutes_max", "wipe_cache_at_sign_out"})
REGISTRY_KEY = r"SOFTWARE\Policies\Teller"  # under HKEY_LOCAL_MACHINE
REGISTRY_SOURCE = "HKEY_LOCAL_MACHINE\\" + REGISTRY_KEY
DEMO_VALUE, PROFILES_VALUE = "EmbeddedDemo", "ProfilesFile"
# the shared-PC keys: TOML key -> registry value, and whether it is a switch or a bound
SHARED_PC_KEYS: dict[str, tuple[str, type]] = {
    "remember_sign_in": ("RememberSignIn", bool),
    "offline_hours_max": ("OfflineHoursMax", int),
    "idle_lock_minutes_max": ("IdleLockMinutesMax", int),
    "wipe_cache_at_sign_out": ("WipeCacheAtSignOut", bool),
}

# A registry value by name (None: not set); OSError when the key cannot be read.
ValueReader = Callable[[str], object]


def machine_policy_file() -> Path | None:
    """The machine's own policy file on this platform (None on Windows: the registry)."""
    if sys.platform == "win32":
        return None  # the registry instead
    if sys.platform == "darwin":
        return Path("/Library/Application Support/Teller") / POLICY_NAME
    return Path("/etc/teller") / POLICY_NAME


# The machine's own policy file (None on Windows). A module attribute so that tests can
# point it at a file of theirs.
MACHINE_POLICY_FILE: Path | None = machine_policy_file()


class UntrustedFile(Exception):
    """Someone other than the trusted owners can change this file (the message says how)."""


class MachinePolicy(NamedTuple):  # a NamedTuple: read before the first paint, ~1 ms less
    """What the machine's policy says (the defaults when there is none)."""

    embedded_demo: bool = True
    profiles_file: Path | None = None  # the machine-wide profiles, for a user with none
    source: str | None = None  # the policy applied (a file, the registry key); None: none
    warnings: tuple[str, ...] = ()  # what was ignored, and why (English, for the log)
    # owners trusted besides root: the user who named the file in TELLER_POLICY_FILE
    extra_owners: frozenset[int] = frozenset()
    remember_sign_in: bool = True  # False: no "Remember"; remembered tokens are deleted
    offline_hours_max: int | None = None  # caps Profile.offline_hours (0: no offline start)
    idle_lock_minutes_max: int | None = None  # caps the idle lock (settings and profile)
    wipe_cache_at_sign_out: bool = False  # explicit sign-out removes the cache and its key

    def offline_hours(self, profile_hours: float) -> float:
        """The profile's offline window, capped by the policy."""
        cap = self.offline_hours_max
        return profile_hours if cap is None else min(profile_hours, float(cap))

    def idle_lock_minutes(self, minutes: int) -> int:
        """An idle lock a user or profile set, capped by the policy."""
        cap = self.idle_lock_minutes_max
        # 0 would read as "never lock" downstream: the tightest a cap can be is one minute
        return minutes if cap is None else min(minutes, max(1, cap))


def read_policy(registry: ValueReader | None = None) -> MachinePolicy:
    """The machine's policy (``registry`` stands in for Windows' registry: tests); never
    raises (a problem is a warning, see the module doc)."""
    if registry is None and sys.platform == "win32":
        registry = read_registry_value
    if registry is not None:
        machine = policy_from_registry(registry)
    elif MACHINE_POLICY_FILE is not None:
        machine = read_policy_file(MACHINE_POLICY_FILE)
    else:
        machine = MachinePolicy()
    override = os.environ.get(POLICY_ENV)
    if machine.source is not None or not override:
        return machine
    extra = frozenset({os.geteuid()}) if hasattr(os, "geteuid") else frozenset()
    named = read_policy_file(Path(override), extra)
    return named._replace(warnings=machine.warnings + named.warnings)


def read_registry_value(name: str) -> object:
    """``name`` under ``HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Teller`` (None: not set, or
    no key). Raises ``OSError`` when the key is there but cannot be read."""
    if sys.platform != "win32":
        return None
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, REGISTRY_KEY, 0,
                            winreg.KEY_READ | winreg.KEY_WOW64_64KEY) as key:
            return winreg.QueryValueEx(key, name)[0]
    except FileNotFoundError:
        return None


def policy_from_registry(read_value: ValueReader) -> MachinePolicy:
    """The policy IT set in the registry (``read_registry_value`` or a stand-in); none when
    neither value is set."""
    try:
        demo, named = read_value(DEMO_VALUE), read_value(PROFILES_VALUE)
        shared = {key: read_value(value) for key, (value, _kind) in SHARED_PC_KEYS.items()}
    except OSError as exc:
        return _closed(REGISTRY_SOURCE, frozenset(), f"cannot be read ({type(exc).__name__})")
    if demo is None and named is None and all(v is None for v in shared.values()):
        return MachinePolicy()
    if demo is not None and (type(demo) is not int or demo not in (0, 1)):
        return _closed(REGISTRY_SOURCE, frozenset(),
                       f"says {DEMO_VALUE} that is not a REG_DWORD 0 or 1")
    warnings: list[str] = []
    profiles: Path | None = None
    if named is not None:
        # IT keeps the file's ACL (nothing to check on Windows); a relative path would
        # depend on the desk's working folder
        if isinstance(named, str) and named.strip() and Path(named.strip()).is_absolute():
            profiles = Path(named.strip())
        else:
            warnings.append(f"machine policy {REGISTRY_SOURCE}: {PROFILES_VALUE} is not an "
                            "absolute path (REG_SZ): ignored")
    limits = _shared_pc(shared, REGISTRY_SOURCE, warnings, registry=True)
    return MachinePolicy(embedded_demo=demo != 0, profiles_file=profiles,
                         source=REGISTRY_SOURCE, warnings=tuple(warnings), **limits)


def read_policy_file(path: Path, extra: frozenset[int] = frozenset()) -> MachinePolicy:
    """The policy in the TOML file ``path``, trusted when only root (or ``extra``) can
    change it; none when there is no such file."""
    try:
        text = read_trusted(path, extra)
    except FileNotFoundError:
        return MachinePolicy(extra_owners=extra)
    except UntrustedFile as exc:
        return MachinePolicy(extra_owners=extra, warnings=(
            f"machine policy {path} ignored: {exc}",))
    except (OSError, UnicodeDecodeError) as exc:
        return _closed(str(path), extra, f"cannot be read ({type(exc).__name__})")
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return _closed(str(path), extra, f"is not valid TOML ({exc})")
    return _settings(path, extra, data)


def _closed(source: str, extra: frozenset[int], why: str) -> MachinePolicy:
    return MachinePolicy(embedded_demo=False, source=source, extra_owners=extra, warnings=(
        f"machine policy {source} {why}: the embedded demo is turned off",))


def _settings(path: Path, extra: frozenset[int], data: dict[str, Any]) -> MachinePolicy:
    warnings: list[str] = []
    demo = data.get("embedded_demo", True)
    if not isinstance(demo, bool):
        return _closed(str(path), extra, "says embedded_demo that is not true or false")
    unknown = sorted(set(data) - KNOWN)
    if unknown:
        warnings.append(f"machine policy {path}: unknown settings ignored: "
                        + ", ".join(unknown))
    profiles: Path | None = None
    named = data.get("profiles_file")
    if named is not None:
        if not isinstance(named, str) or not named.strip():
            warnings.append(f"machine policy {path}: profiles_file is not a path: ignored")
        else:
            profiles = path.parent / named.strip()  # an absolute path stays as it is
            try:
                check_trusted(profiles, extra)
            except UntrustedFile as exc:
                warnings.append(f"machine profiles file {profiles} ignored: {exc}")
                profiles = None
            except OSError:
                pass  # absent for now: read (and reported) when a user has no profiles
    limits = _shared_pc({key: data.get(key) for key in SHARED_PC_KEYS}, str(path), warnings,
                        registry=False)
    return MachinePolicy(embedded_demo=demo, profiles_file=profiles, source=str(path),
                         warnings=tuple(warnings), extra_owners=extra, **limits)


def _shared_pc(values: dict[str, object], source: str, warnings: list[str], *,
               registry: bool) -> dict[str, Any]:
    """The shared-PC keys that are set and well typed (TOML: true/false, an integer >= 0;
    registry: a REG_DWORD, 0 or 1 for a switch); any other value is ignored with a warning
    (the default applies)."""
    limits: dict[str, Any] = {}
    for key, (value_name, kind) in SHARED_PC_KEYS.items():
        value = values.get(key)
        if value is None:
            continue
        name = value_name if registry else key
        if registry and (type(value) is not int or value < 0
                         or (kind is bool and value not in (0, 1))):
            what = "0 or 1" if kind is bool else "a number"
            warnings.append(f"machine policy {source}: {name} is not a REG_DWORD {what}: "
                            "ignored")
        elif not registry and kind is bool and not isinstance(value, bool):
            warnings.append(f"machine policy {source}: {name} is not true or false: ignored")
        elif not registry and kind is int and (type(value) is not int or value < 0):
            warnings.append(f"machine policy {source}: {name} is not a whole number >= 0: "
                            "ignored")
        else:
            assert isinstance(value, int)  # bool is an int too
            limits[key] = bool(value) if kind is bool else int(value)
    return limits


def read_trusted(path: Path, extra_owners: frozenset[int] = frozenset()) -> str:
    """The text of ``path`` after checking that only root (or ``extra_owners``) can change
    it: the open file itself (no swap between the check and the read) and every directory
    above it. Raises ``UntrustedFile``, ``OSError``, ``UnicodeDecodeError``."""
    with open(path, "rb") as fh:
        if os.name == "posix":
            _check_owner(os.fstat(fh.fileno()), path, extra_owners, directory=False)
            _check_parents(Path(os.path.realpath(path)).parent, extra_owners)
        return fh.read(1 << 20).decode("utf-8")


def check_trusted(path: Path, extra_owners: frozenset[int] = frozenset()) -> None:
    """``read_trusted``'s check without the read. Raises ``UntrustedFile``, ``OSError``."""
    if os.name == "posix":
        real = Path(os.path.realpath(path))
        _check_owner(os.stat(real), real, extra_owners, directory=False)
        _check_parents(real.parent, extra_owners)


def _check_parents(directory: Path, extra_owners: frozenset[int]) -> None:
    for parent in (directory, *directory.parents):
        _check_owner(os.stat(parent), parent, extra_owners, directory=True)


def _check_owner(info: os.stat_result, path: Path, extra_owners: frozenset[int], *,
                 directory: bool) -> None:
    if info.st_uid != 0 and info.st_uid not in extra_owners:
        raise UntrustedFile(f"{path} is owned by uid {info.st_uid}, not root")
    writable = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    # a sticky directory (/tmp) lets nobody replace a file they do not own
    if writable and not (directory and info.st_mode & stat.S_ISVTX):
        mode = stat.S_IMODE(info.st_mode)
        raise UntrustedFile(f"{path} can be written by its group or others (mode {mode:o})")


class MachineProfiles(NamedTuple):
    profiles: list[Profile]  # in sign-in order (the file's last_profile first)
    warning: str | None = None  # why none are offered, when the file is there but not usable


def read_machine_profiles(policy: MachinePolicy) -> MachineProfiles:
    """The profiles of the policy's ``profiles_file`` (blocking: off the UI thread). Never
    written (the desk's user cannot), never raises."""
    path = policy.profiles_file
    if path is None:
        return MachineProfiles([])
    import json

    from pydantic import ValidationError

    from teller_app.secrets.profiles import Profile

    try:
        data = json.loads(read_trusted(path, policy.extra_owners))
        items = data["profiles"] if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ValueError("no profiles list")
        profiles = [Profile.model_validate(item) for item in items]
    except FileNotFoundError:
        return MachineProfiles([], f"machine profiles file {path} does not exist")
    except UntrustedFile as exc:
        return MachineProfiles([], f"machine profiles file {path} ignored: {exc}")
    except (OSError, ValueError, KeyError, TypeError, ValidationError) as exc:
        why = type(exc).__name__ if isinstance(exc, OSError) else str(exc).splitlines()[0]
        return MachineProfiles([], f"machine profiles file {path} is not usable: {why}")
    last = data.get("last_profile")
    profiles.sort(key=lambda p: p.name != last)
    return MachineProfiles([p for p in profiles if not p.is_sandbox])
