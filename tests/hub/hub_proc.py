"""Test helpers for the hub: a throwaway PostgreSQL cluster, hub child processes, DCM tokens.

Everything here runs real processes on 127.0.0.1; nothing is mocked.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization

PG_ROOT = Path("/usr/lib/postgresql")


# --- PostgreSQL --------------------------------------------------------------------------------
def pg_bindir() -> Path | None:
    """Newest installed PostgreSQL's bin dir (Debian layout), or one on PATH."""
    if PG_ROOT.is_dir():
        versions = sorted((p for p in PG_ROOT.iterdir() if (p / "bin" / "initdb").exists()),
                          key=lambda p: int(p.name) if p.name.isdigit() else 0)
        if versions:
            return versions[-1] / "bin"
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgCluster:
    bindir: Path
    root: Path
    port: int
    _n: int = 0

    def _run(self, *cmd: str) -> subprocess.CompletedProcess[str]:
        full = [str(self.bindir / cmd[0]), *cmd[1:]]
        if os.geteuid() == 0:  # postgres refuses to run as root: use the package's user
            full = ["runuser", "-u", "postgres", "--", *full]
        return subprocess.run(full, capture_output=True, text=True, check=False, timeout=60,
                              cwd=self.root)  # the postgres user may not enter our cwd

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        r = self._run("initdb", "-D", str(self.root / "db"), "-A", "trust", "-U", "postgres",
                      "-E", "UTF8", "--no-sync")
        if r.returncode:
            raise RuntimeError(f"initdb failed: {r.stderr[-2000:]}")
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c max_connections=200")
        r = self._run("pg_ctl", "-D", str(self.root / "db"), "-l", str(self.root / "log"),
                      "-w", "-o", opts, "start")
        if r.returncode:
            log = (self.root / "log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {r.stderr[-1000:]} {log}")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.root / "db"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "hub") -> str:
        self._n += 1
        name = f"{prefix}_{os.getpid()}_{self._n}_{uuid.uuid4().hex[:6]}"
        r = self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                      "-v", "ON_ERROR_STOP=1", "-c", f'CREATE DATABASE "{name}"')
        if r.returncode:
            raise RuntimeError(f"CREATE DATABASE failed: {r.stderr}")
        return self.url(name)


def start_cluster() -> PgCluster:
    bindir = pg_bindir()
    assert bindir is not None
    root = Path(tempfile.mkdtemp(prefix="teller-pg-"))
    cluster = PgCluster(bindir, root, free_port())
    try:
        cluster.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return cluster


# --- hub processes -------------------------------------------------------------------------------
def hub_cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teller_app.hub", *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, **(env or {})})


