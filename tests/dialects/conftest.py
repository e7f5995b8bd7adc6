"""The dialect matrix: one sandbox per dialect (and one with ``all``), shared by a module.

Each sandbox has 250 customers (two pages of Kyiv customers under ``page-cap-100``) and a
few disabled ones (so ``include-disabled`` matters). Counts are checked against the
sandbox's own database (read-only), never against answers in the dialect under test.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from teller_app.core.embedded_sandbox import SandboxProcess, start_sandbox
from teller_app.platform import CustomerUpdate
from tests.platform.sandbox_helpers import admin_client
from tests.ui.conftest import ops, teller_dirs  # noqa: F401  (private dirs, OpRunner)

# The dialects the matrix below says something about (tests never import the sandbox). The
# later ones (payment-filter-names, order-ignored, jwt-lenient, balance-allowed-free,
# text-unchecked, target-balance-unchecked, confirm-failed-status) concern payments, tokens
# and checks the matrix does not touch: each has its own module here, and "all" runs them too.
DIALECTS = (
    "null-lists", "page-cap-100", "include-disabled", "exclusive-bounds", "ordering-ignored",
    "ordering-strict", "not-found-400", "kratos-400", "nanos", "nullable-strings",
    "numbers-as-strings", "put-replaces", "employee-guid-key",
)
MATRIX = ("default", *DIALECTS, "all")
CUSTOMERS = 250
DISABLED = 3


def start_dialect_sandbox(data: Path, name: str) -> SandboxProcess:
    proc = start_sandbox(data, customers=CUSTOMERS,
                         dialects=None if name == "default" else [name])
    asyncio.run(_disable_some(proc))
    return proc


async def _disable_some(proc: SandboxProcess) -> None:
    """Disable a few Kyiv customers (through the API, as a supervisor would)."""
    kyiv = proc.manifest["branches"][0]["guid"]
    async with admin_client(proc) as admin:
        page = await admin.list_customers(branch_guids=[kyiv], limit=DISABLED)
        for customer in page.customers:
            await admin.update_customer(customer.wallet_user_guid,
                                        CustomerUpdate(is_disabled=True))


def scope_count(proc: SandboxProcess, branch: str | None) -> tuple[int, int]:
    """(customers, disabled ones) in the scope, from the sandbox's database; approval
    markers are left out (the cache never stores them)."""
    db = sqlite3.connect(f"file:{proc.data_dir / 'sandbox.db'}?mode=ro", uri=True)
    try:
        sql = "SELECT login, is_disabled FROM customers WHERE counterparty_guid = ?"
        args: list[str] = [proc.counterparty_guid]
        if branch:
            sql += " AND branch_guid = ?"
            args.append(branch)
        rows = list(db.execute(sql, args))
    finally:
        db.close()
    return len(rows), sum(1 for r in rows if r[1])


@pytest.fixture(scope="module", params=MATRIX)
def dialect_sb(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    proc = start_dialect_sandbox(tmp_path_factory.mktemp(f"sb-{request.param}"), request.param)
    yield proc
    proc.stop()


def disabled_customer(proc: SandboxProcess, branch: str) -> tuple[str, str]:
    """(guid, surname) of a disabled customer of the branch, from the sandbox's database."""
    db = sqlite3.connect(f"file:{proc.data_dir / 'sandbox.db'}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT guid, surname FROM customers WHERE branch_guid = ? AND "
                         "is_disabled = 1 ORDER BY seq LIMIT 1", (branch,)).fetchone()
    finally:
        db.close()
    return str(row[0]), str(row[1])
