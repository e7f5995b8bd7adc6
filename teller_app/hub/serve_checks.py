"""What ``teller-hub serve`` checks before it binds or writes anything: TLS off loopback (the
hub's own, or a TLS terminator said to be in front), the bank key file's mode, an admin
token given wherever processes may share the database, and the cash day's time zone; and the
embedded database's files are made private again (``private_database_files``)."""

from __future__ import annotations

import ipaddress
import logging
import os
import ssl
import stat
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .settings import HubSettings, SettingsError, require_private

log = logging.getLogger("teller_hub")


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: not known to stay on this machine
        return False


def tls_options(settings: HubSettings) -> dict[str, str | None]:
    """uvicorn's ssl options (empty: plain HTTP), the files loaded once here so a bad one is
    reported now, the private key's file refused when others may read it; plain HTTP off
    loopback is refused unless ``behind_tls_proxy``."""
    cert, key = settings.tls_cert_file, settings.tls_key_file
    if key is not None and cert is None:
        raise SettingsError("--tls-key needs --tls-cert")
    if cert is None:
        if not is_loopback(settings.host) and not settings.behind_tls_proxy:
            raise SettingsError(
                f"refusing plain HTTP on {settings.host}, which is not a loopback address: "
                "give --tls-cert/--tls-key, or --behind-tls-proxy when a TLS terminator is "
                "in front of the hub (behind_tls_proxy = true)")
        return {}
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        why = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or ""
        raise SettingsError(f"cannot load the TLS certificate/key ({type(exc).__name__}"
                            f"{': ' + str(why) if why else ''})") from None
    # the private key (in --tls-cert when no --tls-key): nobody but its owner and group may
    # read it (0640: Debian's root:ssl-cert layout, which a hub served with before)
    require_private(key if key is not None else cert,
                    "TLS key file" if key is not None else "TLS certificate file (it holds "
                    "the private key)", group_reads=True)
    return {"ssl_certfile": str(cert), "ssl_keyfile": str(key) if key is not None else None}


def check_bank_key(settings: HubSettings) -> None:
    """A bank key file readable by others is refused at start, not at the first Mode-B call
    (only its mode: parsing an RSA key costs ~60 ms of the start); a missing one is left to
    that call, as before."""
    if settings.bank_key_file is not None and settings.bank_key_file.exists():
        require_private(settings.bank_key_file, "bank key file")


def check_admin_token(settings: HubSettings) -> None:
    """Hubs sharing a database (anything but the embedded default, an SQLite file in the data
    dir) must share the admin token: one each process made for itself (``DIR/admin.token``)
    would work on that process only, so admin calls through a balancer would fail by turns."""
    if settings.admin_token is None and not settings.database_in_data_dir:
        raise SettingsError(
            "admin_token is not set: every hub process of a shared database needs the same "
            "one (admin_token, or TELLER_HUB_ADMIN_TOKEN); only the embedded default "
            "(hub.db in the data dir) makes its own")


def check_cash_zone(settings: HubSettings) -> ZoneInfo:
    """The cash day's zone (``cash_tz``), loaded now: a misspelt name or a host without zone
    data is exit 2 at start, where it used to become UTC silently (daily limits reset at
    02:00 Kyiv, each authorization filed under the wrong day) or, with no zone data at all,
    fail every cash authorization."""
    name = settings.cash_tz
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # unknown, malformed, a directory
        shown = name if len(name) <= 64 else name[:64] + "…"
        raise SettingsError(
            f"cash_tz: cannot load the time zone {shown!r}: give an IANA name such as "
            "Europe/Kyiv (if that one fails too, this host has no time zone data: install "
            "the tzdata package)") from None


def private_database_files(settings: HubSettings) -> list[str]:
    """The embedded database (``hub.db`` in the data dir, and its ``-wal``/``-shm``) made
    0600 when group or others may read it: a backup put back in its place (Restore, in
    docs/OPERATIONS.md) keeps the copy's mode, often 0644, and SQLite gives the ``-wal`` the
    database file's mode. It holds password hashes and sealed secrets. Returns the names
    tightened (each logged)."""
    if not settings.database_in_data_dir or os.name != "posix":
        return []
    assert settings.data_dir is not None
    tightened = []
    for name in ("hub.db", "hub.db-wal", "hub.db-shm"):
        path = Path(settings.data_dir) / name
        try:
            st = path.lstat()
            mode = stat.S_IMODE(st.st_mode)
            if not stat.S_ISREG(st.st_mode) or not mode & 0o077:
                continue
            os.chmod(path, 0o600)
        except FileNotFoundError:  # a first start
            continue
        except OSError as exc:  # not ours to change (restored as root): said, SQLite decides
            log.warning("database file readable by others could not be made 0600",
                        extra={"file": name, "error": exc.strerror})
            continue
        log.warning("database file was readable by others: made 0600",
                    extra={"file": name, "was": oct(mode)})
        tightened.append(name)
    return tightened
