"""One master key per database: a hub on PostgreSQL never makes its own key, a key that opens
none of the database's sealed rows is refused by ``serve`` and ``secrets import`` before
anything is bound or written (a rotation's retired key counts), and the sign-in throttle's
shared key is refused, never replaced, by a process that cannot open it. The embedded
default (SQLite in the data dir) still makes its key file. Real CLI processes, SQLite and
PostgreSQL."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from hub_proc import hub_cli
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub.crypto import MasterKey
from teller_app.hub.errors import HubError
from teller_app.hub.signin_throttle import SignInThrottle, hub_keys

K1, K2 = os.urandom(32), os.urandom(32)


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _run(*args: str, env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """A command that must end by itself: a ``serve`` that starts instead of refusing fails
    the test (timeout) rather than hanging it."""
    try:
        return hub_cli(*args, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"teller-hub {args[0]} ran instead of refusing")


def _import_secret(data: Path, env: dict[str, str], external_id: str
                   ) -> subprocess.CompletedProcess[str]:
    items = data.parent / f"{external_id}.jsonl"
    items.write_text(json.dumps({"external_id": f"keykeeper:{external_id}"}) + "\n")
    return hub_cli("secrets", "import", "--data", str(data), "--file", str(items), env=env)


def _sealed(db_url: str) -> list[tuple[str, str]]:
    async def body(engine: AsyncEngine) -> None:
        async with engine.connect() as conn:
            rows.extend((await conn.execute(sa.text(
                "SELECT external_id, key_id FROM customer_secrets ORDER BY external_id"))).all())
    rows: list[tuple[str, str]] = []
    run_on_engine(db_url, body)
    return [(str(a), str(b)) for a, b in rows]


def test_postgresql_needs_a_given_master_key(pg_cluster: object, tmp_path: Path) -> None:
    """No process on a shared database makes a key of its own: serve and secrets import
    refuse (exit 2) without master_key/master_key_file, and make no key file."""
    url = pg_cluster.create_database("nokey")  # type: ignore[attr-defined]
    env = {"TELLER_HUB_DATABASE_URL": url, "TELLER_HUB_MASTER_KEY": ""}
    assert hub_cli("migrate", env=env).returncode == 0  # migrating needs no key
    data = tmp_path / "hub"
    served = _run("serve", "--data", str(data), "--port", "0", env=env)
    assert served.returncode == 2, served.stderr
    assert "no master key for a PostgreSQL database" in served.stderr
    assert "Traceback" not in served.stderr
    imported = _import_secret(data, env, "nokey")
    assert imported.returncode == 2 and "no master key" in imported.stderr, imported.stderr
    assert not (data / "master.key").exists() and not (data / "hub.json").exists()
    assert _sealed(url) == []
    # a key file is read when it is named, never made on the way
    named = {**env, "TELLER_HUB_MASTER_KEY_FILE": str(tmp_path / "mounted.key")}
    missing = _import_secret(data, named, "named")
    assert missing.returncode == 2 and "does not exist" in missing.stderr, missing.stderr
    assert not (tmp_path / "mounted.key").exists()


def test_a_key_that_opens_nothing_is_refused(db_url: str, tmp_path: Path) -> None:
    data = tmp_path / "hub"
    first = {"TELLER_HUB_DATABASE_URL": db_url, "TELLER_HUB_MASTER_KEY": _b64(K1)}
    done = _import_secret(data, first, "first")
    assert done.returncode == 0, done.stderr
    before = _sealed(db_url)
    assert [k for _, k in before] == [MasterKey(K1).key_id]

    other = {**first, "TELLER_HUB_MASTER_KEY": _b64(K2)}
    imported = _import_secret(data, other, "second")
    assert imported.returncode == 2, imported.stderr
    assert "this master key does not match the database" in imported.stderr
    assert MasterKey(K1).key_id in imported.stderr and _b64(K2) not in imported.stderr
    served = _run("serve", "--data", str(data), "--port", "0", env=other)
    assert served.returncode == 2 and "does not match the database" in served.stderr
    assert not (data / "hub.json").exists()  # refused before binding or writing
    assert _sealed(db_url) == before

    # a rotation: the new key with the old one retired seals, and opens the old rows
    rotating = {**other, "TELLER_HUB_MASTER_KEY_PREVIOUS": _b64(K1)}
    assert _import_secret(data, rotating, "rotated").returncode == 0
    assert {k for _, k in _sealed(db_url)} == {MasterKey(K1).key_id, MasterKey(K2).key_id}


def test_the_embedded_default_still_makes_its_key_and_checks_it(tmp_path: Path) -> None:
    """SQLite in the data dir: the first run makes DIR/master.key (0600); a key given later
    that opens none of its rows is refused. An SQLite file elsewhere gets no key made."""
    data = tmp_path / "hub"
    env = {"TELLER_HUB_DATABASE_URL": "", "TELLER_HUB_MASTER_KEY": ""}
    assert _import_secret(data, env, "embedded").returncode == 0
    key_file = data / "master.key"
    assert len(key_file.read_bytes()) == 32 and key_file.stat().st_mode & 0o777 == 0o600
    wrong = _import_secret(data, {**env, "TELLER_HUB_MASTER_KEY": _b64(K2)}, "wrong")
    assert wrong.returncode == 2 and "does not match the database" in wrong.stderr
    elsewhere = {"TELLER_HUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'other.db'}",
                 "TELLER_HUB_MASTER_KEY": ""}
    refused = _import_secret(tmp_path / "hub2", elsewhere, "elsewhere")
    assert refused.returncode == 2 and "master_key_file" in refused.stderr, refused.stderr
    assert not (tmp_path / "hub2" / "master.key").exists()


def test_the_throttle_key_is_refused_never_replaced(db_url: str) -> None:
    """A process whose master key cannot open the shared sign-in key answers 503 and leaves
    the key (and every process's counts) as they are."""
    async def body(engine: AsyncEngine) -> None:
        await SignInThrottle(engine, MasterKey(K1)).attempt(email="a@bank.test")
        async with engine.connect() as conn:
            before = (await conn.execute(sa.select(hub_keys))).all()
        with pytest.raises(HubError) as refused:
            await SignInThrottle(engine, MasterKey(K2)).attempt(email="a@bank.test")
        assert refused.value.status == 503 and refused.value.code == "master_key_mismatch"
        async with engine.connect() as conn:
            assert (await conn.execute(sa.select(hub_keys))).all() == before
        # the rotation's retired key still opens it
        await SignInThrottle(engine, MasterKey(K2, [K1])).attempt(email="b@bank.test")

    run_on_engine(db_url, body)
