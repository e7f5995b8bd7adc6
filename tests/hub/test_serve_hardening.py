"""``teller-hub serve`` off loopback: plain HTTP is refused unless a TLS terminator is said to
be in front; with ``--tls-cert/--tls-key`` it serves HTTPS. The serving process is hardened
(no core files, not dumpable, umask 077). Real hub processes on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from hub_proc import hub_cli

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc")


@contextmanager
def serving(data: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``teller-hub serve`` with ``args``; yields the process and the URL it printed."""
    data.mkdir(parents=True, exist_ok=True)
    with open(data / "hub.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "teller_app.hub", "serve", "--data", str(data), "--port", "0",
             *args], stdout=subprocess.PIPE, stderr=log, text=True,
            env={**os.environ, "TELLER_HUB_DATABASE_URL": "", "TELLER_HUB_LOG_LEVEL": "info"})
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line, (data / "hub.log").read_text()[-3000:]
        yield proc, line
    finally:
        proc.terminate()
        assert proc.wait(15) == 0


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hub.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "hub.crt", tmp / "hub.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path


def test_plain_http_off_loopback_is_refused(tmp_path: Path) -> None:
    for host in ("0.0.0.0", "::", "10.0.0.1", "hub.bank.internal"):
        r = hub_cli("serve", "--data", str(tmp_path / "hub"), "--host", host, "--port", "0",
                    env={"TELLER_HUB_DATABASE_URL": ""}, timeout=30)
        assert r.returncode == 2, (host, r.stderr)
        assert "--tls-cert" in r.stderr and "--behind-tls-proxy" in r.stderr, host
        assert not (tmp_path / "hub" / "hub.json").exists()
    key_only = hub_cli("serve", "--data", str(tmp_path / "hub"), "--tls-key", "x.pem",
                       env={"TELLER_HUB_DATABASE_URL": ""}, timeout=30)
    assert key_only.returncode == 2 and "--tls-key needs --tls-cert" in key_only.stderr
    bad = tmp_path / "not-a-cert.pem"
    bad.write_text("nothing here\n")
    unloadable = hub_cli("serve", "--data", str(tmp_path / "hub"), "--host", "0.0.0.0",
                         "--tls-cert", str(bad), env={"TELLER_HUB_DATABASE_URL": ""},
                         timeout=30)
    assert unloadable.returncode == 2 and "TLS certificate" in unloadable.stderr


def test_behind_a_tls_terminator_plain_http_is_allowed(tmp_path: Path) -> None:
    with serving(tmp_path / "hub", "--host", "0.0.0.0", "--behind-tls-proxy") as (_, url):
        assert url.startswith("http://0.0.0.0:")
        port = url.rsplit(":", 1)[1]
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200


def test_tls_and_a_hardened_process(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    with serving(tmp_path / "hub", "--host", "0.0.0.0", "--tls-cert", str(cert),
                 "--tls-key", str(key)) as (proc, url):
        assert url.startswith("https://0.0.0.0:")
        port = url.rsplit(":", 1)[1]
        trust = ssl.create_default_context(cafile=str(cert))
        r = httpx.get(f"https://127.0.0.1:{port}/healthz", verify=trust, timeout=10)
        assert r.status_code == 200
        with pytest.raises(httpx.HTTPError):  # no plain HTTP on the TLS port
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        manifest = json.loads((tmp_path / "hub" / "hub.json").read_text())
        assert manifest["base_url"] == url
        limits = Path(f"/proc/{proc.pid}/limits").read_text()
        core = next(ln for ln in limits.splitlines() if ln.startswith("Max core file size"))
        assert core.split()[4:6] == ["0", "0"], core
        status = Path(f"/proc/{proc.pid}/status").read_text()
        assert "Umask:\t0077" in status
    lines = [json.loads(ln) for ln in (tmp_path / "hub" / "hub.log").read_text().splitlines()
             if ln.startswith("{")]
    hardened = next(ln for ln in lines if ln.get("msg") == "process hardening")
    assert hardened["no_core"] and hardened["not_dumpable"] and hardened["umask"]


def test_the_hardening_holds_in_the_process() -> None:
    """What the kernel says afterwards, asked from inside (PR_GET_DUMPABLE is self-only)."""
    code = ("import ctypes, os, resource\n"
            "from teller_app.hub.hardening import harden_process\n"
            "harden_process()\n"
            "libc = ctypes.CDLL(None)\n"
            "print(libc.prctl(3, 0, 0, 0, 0), resource.getrlimit(resource.RLIMIT_CORE),"
            " os.umask(0))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout.split(None, 1)
    assert out[0] == "0"  # not dumpable
    assert out[1].strip() == f"(0, 0) {0o077}"
