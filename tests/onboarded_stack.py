"""The embedded default for a test module or session: sandbox (as DCM) + Teller Hub
(``start_embedded``), onboarded (``onboard``: the secrets the hub's Auth Service hands DCM),
stopped afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from teller_app.core.embedded_stack import EmbeddedStack, onboard, start_embedded


@contextmanager
def onboarded_stack(base: Path, sandbox_args: tuple[str, ...] = ()
                    ) -> Iterator[EmbeddedStack]:
    """``sandbox_args``: the sandbox's own options (``--dialect NAME``...)."""
    started = start_embedded(base, sandbox_args=sandbox_args)
    try:
        assert started.hub is not None, started.hub_problem
        # in a thread: a UI test may already have a (qasync) loop running on this one
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, onboard(started)).result()
        yield started
    finally:
        started.stop()
