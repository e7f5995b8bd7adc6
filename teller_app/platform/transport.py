"""Transport security: which URLs may be used, the proxy, the CA bundle and the SPKI pin.

* ``https://`` for every host except loopback literals (127.0.0.0/8, ::1), checked before a
  client is even built, so a mistyped ``http://bank.example`` never sends a byte.
* The environment is never trusted (``HTTP_PROXY``, ``SSL_CERT_FILE``, ``.netrc``...): a proxy
  is an explicit profile setting.
* Optional CA bundle (a PEM file) instead of the public roots.
* Optional SPKI pins: base64 (or hex) SHA-256 of the server certificate's
  SubjectPublicKeyInfo, checked right after the TLS handshake and before any HTTP byte (the
  password, a token) is written to the connection.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import ipaddress
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import PlatformError


class TransportSecurityError(PlatformError):
    """The connection is not safe to use. ``reason``: "https_required", "bad_url",
    "pin_mismatch", "untrusted_certificate", "bad_setting". Never retried."""


@dataclass(frozen=True)
class TransportSettings:
    """Per-profile transport options (all optional)."""

    proxy: str | None = None
    ca_bundle: str | None = None  # path to a PEM file with the CA certificate(s) to trust
    spki_pins: tuple[str, ...] = field(default_factory=tuple)  # base64/hex SHA-256 of SPKI


def is_loopback_host(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, what: str = "platform") -> None:
    """Raise ``TransportSecurityError`` unless ``url`` is https, or http to a loopback IP."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise TransportSecurityError(
            f"the {what} address must be an https:// URL", reason="bad_url"
        )
    if parts.scheme == "http" and not is_loopback_host(host):
        raise TransportSecurityError(
            f"https is required for the {what} address {host}: plain http:// is allowed only "
            "for loopback addresses (127.0.0.0/8, ::1)",
            reason="https_required",
        )


def check_proxy(proxy: str) -> None:
    parts = urlsplit(proxy.strip())
    if parts.scheme not in ("http", "https", "socks5", "socks5h") or not parts.hostname:
        raise TransportSecurityError(
            "the proxy must be a URL like http://proxy.bank.local:3128", reason="bad_setting"
        )


def parse_pin(pin: str) -> bytes:
    """32-byte digest from ``"sha256//BASE64"`` (curl's form), ``"sha256/BASE64"``, ``BASE64``
    or 64 hex digits. A base64 digest may itself start with "/", so each reading is tried."""
    text = pin.strip()
    candidates = [text]
    for prefix in ("sha256//", "sha256/"):
        if text.lower().startswith(prefix):
            candidates.insert(0, text[len(prefix):])
    raw: bytes | None = None
    for candidate in candidates:
        raw = _digest(candidate)
        if raw is not None:
            break
    if raw is None or len(raw) != 32:
        raise TransportSecurityError(
            "an SPKI pin must be the SHA-256 of the key, in base64 or hex", reason="bad_setting"
        )
    return raw


def spki_sha256(cert_der: bytes) -> bytes:
    """SHA-256 of the SubjectPublicKeyInfo of a DER certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    cert = x509.load_der_x509_certificate(cert_der)
    spki = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).digest()


def spki_pin_of(cert_der: bytes) -> str:
    """The pin text (base64) for a DER certificate, as a profile stores it."""
    return base64.b64encode(spki_sha256(cert_der)).decode("ascii")


class PinMismatch(ssl.SSLError):
    """The server's key is not one of the pinned keys (raised inside the handshake)."""


class _PinnedSSLObject(ssl.SSLObject):
    _teller_pins: frozenset[bytes] = frozenset()

    def do_handshake(self) -> None:
        super().do_handshake()  # raises SSLWantRead/Write until the handshake is complete
        der = self.getpeercert(binary_form=True)
        if not der or spki_sha256(der) not in self._teller_pins:
            raise PinMismatch("the server's public key does not match the pinned key")


@functools.cache
def public_roots() -> ssl.SSLContext:
    """What httpx builds for ``verify=True`` (certifi's roots), once per process: loading the
    roots costs ~20-30 ms of CPU per client, and the app, hub and sandbox each make several.
    A context is safe to share between clients and threads."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def ssl_context(settings: TransportSettings) -> ssl.SSLContext:
    """The context httpx should use (no CA bundle and no pin: the public roots)."""
    if not settings.ca_bundle and not settings.spki_pins:
        return public_roots()
    if settings.ca_bundle:
        try:
            ctx = ssl.create_default_context(cafile=settings.ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise TransportSecurityError(
                f"the CA bundle cannot be read ({type(exc).__name__})", reason="bad_setting"
            ) from None
    else:
        import certifi

        ctx = ssl.create_default_context(cafile=certifi.where())
    if settings.spki_pins:
        pins = frozenset(parse_pin(p) for p in settings.spki_pins)
        # A subclass per context: wrap_bio() builds ``sslobject_class`` for every connection.
        ctx.sslobject_class = type("PinnedSSLObject", (_PinnedSSLObject,), {"_teller_pins": pins})
    return ctx


def client_options(base_url: str, settings: TransportSettings | None) -> dict[str, Any]:
    """``httpx.AsyncClient`` keyword arguments; raises before any traffic on a bad setting."""
    settings = settings or TransportSettings()
    check_url(base_url)
    options: dict[str, Any] = {
        "trust_env": False,  # never HTTP(S)_PROXY / SSL_CERT_FILE / .netrc from the environment
        "follow_redirects": False,  # a redirect must never carry credentials elsewhere
        "verify": ssl_context(settings),
    }
    if settings.proxy:
        check_proxy(settings.proxy)
        options["proxy"] = settings.proxy
    return options


def security_error(exc: BaseException) -> TransportSecurityError | None:
    """The security failure behind an httpx connect error, if that is what it was."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, PinMismatch):
            return TransportSecurityError(
                "the server's public key does not match the pinned key (SPKI pin)",
                reason="pin_mismatch",
            )
        if isinstance(cur, ssl.SSLCertVerificationError):
            return TransportSecurityError(
                f"the server's certificate is not trusted ({cur.verify_message or 'invalid'})",
                reason="untrusted_certificate",
            )
        cur = cur.__cause__ or cur.__context__
    return None


def _digest(text: str) -> bytes | None:
    """The 32-byte SHA-256 ``text`` spells in hex or base64, else None."""
    if len(text) == 64:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None