@dataclass
class HubProc:
    data_dir: Path
    process: subprocess.Popen[str]
    manifest: dict[str, Any]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return str(self.manifest["base_url"])

    @property
    def admin_token(self) -> str:
        """The token it was given (never written into its manifest), else the one it made."""
        return self.env.get("TELLER_HUB_ADMIN_TOKEN") or str(self.manifest["admin_token"])

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=10)

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """``teller-hub <args> --data DIR`` against this hub's database and settings."""
        return hub_cli(*args, "--data", str(self.data_dir), env=self.env, stdin=stdin)

    def log(self) -> str:
        return (self.data_dir / "hub.log").read_text(errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return int(self.process.returncode)


def start_hub(data_dir: Path, env: dict[str, str]) -> HubProc:
    data_dir.mkdir(parents=True, exist_ok=True)
    log = open(data_dir / "hub.log", "w")  # noqa: SIM115 (the child owns it)
    proc = subprocess.Popen(
        [sys.executable, "-m", "teller_app.hub", "serve", "--data", str(data_dir),
         "--port", "0"],
        stdout=subprocess.PIPE, stderr=log, text=True, env={**os.environ, **env})
    log.close()
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()  # the base URL, once serving (or EOF if it died)
    if not line.startswith("http://"):
        proc.kill()
        proc.wait(10)
        raise RuntimeError(f"hub did not start: {line!r}\n"
                           f"{(data_dir / 'hub.log').read_text(errors='replace')[-3000:]}")
    manifest = json.loads((data_dir / "hub.json").read_text())
    assert manifest["base_url"] == line
    return HubProc(data_dir, proc, manifest, env)


def database_master_key(database_url: str) -> bytes:
    """The master key of every test hub on ``database_url`` unless a test gives its own: a
    hub on a server database never makes one, and refuses one that opens none of its rows."""
    return hashlib.sha256(b"teller-tests/master-key/" + database_url.encode()).digest()


def database_admin_token(database_url: str) -> str:
    """The admin token of every test hub on ``database_url`` unless a test gives its own."""
    return "tests-admin-" + hashlib.sha256(database_url.encode()).hexdigest()[:24]


def hub_env(sandbox: Any, database_url: str | None, master_key: bytes | None = None
            ) -> dict[str, str]:
    admin = next(e for e in sandbox.manifest["employees"] if e["email"] == "admin@demo.bank")
    env = {
        "TELLER_HUB_DCM_URL": sandbox.base_url,
        "TELLER_HUB_DCM_COUNTERPARTY": sandbox.counterparty_guid,
        "TELLER_HUB_DCM_TECH_LOGIN": admin["email"],
        "TELLER_HUB_DCM_TECH_PASSWORD": admin["password"],
        "TELLER_HUB_LOG_LEVEL": "info",
    }
    if database_url:
        env["TELLER_HUB_DATABASE_URL"] = database_url
        # processes sharing a database share the admin token (serve refuses to make its own)
        env["TELLER_HUB_ADMIN_TOKEN"] = database_admin_token(database_url)
        master_key = master_key or database_master_key(database_url)
    if master_key is not None:
        env["TELLER_HUB_MASTER_KEY"] = base64.b64encode(master_key).decode()
    return env


# --- DCM tokens (signed with the sandbox's real DCM key) ----------------------------------------
@dataclass
class DcmSigner:
    private_pem: str
    kid: str
    _key: Any = None

    def __post_init__(self) -> None:
        # Parsed once: loading (and validating) an RSA PEM costs ~60 ms, signing ~2 ms.
        self._key = serialization.load_pem_private_key(self.private_pem.encode(), None)

    @classmethod
    def from_sandbox(cls, sandbox: Any) -> DcmSigner:
        conn = sqlite3.connect(f"file:{sandbox.data_dir / 'sandbox.db'}?mode=ro", uri=True)
        with contextlib.closing(conn):
            meta = dict(conn.execute(
                "SELECT key, value FROM meta WHERE key IN ('dcm_private_pem', 'dcm_kid')"))
        return cls(meta["dcm_private_pem"], meta["dcm_kid"])

    def raw(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def token(self, sub: str, obj: str, flow: str = "sign-in", *, ttl: int = 60,
              kid: str | None = None, key: str | None = None, iat: int | None = None) -> str:
        t = int(time.time()) if iat is None else iat
        return jwt.encode({"sub": sub, "obj": obj, "flow": flow, "iat": t, "exp": t + ttl},
                          key or self._key, algorithm="RS256",
                          headers={"kid": kid or self.kid})


# --- small API helpers ---------------------------------------------------------------------------
PASSWORD = "correct horse battery"


def unique_email(tag: str = "emp") -> str:
    return f"{tag}.{uuid.uuid4().hex[:8]}@hub.test"


def add_employee(http: httpx.Client, hub: HubProc, *, roles: list[str] | None = None,
                 branch_guid: str | None = None, head_office: bool = False,
                 email: str | None = None, password: str = PASSWORD) -> str:
    email = email or unique_email()
    r = http.post("/api/v1/admin/employees", headers={"Authorization": f"Bearer {hub.admin_token}"},
                  json={"email": email, "name": "Test Employee", "password": password,
                        "roles": roles or ["Teller"], "branch_guid": branch_guid,
                        "head_office": head_office})
    assert r.status_code == 200 and r.json()["created"] is True, r.text
    return email


def sign_in(http: httpx.Client, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Authorization headers of a fresh hub session (password mode)."""
    r = http.post("/api/v1/sessions", json={"mode": "password", "email": email,
                                            "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def branches(sandbox: Any) -> list[str]:
    return [b["guid"] for b in sandbox.manifest["branches"]]
