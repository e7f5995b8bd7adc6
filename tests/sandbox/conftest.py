"""Fixtures for the sandbox tests: ``api`` (shared sandbox) and ``fresh_api`` (private one)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sandbox_api import Api

from teller_app.core.embedded_sandbox import SandboxProcess


@pytest.fixture(scope="session")
def api(sandbox: SandboxProcess) -> Iterator[Api]:
    client = Api(sandbox)
    yield client
    client.http.close()


@pytest.fixture()
def fresh_api(fresh_sandbox: SandboxProcess) -> Iterator[Api]:
    client = Api(fresh_sandbox)
    yield client
    client.http.close()
