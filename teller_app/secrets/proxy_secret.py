"""A profile's proxy password: split off the proxy URL and kept in the OS keyring only.

A proxy may need ``scheme://user:password@host:port``. The profiles file keeps the URL
without the password (``scheme://user@host:port``); the password lives in the keyring entry
``proxy_password`` of the profile's service (``Teller/<profile>``) and is put back into the
URL only in memory, for the transport (``Profile.transport()``).

``ProxyPasswords`` makes blocking keyring calls (each on a daemon thread, with a timeout): the
profiles store calls it from its own blocking methods, which the app runs off the UI thread."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from teller_app.platform._sensitive import register_secret
from teller_app.secrets.store import (
    KeyringUnavailable,
    _pick_backend,
    keyring_call,
    keyring_delete,
    service_for,
    usable_keyring,
)

PROXY_PASSWORD = "proxy_password"  # the keyring entry, under the profile's service


def split_proxy(url: str | None) -> tuple[str | None, str | None]:
    """``url`` without its password, and the password (percent-decoded), or None."""
    if not url:
        return url, None
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    if not at or not colon or not password:
        return url, None
    plain = unquote(password)
    register_secret(plain)
    register_secret(password)
    return urlunsplit(parts._replace(netloc=f"{user}@{host}")), plain


def join_proxy(url: str, password: str) -> str:
    """``url`` (no password in it) with ``password`` put back after its user name."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0] if at else ""
    netloc = f"{user}:{quote(password, safe='')}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def names_a_user(url: str | None) -> bool:
    """True when ``url`` has a user part (``user@``): a password for it may be in the keyring."""
    return bool(url) and "@" in urlsplit(url or "").netloc


class ProxyPasswords:
    """Proxy passwords by profile name in the OS keyring (``backend``: tests). Blocking: never
    call from the UI thread. Every failure is ``KeyringUnavailable`` (its text has no secret).
    """

    def __init__(self, backend: Any = None, timeout: float = 5.0) -> None:
        self._requested = backend
        self.timeout = timeout

    def get(self, profile_name: str) -> str | None:
        value = keyring_call(self._backend().get_password, _service(profile_name),
                             PROXY_PASSWORD, timeout=self.timeout)
        if value is not None:
            register_secret(value)
        return value if isinstance(value, str) else None

    def set(self, profile_name: str, password: str) -> None:
        register_secret(password)
        keyring_call(self._backend().set_password, _service(profile_name), PROXY_PASSWORD,
                     password, timeout=self.timeout)

    def delete(self, profile_name: str) -> None:
        keyring_call(keyring_delete, self._backend(), _service(profile_name), PROXY_PASSWORD,
                     timeout=self.timeout)

    def _backend(self) -> Any:
        if self._requested is None:
            return usable_keyring(self.timeout)
        picked, reason = _pick_backend(self._requested)  # refused ones stay refused
        if picked is None:
            raise KeyringUnavailable(reason or "no OS keyring is available")
        return picked


_service = service_for  # the profile's own keyring service (Profile.keyring_service)
