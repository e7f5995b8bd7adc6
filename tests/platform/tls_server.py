"""A real HTTPS server on 127.0.0.1 with a self-signed certificate (made with ``cryptography``)
and a raw TCP listener that records whatever reaches it (a fake proxy, which also reads the
proxy credentials it was sent): for the transport-security tests."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import re
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Cert:
    cert_pem: Path
    key_pem: Path
    der: bytes


def make_cert(directory: Path, name: str = "server") -> Cert:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "teller test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / f"{name}.crt"
    key_path = directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return Cert(cert_path, key_path, cert.public_bytes(serialization.Encoding.DER))


@dataclass
class Recorded:
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)  # method, path, body
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.server.recorded.lock:
            self.server.recorded.requests.append((self.command, self.path, body))
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", self.server.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = json.dumps({"ok": True, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    recorded: Recorded
    redirect_to: str = ""

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that drops the handshake (pin mismatch) is expected


@dataclass
class HttpsServer:
    url: str
    recorded: Recorded
    cert: Cert
    server: _Server


@contextmanager
def https_server(cert: Cert, *, tls: bool = True, redirect_to: str = "") -> Iterator[HttpsServer]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.recorded = Recorded()
    server.redirect_to = redirect_to
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(cert.cert_pem), str(cert.key_pem))
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if tls else "http"
    try:
        yield HttpsServer(f"{scheme}://127.0.0.1:{server.server_address[1]}", server.recorded,
                          cert, server)
    finally:
        server.shutdown()
        server.server_close()


class Listener:
    """A TCP listener that accepts, records every byte received and closes: a fake proxy."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.connections = 0
        self.received = b""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.settimeout(1.0)
            try:
                data = conn.recv(65536)
                self.received += data
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                pass
            finally:
                conn.close()

    def proxy_credentials(self) -> list[tuple[str, str]]:
        """(user, password) of every ``Proxy-Authorization: Basic`` header received."""
        found = re.findall(rb"(?im)^proxy-authorization:[ \t]*basic[ \t]+([A-Za-z0-9+/=]+)",
                           self.received)
        pairs = (base64.b64decode(value).decode("utf-8").partition(":") for value in found)
        return [(user, password) for user, _colon, password in pairs]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()
