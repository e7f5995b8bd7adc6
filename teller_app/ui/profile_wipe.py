"""What deleting a profile removes from this computer (no widgets; every call blocking or
async, never on the UI thread): every OS keyring entry of the profile, its branch caches and
its audit outbox.

Keyring entries: the store's index lists every name written since it was kept; names written
before it are derived here — a cache key from each cache file present (``<scope>.<employee>
.db`` is keyed ``cache_key:<employee>:<scope>``), a remembered sign-in from the profile's
e-mail and from the offline verifier's. Files are overwritten before they are unlinked
(``private_files.remove_overwritten``), so a customer's data does not stay in freed blocks.

The profile's instance lock is taken first: a Teller using the profile in another process
(its cache open) refuses the delete (``AnotherInstanceRunning``) before anything is removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable
from pathlib import Path

from teller_app.cache.paths import profile_dir, wipe_profile
from teller_app.core import app_paths, instance_lock
from teller_app.core.audit import OUTBOX_KEY, AuditOutbox, outbox_path
from teller_app.core.private_files import remove_overwritten, sweep_removing
from teller_app.secrets.store import SecretStore

CACHE_KEY_PREFIX = "cache_key"  # core/cache_open.KEY_PREFIX (tests check they agree)
VERIFIER = "offline_verifier"  # ui/offline_start.VERIFIER


async def audit_waiting(profile_name: str, data: Path | None = None) -> int:
    """How many audit entries of the profile have not reached the hub (deleting the outbox
    would lose them); lines the stored key cannot read count too."""
    path = outbox_path(profile_name, data)
    if not await asyncio.to_thread(_has_lines, path):
        return 0
    key = _key_of(await (await SecretStore.open(profile_name)).get(OUTBOX_KEY))
    if key is None:  # no key to read them with: every line not counted as sent waits
        return await asyncio.to_thread(_lines_not_sent, path)
    return await asyncio.to_thread(AuditOutbox(path, key).waiting)


async def wipe_profile_data(profile_name: str, emails: Iterable[str] = (),
                            data: Path | None = None) -> None:
    """Remove the profile's keyring entries, caches and audit outbox. ``emails``: employees
    known to have signed in on it (the profile's), for tokens remembered before the index.
    Keys go first: files left by a failure later are ciphertext nobody can open."""
    base = data or app_paths.data_dir()
    await asyncio.to_thread(instance_lock.acquire, profile_name, None)
    store = await SecretStore.open(profile_name)
    known = {e.strip().lower() for e in emails if e and e.strip()}
    verifier = await store.get(VERIFIER)
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        known.add(str(json.loads(verifier or "{}").get("email") or "").strip().lower())
    names = {f"session_token:{email}" for email in known if email}
    names |= await asyncio.to_thread(_cache_key_names, profile_dir(base, profile_name))
    await store.delete_all(names)
    await asyncio.to_thread(_remove_files, profile_name, base)


def _cache_key_names(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    names = set()
    for db in folder.glob("*.db"):
        scope, dot, employee = db.name[:-len(".db")].partition(".")
        if dot and scope and employee:
            names.add(f"{CACHE_KEY_PREFIX}:{employee}:{scope}")
    return names


def _remove_files(profile_name: str, base: Path) -> None:
    """Every cache file of the profile and its outbox (with its sent mark and any temporary
    copy of that), each overwritten then unlinked; then the cache folder itself."""
    folder = profile_dir(base, profile_name)
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                _remove(path)
        for sub in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
            sweep_removing(sub)
        wipe_profile(base, profile_name)  # the folders (and anything that was not a file)
    outbox = outbox_path(profile_name, base)
    sent = outbox.with_suffix(".sent")
    for path in (outbox, sent, *outbox.parent.glob(f".{outbox.name}.*.tmp"),
                 *outbox.parent.glob(f".{sent.name}.*.tmp")):
        _remove(path)
    if outbox.parent.is_dir():
        sweep_removing(outbox.parent)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        remove_overwritten(path)


def _has_lines(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _lines_not_sent(path: Path) -> int:
    lines = [raw for raw in path.read_bytes().split(b"\n") if raw.strip()]
    try:
        done = int((path.with_suffix(".sent").read_text().split() or ["0"])[0])
    except (OSError, ValueError):
        done = 0
    return max(0, len(lines) - done)


def _key_of(stored: str | None) -> bytes | None:
    try:
        key = bytes.fromhex(stored or "")
    except ValueError:
        return None
    return key if len(key) == 32 else None
