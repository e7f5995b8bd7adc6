"""Shared fixtures: a real sandbox on loopback, and a qasync loop under pytest-qt.

Read docs/ARCHITECTURE.md "Testing" before changing the loop fixture: the teardown order
here is what keeps tests passing together, not only alone.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qloop_close import close_qasync_loop

from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox


def pytest_report_header(config: pytest.Config) -> str:
    """Which databases the hub suite runs on (tests/hub runs every module on each)."""
    import shutil
    import sqlite3
    import subprocess

    pg = None
    root = Path("/usr/lib/postgresql")
    found = sorted(root.glob("*/bin/postgres")) if root.is_dir() else []
    binary = str(found[-1]) if found else shutil.which("postgres")
    if binary:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True,
                             check=False).stdout.strip()
        pg = out.split("(PostgreSQL)")[-1].split()[0] if "(PostgreSQL)" in out else None
    pg_text = f"postgresql {pg}" if pg else "postgresql: not available"
    return f"hub database: sqlite {sqlite3.sqlite_version}, {pg_text}"


# The contract suite's case counts, from pytest-xdist workers (tests/contract/conftest.py):
# the controller collects no test, so only this conftest of the root is loaded in it.
_CONTRACT_LINES = pytest.StashKey[list[str]]()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # type: ignore[no-untyped-def]
    lines = getattr(node, "workeroutput", {}).get("contract_summary")
    if lines:
        node.config.stash.setdefault(_CONTRACT_LINES, []).extend(lines)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter,
                            config: pytest.Config) -> None:
    lines = config.stash.get(_CONTRACT_LINES, [])
    if lines:
        terminalreporter.section("contract (Schemathesis)")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _no_language_left_behind() -> Iterator[None]:
    """Every test starts with no translator and the locale it found: a test that switched
    the desk's language (``switch_language("en")`` installs English plurals, "2 customers")
    must not change what the next one reads ("2 customer(s)"), whatever the order (files
    run in a different order on each worker of a parallel run)."""
    from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

    before = QLocale()
    yield
    app = QCoreApplication.instance()
    if app is None:
        return
    for translator in app.findChildren(QTranslator):
        app.removeTranslator(translator)
    QLocale.setDefault(before)


@pytest.fixture(scope="session", autouse=True)
def _own_desk_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The desk's config and data folders of this test process (a worker of a parallel run
    has its own): a test that does not choose its own never shares a profile's instance
    lock, cache or keyfile with another worker (they shared the run's HOME: one worker's
    lock on profile "sandbox" refused the other's sign-in)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TELLER_CONFIG_DIR", str(tmp_path_factory.mktemp("desk-config")))
        mp.setenv("TELLER_DATA_DIR", str(tmp_path_factory.mktemp("desk-data")))
        yield


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """One demo-world sandbox for the whole session (shared: tests create their own data)."""
    proc = start_sandbox(tmp_path_factory.mktemp("sandbox"))
    yield proc
    proc.stop()


@pytest.fixture()
def fresh_sandbox(tmp_path: Path) -> Iterator[SandboxProcess]:
    """A private sandbox for tests that stop, restart or fault it."""
    proc = start_sandbox(tmp_path / "sandbox-data")
    yield proc
    proc.stop()


@pytest.fixture()
def qloop(qapp):  # type: ignore[no-untyped-def]
    """A qasync event loop driven by qtbot.waitUntil / waitSignal (no loop.run_forever)."""
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    try:
        yield loop
    finally:
        close_qasync_loop(qapp, loop)


@pytest.fixture()
def arun(qtbot, qloop):  # type: ignore[no-untyped-def]
    """``arun(coro)`` runs a coroutine on the qasync loop from a sync test, returns its result.
    (Never ``await`` inside an ``async def`` test with pytest-qt: see ARCHITECTURE.md.)"""

    def run(coro, timeout: int = 15000):  # type: ignore[no-untyped-def]
        task = asyncio.ensure_future(coro, loop=qloop)
        qtbot.waitUntil(task.done, timeout=timeout)
        return task.result()

    return run
