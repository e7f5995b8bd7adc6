"""Hub fixtures: every test module runs on SQLite and on a real PostgreSQL.

The PostgreSQL variant starts a throwaway cluster (Debian's package, as the ``postgres`` user
when we are root) once per session and creates a fresh database per module, migrated once with
``teller-hub migrate``. Without PostgreSQL binaries it is skipped with a reason, unless
``TELLER_REQUIRE_POSTGRES=1`` (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
from hub_proc import (
    DcmSigner,
    HubProc,
    PgCluster,
    free_port,
    hub_cli,
    hub_env,
    pg_bindir,
    start_cluster,
    start_hub,
)

from teller_app.core.embedded_sandbox import SandboxProcess


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    if pg_bindir() is None:
        reason = "PostgreSQL binaries not found (apt-get install postgresql)"
        if os.environ.get("TELLER_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"TELLER_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    cluster = start_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hub_db(request: pytest.FixtureRequest) -> str | None:
    """The module's database URL: None = the hub's SQLite default in its data dir."""
    if request.param == "sqlite":
        return None
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_database()
    r = hub_cli("migrate", env={"TELLER_HUB_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    return url


@pytest.fixture(scope="module")
def hub(hub_db: str | None, sandbox: SandboxProcess,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    proc = start_hub(tmp_path_factory.mktemp("hub"), hub_env(sandbox, hub_db))
    yield proc
    assert proc.stop() == 0, proc.log()[-2000:]


@pytest.fixture()
def blind_hub(hub_db: str | None, sandbox: SandboxProcess,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProc]:
    """A hub whose DCM does not answer (nothing listens at its address)."""
    env = {**hub_env(sandbox, hub_db),
           "TELLER_HUB_DCM_URL": f"http://127.0.0.1:{free_port()}"}
    proc = start_hub(tmp_path_factory.mktemp("blind-hub"), env)
    yield proc
    assert proc.stop() == 0, proc.log()[-2000:]


@pytest.fixture()
def http(hub: HubProc) -> Iterator[httpx.Client]:
    with hub.client() as client:
        yield client


@pytest.fixture(scope="session")
def dcm(sandbox: SandboxProcess) -> DcmSigner:
    return DcmSigner.from_sandbox(sandbox)
